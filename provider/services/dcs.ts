import { defineService } from "./defineService";
import { FLAT_JOB_FIELDS, FLAT_JOB_STATES } from "./jobShapes";

/** The flat job fields DCS has: all but `error_code`. */
const { failedCode: _noErrorCode, ...DCS_FIELDS } = FLAT_JOB_FIELDS;

/**
 * DCS "Querying Job Details": `GET /v2/{project_id}/jobs/{job_id}` (Node SDK `dcs/v2`
 * `DcsClient.showJobInfo`, model `ShowJobInfoResponse`). Status `INIT`/`RUNNING` →
 * `SUCCESS`/`FAIL` (`ShowJobInfoResponseStatusEnum`); `job_type` e.g. `masterStandbySwapJob`;
 * `begin_time`/`end_time` are epoch milliseconds as strings (`"1684191545379"`); the only failure
 * field is `fail_reason`; no progress, no sub-jobs.
 */
export const dcs = defineService({
    kind: "dcs",
    title: "DCS job",
    endpointService: "dcs",
    pathTemplate: "/v2/{project_id}/jobs/{job_id}",
    progressScale: "percent",
    fields: DCS_FIELDS,
    states: FLAT_JOB_STATES,
});
