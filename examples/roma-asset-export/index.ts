/**
 * Wait for a ROMA Connect asset export job and publish the archive to download.
 * Config: `romaJobId`, `romaInstanceId`, optional `projectId`, `region` or `endpoint`.
 */
import * as pulumi from "@pulumi/pulumi";
import { JobWaiter } from "pulumi-huaweicloud-jobwaiter";
import { DeploymentRecord } from "../common/deploymentRecord";
import { commonWaiterArgs } from "../common/settings";

const config = new pulumi.Config();

const exportJob = new JobWaiter("roma-assets-exported", {
    service: "roma",
    jobId: config.require("romaJobId"),
    instanceId: config.require("romaInstanceId"),
    ...commonWaiterArgs(config),
});

new DeploymentRecord("roma-archive", { jobId: exportJob.jobId, archiveId: exportJob.archiveId });

export const romaArchiveId = exportJob.archiveId;
export const romaStatus = exportJob.status;
