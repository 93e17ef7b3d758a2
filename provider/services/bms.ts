import { defineService } from "./defineService";
import { SERVER_JOB_IDS } from "./ecs";
import { FLAT_JOB_FIELDS, FLAT_JOB_STATES, FLAT_SUB_JOB_FIELDS } from "./jobShapes";

/**
 * BMS "Querying Task Statuses": `GET /v1/{project_id}/jobs/{job_id}` (Node SDK `bms/v1`
 * `BmsClient.showJobInfos`, model `ShowJobInfosResponse`). The ECS shape: `INIT`/`RUNNING` →
 * `SUCCESS`/`FAIL`, `error_code`/`fail_reason`, sub-jobs under `entities.sub_jobs[]` with
 * `entities.server_id`/`nic_id` (model `Entitie`). No progress.
 */
export const bms = defineService({
    kind: "bms",
    title: "BMS task",
    endpointService: "bms",
    pathTemplate: "/v1/{project_id}/jobs/{job_id}",
    progressScale: "percent",
    fields: {
        ...FLAT_JOB_FIELDS,
        subJobs: { ...FLAT_SUB_JOB_FIELDS, list: "entities.sub_jobs[]", resourceIds: SERVER_JOB_IDS },
    },
    states: FLAT_JOB_STATES,
});
