import { defineService } from "./defineService";
import { FLAT_JOB_FIELDS, FLAT_JOB_STATES, FLAT_SUB_JOB_FIELDS } from "./jobShapes";

/** Where a server or NIC job puts the IDs it produced, in the job and in each sub-job (ECS `JobEntities`, `SubJobEntities`). */
export const SERVER_JOB_IDS = ["entities.server_id", "entities.nic_id"] as const;

/**
 * ECS "Querying Job Execution Status": `GET /v1/{project_id}/jobs/{job_id}` (Node SDK `ecs/v2`
 * `EcsClient.showJob`, model `ShowJobResponse`). Status `INIT`/`RUNNING` → `SUCCESS`/`FAIL`; the API
 * reference adds `PENDING_PAYMENT` (a yearly/monthly order not paid yet: running, it waits for a
 * person). Failures carry `error_code`/`fail_reason`, each sub-job its own and
 * `entities.errorcode_message`. A server creation job lists one sub-job per server under
 * `entities.sub_jobs[]`, each with `entities.server_id` (what Huawei's Terraform provider takes as
 * the server ID). Times look like `2016-04-25T20:04:47.591Z`; no progress.
 */
export const ecs = defineService({
    kind: "ecs",
    title: "ECS job",
    endpointService: "ecs",
    pathTemplate: "/v1/{project_id}/jobs/{job_id}",
    progressScale: "percent",
    fields: {
        ...FLAT_JOB_FIELDS,
        resourceIds: SERVER_JOB_IDS,
        subJobs: {
            ...FLAT_SUB_JOB_FIELDS,
            list: "entities.sub_jobs[]",
            failedDetail: ["fail_reason", "entities.errorcode_message"],
            resourceIds: SERVER_JOB_IDS,
        },
    },
    states: {
        ...FLAT_JOB_STATES,
        running: [...FLAT_JOB_STATES.running, "PENDING_PAYMENT"],
    },
});
