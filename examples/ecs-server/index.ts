/**
 * Wait for an ECS server creation job (the `job_id` that "Creating an ECS" returns) and chain the
 * created server's ID into the resource that needs the server: here a stand-in that records it,
 * in a real stack e.g. an EVS volume attachment or an EIP association taking `serverId`.
 *
 * Config: `ecsJobId`; the settings of `common/settings.ts` are optional. Credentials come from
 * `huaweicloud:*` config (or `HW_*`).
 *
 *     pulumi config set example ecs-server
 *     pulumi config set ecsJobId 2c9eb2c1525a93c601525a93d8ef0002
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

const serverJob = new JobWaiter("ecs-server-created", {
    service: "ecs",
    jobId: config.require("ecsJobId"),
    ...commonWaiterArgs(config),
});

/** The created server: the first resource ID (`entities.sub_jobs[0].entities.server_id`). A job that names none is an error, not an empty ID. */
const serverId = pulumi.all([serverJob.jobId, serverJob.resourceIds]).apply(([jobId, ids]) => {
    if (!ids?.length) throw new Error(`ECS job ${jobId} finished without naming the server it created (entities.sub_jobs[].entities.server_id)`);
    return ids[0];
});

// Depends on the waiter through serverId: created only once the server exists.
const attachment = new DeploymentRecord("ecs-server-ready", { jobId: serverJob.jobId, serverId });

export const ecsJobStatus = serverJob.status;
export const ecsServerId = serverId;
/** What the dependent resource received, read back from its own state. */
export const dependentSawServerId = attachment.recorded("serverId");
