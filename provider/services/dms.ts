import { defineService } from "./defineService";

/**
 * DMS for Kafka / RabbitMQ "Querying a Background Task": `GET /v2/{project_id}/instances/{instance_id}/tasks/{task_id}`
 * on the `dms` endpoint (Node SDK `kafka/v2` `KafkaClient.showBackgroundTask` and `rabbitmq/v2`
 * `RabbitMQClient.showBackgroundTask`, models `ShowBackgroundTaskResponse`,
 * `ListBackgroundTasksRespTasks`). Needs `instanceId`. The task is `tasks[0]`; its `status` (a plain
 * string in the SDK; values from GoSDK `model_list_background_tasks_resp_tasks.go`): `CREATED`/`EXECUTING`
 * → `SUCCESS` / `FAILED`, `DELETED`, `CANCELLED` (Huawei's Terraform provider fails on the first two;
 * a cancelled task did not run). No failure text, no progress, no resource ID.
 */
export const dms = defineService({
    kind: "dms",
    title: "DMS (Kafka/RabbitMQ) background task",
    endpointService: "dms",
    pathTemplate: "/v2/{project_id}/instances/{instance_id}/tasks/{job_id}",
    progressScale: "percent",
    fields: {
        status: "tasks[0].status",
        jobName: "tasks[0].name",
        beginTime: "tasks[0].created_at",
    },
    states: {
        running: ["CREATED", "EXECUTING"],
        succeeded: ["SUCCESS"],
        failed: ["FAILED", "DELETED", "CANCELLED"],
    },
});
