import { defineService } from "./defineService";

/**
 * Cloud Firewall (CFW) "List Job Status": `GET /v3/{project_id}/jobs/{job_id}` (Node SDK `cfw/v1`
 * `CfwClient.listJob`, models `ListJobResponse`, `GetCreateFirewallJobResponseData`).
 * Body `{ data: { id, status, begin_time, end_time } }`; status `Running`, `Success` or `Failed`;
 * times are documented as `yyyy-mm-ddThh:mm:ssZ` with an offset, an older example returns epoch
 * milliseconds (both are read). The current API reference and both SDKs carry no failure field:
 * a failed job fails on its status alone. The top-level `error_code`/`error_msg` of the older page
 * (the seed document) are still read when a server sends them.
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
