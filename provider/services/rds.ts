import { defineService } from "./defineService";
import { RDS_FAMILY_FIELDS, RDS_FAMILY_PATH, RDS_FAMILY_STATES } from "./jobShapes";

/**
 * RDS "Obtaining Information About a Task with a Specified ID": `GET /v3/{project_id}/jobs?id={job_id}`
 * (Node SDK `rds/v3` `RdsClient.listJobInfo`, model `GetJobInfoResponseBodyJob`). `job.status`
 * `Running` → `Completed`/`Failed`; `job.process` is `"60%"` while running, `""` otherwise; times
 * `yyyy-mm-ddThh:mm:ss+0800`; `job.fail_reason`; `job.instance` and `job.entities.resource_ids[]`.
 */
export const rds = defineService({
    kind: "rds",
    title: "RDS task",
    endpointService: "rds",
    pathTemplate: RDS_FAMILY_PATH,
    progressScale: "percent",
    fields: {
        ...RDS_FAMILY_FIELDS,
        progress: "job.process",
        resourceIds: [...RDS_FAMILY_FIELDS.resourceIds, "job.entities.resource_ids[]"],
    },
    states: RDS_FAMILY_STATES,
});
