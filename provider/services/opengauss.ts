import { defineService } from "./defineService";
import { RDS_FAMILY_FIELDS, RDS_FAMILY_PATH, RDS_FAMILY_STATES } from "./jobShapes";

/**
 * GaussDB (openGauss) "Obtaining Information About a Task with a Specified ID":
 * `GET /v3/{project_id}/jobs?id={job_id}` (Node SDK `gaussdbforopengauss/v3`
 * `GaussDBforopenGaussClient.showJobDetail`, model `JobDetail`). The DDS-like body with
 * `job.progress`; `job.status` is a plain string in the SDK, `Running` → `Completed` as Huawei's
 * Terraform provider waits on it, `Failed` as the rest of the family. The endpoint prefix is
 * `gaussdb-opengauss`, or `gaussdb` in some regions (see `provider/http/regions.ts`).
 */
export const opengauss = defineService({
    kind: "opengauss",
    title: "GaussDB (openGauss) task",
    endpointService: "gaussdb-opengauss",
    pathTemplate: RDS_FAMILY_PATH,
    progressScale: "percent",
    fields: { ...RDS_FAMILY_FIELDS, progress: "job.progress" },
    states: RDS_FAMILY_STATES,
});
