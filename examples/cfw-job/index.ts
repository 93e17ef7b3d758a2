/**
 * Wait for a Cloud Firewall (CFW) job, e.g. after changing protection rules, before the
 * traffic that depends on them is switched on. A failed job is recorded instead of failing
 * the deployment (`allowFailure`), and the failure code is exported for alerting.
 * Config: `cfwJobId`, optional `projectId`, `region` or `endpoint`.
 */
import * as pulumi from "@pulumi/pulumi";
import { JobWaiter } from "pulumi-huaweicloud-jobwaiter";
import { DeploymentRecord } from "../common/deploymentRecord";
import { commonWaiterArgs } from "../common/settings";

const config = new pulumi.Config();

const cfwJob = new JobWaiter("cfw-rules-applied", {
    service: "cfw",
    jobId: config.require("cfwJobId"),
    allowFailure: true,
    ...commonWaiterArgs(config),
});

new DeploymentRecord("cfw-outcome", { jobId: cfwJob.jobId, state: cfwJob.state, failedCode: cfwJob.failedCode });

export const cfwState = cfwJob.state;
export const cfwFailedCode = cfwJob.failedCode;
