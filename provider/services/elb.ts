import { defineService } from "./defineService";

/**
 * ELB (v3) "Querying Job Details": `GET /v3/{project_id}/elb/jobs/{job_id}` (Node SDK `elb/v3`
 * `ElbClient.showJob`, models `ShowJobResponse`, `MainJob`, `SubJob`, `JobEntities`). `job.status`
 * (`MainJobStatusEnum`): `INIT`, `RUNNING`, `ROLLBACKING` (undoing a failed change: still running)
 * → `SUCCESS`, `COMPLETE` / `FAIL`, `ROLLBACK_FAIL`, `CANCEL` (meanings from the ListJobs page: a
 * cancelled job did not do its work). Failures `job.error_code`/`job.error_msg`, per sub-job the
 * same; resource IDs `job.resource_id`, per sub-job `resource_id` and `entities[].resource_id`.
 */
export const elb = defineService({
    kind: "elb",
    title: "ELB job",
    endpointService: "elb",
    pathTemplate: "/v3/{project_id}/elb/jobs/{job_id}",
    progressScale: "percent",
    fields: {
        status: "job.status",
        jobName: "job.job_type",
        beginTime: "job.begin_time",
        endTime: "job.end_time",
        failedCode: "job.error_code",
        failedDetail: "job.error_msg",
        resourceIds: ["job.resource_id"],
        subJobs: {
            list: "job.sub_jobs[]",
            status: "status",
            jobId: "job_id",
            jobType: "job_type",
            failedCode: "error_code",
            failedDetail: "error_msg",
            resourceIds: ["resource_id", "entities[].resource_id"],
        },
    },
    states: {
        running: ["INIT", "RUNNING", "ROLLBACKING"],
        succeeded: ["SUCCESS", "COMPLETE"],
        failed: ["FAIL", "ROLLBACK_FAIL", "CANCEL"],
    },
});
