import { defineService } from "./defineService";

/**
 * CBR "Querying a Task" (operation logs of backup, restore, replication...):
 * `GET /v3/{project_id}/operation-logs/{operation_log_id}` (Node SDK `cbr/v1` `CbrClient.showOpLog`,
 * models `ShowOpLogResponse`, `OperationLog`, `OpErrorInfo`). `operation_log.status`
 * (`OperationLogStatusEnum`, lower case): `waiting`/`running` → `success` / `failed`, `timeout`
 * (Huawei's Terraform provider stops on both), and `skipped`, which no source explains: a skipped
 * operation produced nothing to chain on, so it counts as a failure (`allowFailure` records it).
 * Failures `operation_log.error_info.{code,message}`; the resource ID is `operation_log.checkpoint_id`
 * (the backup a backup task made); times `2020-02-23T01:00:32Z`; no progress.
 */
export const cbr = defineService({
    kind: "cbr",
    title: "CBR task",
    endpointService: "cbr",
    pathTemplate: "/v3/{project_id}/operation-logs/{job_id}",
    progressScale: "percent",
    fields: {
        status: "operation_log.status",
        jobName: "operation_log.operation_type",
        beginTime: "operation_log.started_at",
        endTime: "operation_log.ended_at",
        failedCode: "operation_log.error_info.code",
        failedDetail: "operation_log.error_info.message",
        resourceIds: ["operation_log.checkpoint_id"],
    },
    states: {
        running: ["waiting", "running"],
        succeeded: ["success"],
        failed: ["failed", "timeout", "skipped"],
    },
});
