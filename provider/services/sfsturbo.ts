import { defineService } from "./defineService";
import { FLAT_JOB_FIELDS, FLAT_SUB_JOB_FIELDS } from "./jobShapes";

/**
 * SFS Turbo "Querying Job Details": `GET /v1/{project_id}/sfs-turbo/jobs/{job_id}` (Node SDK
 * `sfsturbo/v1` `SFSTurboClient.showJobDetail`, model `ShowJobDetailResponse`). The flat job shape
 * with lower-case statuses (`ShowJobDetailResponseStatusEnum`): `waiting`/`running` →
 * `success`/`failed`; sub-jobs at top-level `sub_jobs[]` (`GetSubJobDetail`); times
 * `2016-01-02 15:04:05` (UTC, no zone); no progress, no resource ID.
 */
export const sfsturbo = defineService({
    kind: "sfsturbo",
    title: "SFS Turbo job",
    endpointService: "sfs-turbo",
    pathTemplate: "/v1/{project_id}/sfs-turbo/jobs/{job_id}",
    progressScale: "percent",
    fields: {
        ...FLAT_JOB_FIELDS,
        subJobs: { ...FLAT_SUB_JOB_FIELDS, list: "sub_jobs[]" },
    },
    states: {
        running: ["waiting", "running"],
        succeeded: ["success"],
        failed: ["failed"],
    },
});
