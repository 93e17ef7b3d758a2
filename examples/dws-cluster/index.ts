/**
 * Wait for a GaussDB(DWS) cluster creation job, then hand its outputs to the resources that
 * need the finished cluster.
 *
 * Config: `dwsJobId` (the job ID returned when the cluster was created); the settings of
 * `common/settings.ts` are optional. Credentials come from `huaweicloud:*` config (or `HW_*`).
 *
 *     pulumi config set example dws-cluster
 *     pulumi config set dwsJobId 2c9080e88459fa44018459fbeb600001
 *     pulumi config set huaweicloud:region cn-north-4
 *     pulumi config set huaweicloud:projectId <project id>
 *     pulumi config set huaweicloud:accessKey <AK>
 *     pulumi config set --secret huaweicloud:secretKey <SK>
 *     pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { JobWaiter } from "pulumi-huaweicloud-jobwaiter";
import { DeploymentRecord } from "../common/deploymentRecord";
import { commonWaiterArgs } from "../common/settings";

const config = new pulumi.Config();

const clusterJob = new JobWaiter("dws-cluster-created", {
    service: "dws",
    jobId: config.require("dwsJobId"),
    ...commonWaiterArgs(config),
});

// Anything created after the cluster depends on the waiter, and can use its outputs.
const afterCluster = new DeploymentRecord("dws-cluster-ready", {
    jobId: clusterJob.jobId,
    jobName: clusterJob.jobName,
    status: clusterJob.status,
    finishedAt: clusterJob.endTime,
    waitedSeconds: clusterJob.waitedSeconds,
});

export const dwsJobState = clusterJob.state;
export const dwsJobStatus = clusterJob.status;
export const dwsJobEndTime = clusterJob.endTime;
export const dwsJobPolls = clusterJob.polls;
/** What the dependent resource received, read back from its own state. */
export const dependentSawStatus = afterCluster.recorded("status");
