import { defineService } from "./defineService";
import { FLAT_JOB_FIELDS, FLAT_JOB_STATES, FLAT_SUB_JOB_FIELDS } from "./jobShapes";

/** Where a volume job puts the volume ID, in the job and in each sub-job (EVS `JobEntities`, `SubJobEntities`). */
const VOLUME_IDS = ["entities.volume_id"] as const;

/**
 * EVS "Querying Job Status": `GET /v1/{project_id}/jobs/{job_id}` (Node SDK `evs/v2`
 * `EvsClient.showJob`, model `ShowJobResponse`). Status `INIT`/`RUNNING` → `SUCCESS`/`FAIL`; the
 * Chinese API reference (2025-11-11) adds `WAITING_EXECUTE` and `LISTENING`, both still running.
 * A single-volume job carries `entities.volume_id`; a batch carries `entities.sub_jobs[]` instead,
 * each with its `entities.volume_id`. `error_code`/`fail_reason`; times `…T….SSSZ`; no progress.
 */
export const evs = defineService({
    kind: "evs",
    title: "EVS job",
    endpointService: "evs",
    pathTemplate: "/v1/{project_id}/jobs/{job_id}",
    progressScale: "percent",
    fields: {
        ...FLAT_JOB_FIELDS,
        resourceIds: VOLUME_IDS,
        subJobs: { ...FLAT_SUB_JOB_FIELDS, list: "entities.sub_jobs[]", resourceIds: VOLUME_IDS },
    },
    states: {
        ...FLAT_JOB_STATES,
        running: [...FLAT_JOB_STATES.running, "WAITING_EXECUTE", "LISTENING"],
    },
});
