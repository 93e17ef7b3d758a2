/**
 * Wait for a DDM instance creation task and pass the instance it ran on to what comes next.
 * Config: `ddmJobId`, optional `projectId`, `region` or `endpoint`.
 */
import * as pulumi from "@pulumi/pulumi";
import { JobWaiter } from "pulumi-huaweicloud-jobwaiter";
import { DeploymentRecord } from "../common/deploymentRecord";
import { commonWaiterArgs } from "../common/settings";

const config = new pulumi.Config();

const task = new JobWaiter("ddm-instance-created", {
    service: "ddm",
    jobId: config.require("ddmJobId"),
    ...commonWaiterArgs(config),
});

/** The instance the finished task ran on; a finished task without one is an error, not an empty ID. */
const instance = pulumi.all([task.jobId, task.instance]).apply(([jobId, i]) => {
    if (!i?.id) throw new Error(`DDM task ${jobId} finished without reporting its instance (job.instance.id)`);
    return { id: i.id, name: i.name };
});

new DeploymentRecord("ddm-instance-ready", {
    jobId: task.jobId,
    instanceId: instance.apply((i) => i.id),
    instanceName: instance.apply((i) => i.name),
});

export const ddmInstance = task.instance;
export const ddmStatus = task.status;
