import { defineService } from "./defineService";
import { FLAT_JOB_FIELDS, FLAT_JOB_STATES, FLAT_SUB_JOB_FIELDS } from "./jobShapes";

/**
 * IMS "Querying the Progress of an Asynchronous Job": `GET /v1/cloudimages/job/{job_id}` (Node SDK
 * `ims/v2` `ImsClient.showJobProgress`, model `ShowJobProgressResponse`; the project comes from
 * `X-Project-Id`; the older `/v1/{project_id}/jobs/{job_id}` is deprecated). Status `INIT`/`RUNNING`
 * → `SUCCESS`/`FAIL`. `entities.process_percent` is a number whose only documented example is
 * `0.24`: read as a fraction of 1 (0.24 = 24 %; a value above 1 can only be a percentage). Failures:
 * `error_code`/`fail_reason`, else `entities.error_code`/`entities.error`. Output:
 * `entities.image_id`, and per sub-job (`entities.sub_jobs_result[]`) `entities.image_id`.
 */
export const ims = defineService({
    kind: "ims",
    title: "IMS asynchronous job",
    endpointService: "ims",
    pathTemplate: "/v1/cloudimages/job/{job_id}",
    progressScale: "fraction",
    fields: {
        ...FLAT_JOB_FIELDS,
        progress: "entities.process_percent",
        failedCode: ["error_code", "entities.error_code"],
        failedDetail: ["fail_reason", "entities.error"],
        resourceIds: ["entities.image_id"],
        subJobs: { ...FLAT_SUB_JOB_FIELDS, list: "entities.sub_jobs_result[]", resourceIds: ["entities.image_id"] },
    },
    states: FLAT_JOB_STATES,
});
