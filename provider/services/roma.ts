import { defineService } from "./defineService";

/**
 * ROMA Connect "Obtaining Job Progress" (asset import/export):
 * `GET /v2/{project_id}/instances/{instance_id}/assets/jobs/{job_id}`.
 * Status `RUNNING`/`SUCCEEDED`/`FAILED` (the example sends `Running`: compared case-insensitively);
 * `progress_percent` is a Float from 0 to 1 (`0.35` = 35 %); failure causes are the `reason`
 * array (`reasons` in some versions of the document), folded into one code and one detail;
 * `archive_id` names the package of an export job.
 */
export const roma = defineService({
    kind: "roma",
    title: "ROMA Connect asset job",
    endpointService: "roma",
    pathTemplate: "/v2/{project_id}/instances/{instance_id}/assets/jobs/{job_id}",
    progressScale: "fraction",
    fields: {
        status: "status",
        jobName: "type",
        progress: "progress_percent",
        beginTime: "begin_time",
        endTime: "end_time",
        failureReasons: ["reason", "reasons"],
        archiveId: "archive_id",
    },
    states: {
        running: ["RUNNING"],
        // SUCCESS, FINISHED: older ROMA pages (2022) say a finished job's status moves from Success to Finished.
        succeeded: ["SUCCEEDED", "SUCCESS", "FINISHED"],
        failed: ["FAILED"],
    },
});
