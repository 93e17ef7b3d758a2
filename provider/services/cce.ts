import { defineService } from "./defineService";

/** A CCE job's own resource ID (`JobSpec.resourceID`: the cluster, node or node pool it works on). */
const CCE_RESOURCE_IDS = ["spec.resourceID"] as const;

/**
 * CCE "Querying a Job" (cluster and node jobs): `GET /api/v3/projects/{project_id}/jobs/{job_id}`
 * (Node SDK `cce/v3` `CceClient.showJob`, models `ShowJobResponse`, `JobStatus`, `JobSpec`,
 * `JobMetadata`). Status object `status.phase`: `Initializing`/`Running` → `Success`/`Failed`
 * (GoSDK `model_job_status.go`), why in `status.reason`. Sub-jobs `spec.subJobs[]` are full jobs;
 * `spec.resourceID` of the job and of each sub-job (and of a sub-job's own sub-jobs, when the answer
 * nests them) are the resource IDs. Times are Go's `time.String()` form
 * (`2020-02-02 08:12:40.672772389 +0000 UTC`); no progress.
 */
export const cce = defineService({
    kind: "cce",
    title: "CCE job",
    endpointService: "cce",
    pathTemplate: "/api/v3/projects/{project_id}/jobs/{job_id}",
    progressScale: "percent",
    fields: {
        status: "status.phase",
        jobName: "spec.type",
        beginTime: "metadata.creationTimestamp",
        endTime: "metadata.updateTimestamp",
        failedDetail: "status.reason",
        resourceIds: CCE_RESOURCE_IDS,
        subJobs: {
            list: "spec.subJobs[]",
            status: "status.phase",
            jobId: "metadata.uid",
            jobType: "spec.type",
            failedDetail: "status.reason",
            resourceIds: [...CCE_RESOURCE_IDS, "spec.subJobs[].spec.resourceID"],
        },
    },
    states: {
        running: ["Initializing", "Running"],
        succeeded: ["Success"],
        failed: ["Failed"],
    },
});
