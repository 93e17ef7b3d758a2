/**
 * Field layouts that several job APIs share, so that each spec names only what is its own.
 * Every layout is taken from the official Node SDK models (huaweicloud/huaweicloud-sdk-nodejs-v3,
 * `services/<svc>/<ver>/model/*.ts`) cited at each constant.
 *
 * @packageDocumentation
 */

import type { FieldPaths, SubJobPaths } from "./defineService";
import type { JobState } from "./types";

/**
 * The flat job body `{ status, job_id, job_type, begin_time, end_time, error_code, fail_reason, entities }`
 * of the "Querying Job Execution Status" APIs: ECS `ShowJobResponse` (`ecs/v2`), EVS `ShowJobResponse`
 * (`evs/v2`), BMS `ShowJobInfosResponse` (`bms/v1`), EIP `ShowResourcesJobDetailResponse` (`eip/v2`),
 * IMS `ShowJobProgressResponse` (`ims/v2`), SFS Turbo `ShowJobDetailResponse` (`sfsturbo/v1`).
 */
export const FLAT_JOB_FIELDS = {
    status: "status",
    jobName: "job_type",
    beginTime: "begin_time",
    endTime: "end_time",
    failedCode: "error_code",
    failedDetail: "fail_reason",
} as const satisfies FieldPaths;

/** A sub-job of the flat layout (ECS `SubJob`, EVS `SubJob`, BMS `SubJobs`, SFS Turbo `GetSubJobDetail`), minus where the list is. */
export const FLAT_SUB_JOB_FIELDS = {
    status: "status",
    jobId: "job_id",
    jobType: "job_type",
    failedCode: "error_code",
    failedDetail: "fail_reason",
} as const satisfies Omit<SubJobPaths, "list">;

/** `INIT`/`RUNNING` → `SUCCESS`/`FAIL`: the status enum of ECS, EVS, BMS and IMS (`ShowJobResponseStatusEnum` and kin). */
export const FLAT_JOB_STATES = {
    running: ["INIT", "RUNNING"],
    succeeded: ["SUCCESS"],
    failed: ["FAIL"],
} as const satisfies Record<JobState, readonly string[]>;

/**
 * The `{ job: { id, name, status, created, ended, fail_reason, instance } }` body of the RDS-family
 * "task with a specified ID" APIs (`GET /v3/{project_id}/jobs?id={job_id}`): RDS
 * `GetJobInfoResponseBodyJob` (`rds/v3`), DDS `JobDetail` (`dds/v3`), TaurusDB `GetJobInfoDetail`
 * (`gaussdb/v3`), openGauss `JobDetail` (`gaussdbforopengauss/v3`). Progress is `job.process` in RDS
 * and TaurusDB, `job.progress` in DDS and openGauss: each spec adds its own.
 */
export const RDS_FAMILY_FIELDS = {
    status: "job.status",
    jobName: "job.name",
    beginTime: "job.created",
    endTime: "job.ended",
    failedDetail: "job.fail_reason",
    instance: "job.instance",
    resourceIds: ["job.instance.id"],
} as const satisfies FieldPaths;

/** `Running` → `Completed`/`Failed` (RDS `GetJobInfoResponseBodyJobStatusEnum`; DDS and openGauss document the same values). */
export const RDS_FAMILY_STATES = {
    running: ["Running"],
    succeeded: ["Completed"],
    failed: ["Failed"],
} as const satisfies Record<JobState, readonly string[]>;

/** The RDS-family path: the job ID is the `id` query parameter. */
export const RDS_FAMILY_PATH = "/v3/{project_id}/jobs?id={job_id}";
