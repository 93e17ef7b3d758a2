import { defineService } from "./defineService";
import { RDS_FAMILY_FIELDS, RDS_FAMILY_PATH, RDS_FAMILY_STATES } from "./jobShapes";

/**
 * GaussDB for MySQL (TaurusDB) "Obtaining Information About a Task with a Specified ID":
 * `GET /v3/{project_id}/jobs?id={job_id}` (Node SDK `gaussdb/v3` `GaussDBClient.showGaussMySqlJobInfo`,
 * model `GetJobInfoDetail`). The RDS-family body; `job.status` adds `Pending` (a delayed task not run
 * yet: running) to `Running` → `Completed`/`Failed`; `job.process` `"60%"`. The endpoint prefix is
 * `gaussdb`, `gaussdbformysql` or `gaussdb-mysql` depending on the region (see `provider/http/regions.ts`).
 */
export const taurusdb = defineService({
    kind: "taurusdb",
    title: "TaurusDB task",
    endpointService: "gaussdb",
    pathTemplate: RDS_FAMILY_PATH,
    progressScale: "percent",
    fields: { ...RDS_FAMILY_FIELDS, progress: "job.process" },
    states: { ...RDS_FAMILY_STATES, running: ["Pending", ...RDS_FAMILY_STATES.running] },
});
