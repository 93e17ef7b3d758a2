import { defineService } from "./defineService";

/**
 * DDM "Obtaining Information About a Task": `GET /v3/{project_id}/jobs/{job_id}`.
 * Body `{ job: { id, name, status, created_time, end_time, process, instance } }`; status
 * `Running`, `Completed` or `Failed` (a failed DDM job carries no reason in the body);
 * `process` is `"60%"` while running and `""` otherwise; times look like `2018-08-06T10:41:14+0000`.
 */
export const ddm = defineService({
    kind: "ddm",
    title: "DDM task",
    endpointService: "ddm",
    pathTemplate: "/v3/{project_id}/jobs/{job_id}",
    progressScale: "percent",
    fields: {
        status: "job.status",
        jobName: "job.name",
        progress: "job.process",
        beginTime: "job.created_time",
        endTime: "job.end_time",
        instance: "job.instance",
    },
    states: {
        running: ["Running"],
        succeeded: ["Completed"],
        failed: ["Failed"],
    },
});
