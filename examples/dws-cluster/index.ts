/**
 * Wait for a GaussDB(DWS) cluster creation job, then hand its outputs to the resources that
 * need the finished cluster.
 *
 * Config: `dwsJobId` (the job ID returned when the cluster was created), optional `projectId`
 * (default `huaweicloud:projectId` / HW_PROJECT_ID), `region` or `endpoint`.
 *
 *     pulumi config set dwsJobId 2c9080e88459fa44018459fbeb600001
 *     pulumi config set huaweicloud:region cn-north-4
 *     pulumi config set --secret huaweicloud:secretKey ...
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
export const dependentSawStatus = afterCluster.id.apply(() => clusterJob.status);
