/**
 * The normalised view of a Huawei Cloud job, shared by every service kind.
 *
 * @packageDocumentation
 */

import type { ServerTextFilter } from "../serverText";

/** The service kinds this package can wait on. */
export const SERVICE_KINDS = ["dws", "ddm", "roma", "cfw"] as const;

/** A service kind: `dws` (GaussDB(DWS) task progress), `ddm` (DDM task), `roma` (ROMA Connect asset job), `cfw` (Cloud Firewall job). */
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** Normalised job state. Only `succeeded` and `failed` are terminal. */
export type JobState = "running" | "succeeded" | "failed";

/** The IDs that can appear in a job API path, besides the job ID. */
export type PathId = "projectId" | "instanceId";

/** The instance a DDM job runs on. */
export interface JobInstance {
    /** Instance ID. */
    id?: string;
    /** Instance name. */
    name?: string;
}

/**
 * One normalised reading of a job's status. Every string in it that came from the answer has
 * passed the waiter's server-text filter (`serverText.ts`): no secret the waiter holds, no control
 * or escape character, at most `MAX_SERVER_TEXT` characters. The raw body is deliberately not kept:
 * it would carry unfiltered server text into every error, log line and output that holds a status.
 */
export interface JobStatus {
    /** The service kind that was queried. */
    service: ServiceKind;
    /** The job ID that was queried (as requested, even if the body echoes another). */
    jobId: string;
    /** The job's name or type as the service reports it (DWS `job_name`, DDM `job.name`, ROMA `type`). */
    jobName?: string;
    /** Normalised state. Unknown raw statuses count as `running` (see `statusRecognised`). */
    state: JobState;
    /** The status string as the service sent it (filtered; `state` is decided on the unfiltered one). */
    status: string;
    /** False when `status` is not one this package knows for the service: it is treated as running, never as success. */
    statusRecognised: boolean;
    /** Progress in percent, 0–100, or undefined when the service reports none. */
    progress?: number;
    /** Start time, ISO 8601 UTC (`2022-11-09T20:25:00.000Z`). */
    beginTime?: string;
    /** End time, ISO 8601 UTC. */
    endTime?: string;
    /** Failure code (DWS `failed_code`, CFW `error_code`, ROMA `reason[].error_code`). */
    failedCode?: string;
    /** Failure detail (DWS `failed_detail`, CFW `error_msg`, ROMA `reason[]` folded into one line). */
    failedDetail?: string;
    /** DDM only: the instance the job runs on. */
    instance?: JobInstance;
    /** ROMA only: the asset package to download after an export job. */
    archiveId?: string;
}

/**
 * The response body did not have the shape the service documents (not an object, no status
 * string...). The HTTP layer turns this into a `JobApiError`: a 200 answer that cannot be read is
 * a permanent error, never a success.
 */
export class UnexpectedBodyError extends Error {
    constructor(
        /** What was wrong with the body. */
        readonly problem: string,
    ) {
        super(problem);
        this.name = "UnexpectedBodyError";
    }
}

/**
 * A service adapter: where a kind's job API lives and how to read its answer.
 * Built from a declarative {@link ServiceSpec} by `defineService`.
 */
export interface ServiceAdapter {
    /** The kind. */
    readonly kind: ServiceKind;
    /** Human-readable name of the API, for messages. */
    readonly title: string;
    /** The endpoint's service prefix: `https://{endpointService}.{region}.{domain}`. */
    readonly endpointService: string;
    /** Path template with `{project_id}`, `{instance_id}`, `{job_id}` placeholders. */
    readonly pathTemplate: string;
    /** IDs the path needs besides the job ID. */
    readonly requiredIds: readonly PathId[];
    /** Statuses (upper-cased) this kind documents, by state. */
    readonly states: Readonly<Record<JobState, readonly string[]>>;
    /**
     * Read a 200 response body. Pure; every string taken from the body passes `safeText` (the
     * waiter's server-text filter) before it is part of the status. Throws
     * {@link UnexpectedBodyError} on a body it cannot read.
     */
    parse(body: unknown, jobId: string, safeText: ServerTextFilter): JobStatus;
}
