/**
 * Settings every example reads from the stack config: where the job API is (region, or an
 * endpoint such as the local emulator) and the polling knobs. Credentials are NOT read here:
 * the provider reads `huaweicloud:accessKey`/`huaweicloud:secretKey` (secret config) or the
 * `HW_*` environment at run time, so they never enter resource inputs or state.
 */
import * as pulumi from "@pulumi/pulumi";
import type { JobWaiterArgs } from "pulumi-huaweicloud-jobwaiter";

/**
 * Common waiter arguments from config: `projectId` and `region` (else the provider uses
 * `huaweicloud:projectId`/`huaweicloud:region` or HW_PROJECT_ID/HW_REGION_NAME), `endpoint`,
 * `allowInsecureLoopback`, `timeoutSeconds`, `minPollIntervalSeconds`, `maxPollIntervalSeconds`.
 */
export function commonWaiterArgs(config: pulumi.Config): Partial<JobWaiterArgs> {
    const args: Partial<JobWaiterArgs> = {};
    const projectId = config.get("projectId");
    if (projectId) args.projectId = projectId;
    const region = config.get("region");
    if (region) args.region = region;
    const endpoint = config.get("endpoint");
    if (endpoint) args.endpoint = endpoint;
    const insecure = config.getBoolean("allowInsecureLoopback");
    if (insecure !== undefined) args.allowInsecureLoopback = insecure;
    const timeout = config.getNumber("timeoutSeconds");
    if (timeout !== undefined) args.timeoutSeconds = timeout;
    const maxPoll = config.getNumber("maxPollIntervalSeconds");
    if (maxPoll !== undefined) args.maxPollIntervalSeconds = maxPoll;
    const minPoll = config.getNumber("minPollIntervalSeconds");
    if (minPoll !== undefined) args.minPollIntervalSeconds = minPoll;
    return args;
}
