/**
 * The normalised view of a Huawei Cloud job, shared by every service kind.
 *
 * @packageDocumentation
 */

import type { ServerTextFilter } from "../serverText";
import type { ServiceSpec } from "./defineService";

/** The service kinds this package can wait on (the README's "Service kinds" table describes each). */
export const SERVICE_KINDS = [
    "dws",
    "ddm",
    "roma",
    "cfw",
    "ecs",
    "evs",
    "bms",
    "eip",
    "ims",
    "cce",
    "rds",
    "dds",
    "taurusdb",
    "opengauss",
    "dcs",
    "elb",
    "cbr",
    "sfsturbo",
    "dms",
] as const;

/** A service kind, e.g. `ecs` (ECS job), `rds` (RDS task), `dws` (GaussDB(DWS) task progress). */
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** Normalised job state. Only `succeeded` and `failed` are terminal. */
export type JobState = "running" | "succeeded" | "failed";

/** The IDs that can appear in a job API path, besides the job ID. */
export type PathId = "projectId" | "instanceId";

/** One sub-job of a batch job (ECS/BMS/EVS/EIP `entities.sub_jobs[]`, CCE `spec.subJobs[]`, ELB and SFS Turbo `sub_jobs[]`...). */
export interface SubJobStatus {
    /** The sub-job's ID, when the service reports one. */
    jobId?: string;
    /** The sub-job's type (`createSingleServer`, `CreateNode`...). */
    jobType?: string;
    /** Normalised state, read with the kind's status table (unknown → `running`, flagged). */
    state: JobState;
    /** The raw status string (`""` when the sub-job carries none). */
    status: string;
    /** False when `status` is not one this package knows for the service. */
    statusRecognised: boolean;
    /** IDs of the resources the sub-job produced (server, NIC, volume, node IDs...). */
    resourceIds?: string[];
    /** Failure code of the sub-job. */
    failedCode?: string;
    /** Failure detail of the sub-job. */
    failedDetail?: string;
}

/** The instance a job runs on (DDM, RDS, DDS, TaurusDB, openGauss `job.instance`). */
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
    /** The job's name or type as the service reports it (DWS `job_name`, DDM `job.name`, ROMA `type`, ECS `job_type`). */
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
    /** Failure code (DWS `failed_code`, ECS `error_code`, ROMA `reason[].error_code`; else the first failed sub-job's). */
    failedCode?: string;
    /**
     * Failure detail (DWS `failed_detail`, ECS `fail_reason`, ROMA `reason[]` folded into one line),
     * followed by one `sub-job <id> (<type>) <status>: <code>: <detail>` entry per failed sub-job.
     */
    failedDetail?: string;
    /** The instance the job runs on (DDM, RDS, DDS, TaurusDB, openGauss). */
    instance?: JobInstance;
    /**
     * IDs of the resources the job produced, in order: the job's own (e.g. ECS `entities.server_id`),
     * then each sub-job's (e.g. the server ID of every `entities.sub_jobs[]`), without repeats.
     * Which fields each kind reads is in docs/service-kinds.md.
     */
    resourceIds?: string[];
    /** The job's sub-jobs, in the order the service lists them. */
    subJobs?: SubJobStatus[];
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
    /** Path template with `{project_id}`, `{instance_id}`, `{job_id}` placeholders, in the path or the query (`?id={job_id}`). */
    readonly pathTemplate: string;
    /** IDs the path needs besides the job ID. */
    readonly requiredIds: readonly PathId[];
    /** Statuses (upper-cased) this kind documents, by state. */
    readonly states: Readonly<Record<JobState, readonly string[]>>;
    /** The declarative spec the adapter was built from (field paths, status table, progress scale). */
    readonly spec: Readonly<ServiceSpec>;
    /**
     * Read a 200 response body. Pure; every string taken from the body passes `safeText` (the
     * waiter's server-text filter) before it is part of the status. Throws
     * {@link UnexpectedBodyError} on a body it cannot read.
     */
    parse(body: unknown, jobId: string, safeText: ServerTextFilter): JobStatus;
}
