import { defineService } from "./defineService";

/**
 * GaussDB(DWS) "Querying the Task Progress": `GET /v1.0/{project_id}/job/{job_id}`.
 * Flat body; `status` is `RUNNING`/`INIT` while working, `SUCCESS` or `FAIL` at the end (Huawei's
 * Terraform provider treats `FAIL` as failure); `progress` is a string like `"9%"`;
 * `begin_time`/`end_time` carry no zone; failures carry `failed_code` and `failed_detail`.
 */
export const dws = defineService({
    kind: "dws",
    title: "GaussDB(DWS) task progress",
    endpointService: "dws",
    pathTemplate: "/v1.0/{project_id}/job/{job_id}",
    progressScale: "percent",
    fields: {
        status: "status",
        jobName: "job_name",
        progress: "progress",
        beginTime: "begin_time",
        endTime: "end_time",
        failedCode: "failed_code",
        failedDetail: "failed_detail",
    },
    states: {
        running: ["RUNNING", "INIT", "WAITING", "PENDING"],
        succeeded: ["SUCCESS"],
        // ERROR: Huawei's Terraform provider treats it as a failure of this job API too.
        failed: ["FAIL", "FAILED", "ERROR"],
    },
});
