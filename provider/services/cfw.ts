import { defineService } from "./defineService";

/**
 * Cloud Firewall (CFW) "List Job Status": `GET /v3/{project_id}/jobs/{job_id}`.
 * Body `{ data: { id, status, begin_time, end_time }, error_code, error_msg }`; status
 * `Running`, `Success` or `Failed`; times are documented as `yyyy-mm-ddThh:mm:ssZ` with an
 * offset but the example returns epoch milliseconds (both are read); the top-level
 * `error_code`/`error_msg` describe a failure.
 */
export const cfw = defineService({
    kind: "cfw",
    title: "Cloud Firewall job status",
    endpointService: "cfw",
    pathTemplate: "/v3/{project_id}/jobs/{job_id}",
    progressScale: "percent",
    fields: {
        status: "data.status",
        beginTime: "data.begin_time",
        endTime: "data.end_time",
        failedCode: "error_code",
        failedDetail: "error_msg",
    },
    states: {
        running: ["Running"],
        succeeded: ["Success"],
        failed: ["Failed"],
    },
});
