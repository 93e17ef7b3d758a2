import { defineService } from "./defineService";
import { FLAT_JOB_FIELDS, FLAT_JOB_STATES, FLAT_SUB_JOB_FIELDS } from "./jobShapes";

/**
 * VPC/EIP "Querying Job Status" of batch EIP operations: `GET /v1/{project_id}/jobs/{job_id}` on
 * the `vpc` endpoint (Node SDK `eip/v2` `EipClient.showResourcesJobDetail`, model
 * `ShowResourcesJobDetailResponse`; region table `EipRegion.ts`). `status` is a plain string in the
 * SDK and the example sends `SUCCESS`: the ECS table (`INIT`/`RUNNING` → `SUCCESS`/`FAIL`) is assumed,
 * anything else is running and flagged. Sub-jobs (`entities.sub_jobs[]`) have the parent's shape;
 * no resource ID field is documented. Times `2022-12-05T08:10:19.951Z`.
 */
export const eip = defineService({
    kind: "eip",
    title: "EIP batch job",
    endpointService: "vpc",
    pathTemplate: "/v1/{project_id}/jobs/{job_id}",
    progressScale: "percent",
    fields: {
        ...FLAT_JOB_FIELDS,
        subJobs: { ...FLAT_SUB_JOB_FIELDS, list: "entities.sub_jobs[]" },
    },
    states: FLAT_JOB_STATES,
});
