import { defineService } from "./defineService";
import { RDS_FAMILY_FIELDS, RDS_FAMILY_PATH, RDS_FAMILY_STATES } from "./jobShapes";

/**
 * DDS "Obtaining Information About a Task with a Specified ID": `GET /v3/{project_id}/jobs?id={job_id}`
 * (Node SDK `dds/v3` `DdsClient.showJobDetail`, model `JobDetail`). The RDS-family body with
 * `job.progress` (not `process`; a string whose format no source shows: `"60%"` and `"60"` both read
 * as percent). `job.status` is a plain string in the SDK; the values `Running`, `Completed`, `Failed`
 * are those of golangsdk `openstack/dds/v3/jobs`.
 */
export const dds = defineService({
    kind: "dds",
    title: "DDS task",
    endpointService: "dds",
    pathTemplate: RDS_FAMILY_PATH,
    progressScale: "percent",
    fields: { ...RDS_FAMILY_FIELDS, progress: "job.progress" },
    states: RDS_FAMILY_STATES,
});
