/**
 * `JobWaiter`: a Pulumi dynamic resource that blocks in create until a Huawei Cloud job is
 * terminal, fails the deployment when the job fails, and exposes the final status as outputs.
 *
 * @packageDocumentation
 */

import * as pulumi from "@pulumi/pulumi";
import type { JobInstance, JobState, SubJobStatus } from "../services/types";
import { jobWaiterProvider } from "./provider";

/** Arguments of a {@link JobWaiter}. Credentials are not arguments: see the README (stack config `huaweicloud:*` or `HW_*`). */
export interface JobWaiterArgs {
    /** Service kind: `"ecs"`, `"evs"`, `"cce"`, `"rds"`, `"dws"`... (the README's kinds table). */
    service: pulumi.Input<string>;
    /** The job ID returned by the service's create/modify API. */
    jobId: pulumi.Input<string>;
    /** Project ID. Default: stack config `huaweicloud:projectId`, else `HW_PROJECT_ID`. */
    projectId?: pulumi.Input<string>;
    /** Region. Default: `huaweicloud:region`, else `HW_REGION_NAME`. */
    region?: pulumi.Input<string>;
    /** Instance ID (required by `roma` and `dms`). */
    instanceId?: pulumi.Input<string>;
    /** Endpoint override, e.g. a local emulator. */
    endpoint?: pulumi.Input<string>;
    /** Allow a plain-http endpoint on a loopback address. Default false. */
    allowInsecureLoopback?: pulumi.Input<boolean>;
    /** Give up after this many seconds. Default 3600. (`customTimeouts` never reach dynamic providers.) */
    timeoutSeconds?: pulumi.Input<number>;
    /** Shortest pause between polls, seconds. Default 1. */
    minPollIntervalSeconds?: pulumi.Input<number>;
    /** Longest pause between polls, seconds. Default 600 (only while progress says the end is far; the blind schedule stays below ≈ 100 s). */
    maxPollIntervalSeconds?: pulumi.Input<number>;
    /** What one status request costs, in seconds of detection lag (the policy minimises lag + this × calls). Default 1. */
    callCostSeconds?: pulumi.Input<number>;
    /** Timeout of one HTTP request, seconds. Default 30. */
    requestTimeoutSeconds?: pulumi.Input<number>;
    /** How long after the start a 404 means "not visible yet", seconds. Default 30. */
    notFoundGraceSeconds?: pulumi.Input<number>;
    /** Requests per second shared by all waiters on one endpoint in the provider process. Default 10. */
    maxRequestsPerSecond?: pulumi.Input<number>;
    /** Record a failed job in the outputs instead of failing the deployment. Default false. */
    allowFailure?: pulumi.Input<boolean>;
}

/**
 * Waits for a Huawei Cloud job; its outputs describe the finished job.
 * (Output properties are `declare`d: an ES2022 class field would reset them to `undefined`
 * after the Pulumi constructor has set them.)
 */
export class JobWaiter extends pulumi.dynamic.Resource {
    /** The service kind. */
    declare public readonly service: pulumi.Output<string>;
    /** The job ID (also the resource ID). */
    declare public readonly jobId: pulumi.Output<string>;
    /** The project ID used (input or default). */
    declare public readonly projectId: pulumi.Output<string>;
    /** `succeeded`, or `failed` when `allowFailure` is true. */
    declare public readonly state: pulumi.Output<JobState>;
    /** The raw terminal status (`SUCCESS`, `Completed`, `FAIL`...). */
    declare public readonly status: pulumi.Output<string>;
    /** False when the service sent a status this package does not know. */
    declare public readonly statusRecognised: pulumi.Output<boolean>;
    /** Last progress in percent, when the service reports one. */
    declare public readonly progress: pulumi.Output<number | undefined>;
    /** The job name/type, when the service reports one. */
    declare public readonly jobName: pulumi.Output<string | undefined>;
    /** Start time, ISO 8601 UTC. */
    declare public readonly beginTime: pulumi.Output<string | undefined>;
    /** End time, ISO 8601 UTC. */
    declare public readonly endTime: pulumi.Output<string | undefined>;
    /** Failure code (only with `allowFailure`). */
    declare public readonly failedCode: pulumi.Output<string | undefined>;
    /** Failure detail (only with `allowFailure`). */
    declare public readonly failedDetail: pulumi.Output<string | undefined>;
    /** DDM and the RDS family: the instance the job ran on. */
    declare public readonly instance: pulumi.Output<JobInstance | undefined>;
    /** ROMA: the archive of an export job. */
    declare public readonly archiveId: pulumi.Output<string | undefined>;
    /** IDs of the resources the job and its sub-jobs produced (ECS server IDs, EVS volume IDs...), in order. */
    declare public readonly resourceIds: pulumi.Output<string[] | undefined>;
    /** The job's sub-jobs: ID, type, status and resource IDs of each. */
    declare public readonly subJobs: pulumi.Output<SubJobStatus[] | undefined>;
    /** Status requests sent while waiting in create. */
    declare public readonly polls: pulumi.Output<number>;
    /** Seconds waited in create. */
    declare public readonly waitedSeconds: pulumi.Output<number>;

    constructor(name: string, args: JobWaiterArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            jobWaiterProvider(),
            name,
            {
                state: undefined,
                status: undefined,
                statusRecognised: undefined,
                progress: undefined,
                jobName: undefined,
                beginTime: undefined,
                endTime: undefined,
                failedCode: undefined,
                failedDetail: undefined,
                instance: undefined,
                archiveId: undefined,
                resourceIds: undefined,
                subJobs: undefined,
                polls: undefined,
                waitedSeconds: undefined,
                ...args,
            },
            opts,
            "huaweicloud",
            "JobWaiter",
        );
    }
}
