import { defineService } from "./defineService";

/**
 * GaussDB(DWS) "Querying the Task Progress": `GET /v1.0/{project_id}/job/{job_id}` (Node SDK
 * `dws/v2` `DwsClient.listJobDetails`, model `ListJobDetailsResponse`, status untyped).
 * Flat body; the status values are those of GoSDK `services/dws/v2/model/model_list_job_details_response.go`:
 * `INIT`, `WAITING`, `RUNNING`, `DELAY_SCHEDULED` while working, `SUCCESS`, `FAIL`, and `STOP`
 * ("stopped"): a stopped task did not finish its work, so it is a failure, never waited on until
 * the timeout. `ERROR` is a failure as in Huawei's Terraform provider (`resource_huaweicloud_dws_ext_data_source.go`).
 * `progress` is a string like `"9%"`; `begin_time`/`end_time` carry no zone; failures carry
 * `failed_code` and `failed_detail`.
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
        running: ["INIT", "WAITING", "RUNNING", "DELAY_SCHEDULED"],
        succeeded: ["SUCCESS"],
        failed: ["FAIL", "STOP", "ERROR"],
    },
});
