/**
 * Oracle tests against the official Node.js SDK packages (devDependencies only, never loaded at
 * run time): for every kind whose SDK package is on the npm registry, the request path is the
 * SDK's, every field path the spec reads exists in the SDK's response model, the status values
 * the SDK enumerates are all known to the spec, and the endpoint of every region of the SDK's
 * region table is the one `serviceEndpoint` builds.
 *
 * Of the packages the specs cite, only `-ecs`, `-cce` and `-kafka` (DMS) are published on the
 * registry this project installs from; the other kinds cite their SDK models in their spec and are
 * checked against documented examples in kinds.test.ts.
 */
import { expect } from "chai";
import { ParamCreater as CceParams } from "@huaweicloud/huaweicloud-sdk-cce/v3/CceClient";
import { CceRegion } from "@huaweicloud/huaweicloud-sdk-cce/v3/CceRegion";
import * as cceModels from "@huaweicloud/huaweicloud-sdk-cce/v3/public-api";
import { ParamCreater as EcsParams } from "@huaweicloud/huaweicloud-sdk-ecs/v2/EcsClient";
import { EcsRegion } from "@huaweicloud/huaweicloud-sdk-ecs/v2/EcsRegion";
import * as ecsModels from "@huaweicloud/huaweicloud-sdk-ecs/v2/public-api";
import { ParamCreater as KafkaParams } from "@huaweicloud/huaweicloud-sdk-kafka/v2/KafkaClient";
import { KafkaRegion } from "@huaweicloud/huaweicloud-sdk-kafka/v2/KafkaRegion";
import * as kafkaModels from "@huaweicloud/huaweicloud-sdk-kafka/v2/public-api";
import { serviceEndpoint } from "../../../provider/http/endpoint";
import { getService } from "../../../provider/services";
import type { PathChoice } from "../../../provider/services/defineService";
import { readAll } from "../../../provider/services/fields";
import type { ServiceAdapter } from "../../../provider/services/types";

/** An SDK model class and the model classes of its nested properties (by wire name). */
interface ModelTree {
    model: new () => object;
    nested?: Record<string, ModelTree & { array?: boolean }>;
}

const SENTINEL = "sdk-oracle";

/**
 * A wire-format body in which every property of the SDK model is set: every `withX` setter is
 * called, nested models are filled the same way, and JSON serialisation gives the wire names the
 * SDK's own (de)serialisation uses (`this['begin_time'] = ...`).
 */
function fullBody(tree: ModelTree): Record<string, unknown> {
    const instance = new tree.model() as Record<string, unknown>;
    let proto = Object.getPrototypeOf(instance);
    while (proto && proto !== Object.prototype) {
        for (const name of Object.getOwnPropertyNames(proto)) {
            if (/^with[A-Z]/.test(name) && typeof instance[name] === "function") (instance[name] as (v: unknown) => void).call(instance, SENTINEL);
        }
        proto = Object.getPrototypeOf(proto);
    }
    const body = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
    for (const [key, sub] of Object.entries(tree.nested ?? {})) {
        expect(body, `the SDK model ${tree.model.name} has a property "${key}"`).to.have.property(key);
        body[key] = sub.array ? [fullBody(sub)] : fullBody(sub);
    }
    return body;
}

function paths(choice: PathChoice | readonly string[] | undefined): string[] {
    return choice === undefined ? [] : typeof choice === "string" ? [choice] : [...choice];
}

/** Every field path of a spec, the sub-job ones relative to one sub-job. */
function specPaths(adapter: ServiceAdapter): { top: string[]; sub: string[]; list?: string } {
    const { subJobs, failureReasons, ...fields } = adapter.spec.fields;
    const top = Object.values(fields).flatMap((v) => paths(v as PathChoice));
    const sub = subJobs
        ? [subJobs.status, subJobs.jobId, subJobs.jobType, ...paths(subJobs.failedCode), ...paths(subJobs.failedDetail), ...paths(subJobs.resourceIds)].filter(
              (p): p is string => p !== undefined,
          )
        : [];
    return { top: [...top, ...paths(failureReasons)], sub, list: subJobs?.list };
}

interface OracleCase {
    kind: string;
    response: ModelTree;
    /** The SDK client's request options for this job (its `url`). */
    request: () => { url: string };
    /** Status enums the SDK declares for the job and for its sub-jobs. */
    statusEnums: object[];
    /** Statuses the spec knows beyond the SDK enums, each with the source that names it. */
    beyondSdk: Record<string, string>;
    region: { table: object; prefix: string };
}

const SUB_JOB_TREE: ModelTree & { array: boolean } = { model: ecsModels.SubJob, array: true, nested: { entities: { model: ecsModels.SubJobEntities } } };
const CCE_JOB: ModelTree = { model: cceModels.Job, nested: { metadata: { model: cceModels.JobMetadata }, status: { model: cceModels.JobStatus } } };

const CASES: OracleCase[] = [
    {
        kind: "ecs",
        response: { model: ecsModels.ShowJobResponse, nested: { entities: { model: ecsModels.JobEntities, nested: { sub_jobs: SUB_JOB_TREE } } } },
        request: () => EcsParams().showJob({ job_id: "j" } as never),
        statusEnums: [ecsModels.ShowJobResponseStatusEnum, ecsModels.SubJobStatusEnum],
        beyondSdk: { PENDING_PAYMENT: "ECS API reference ecs_02_0901 (2024-12-19, 2025-12-29)" },
        region: { table: EcsRegion, prefix: "ecs" },
    },
    {
        kind: "cce",
        // ShowJobResponse of this (ES5-compiled) package cannot be constructed on core 3.1.211; its
        // properties are those of Job (kind, apiVersion, metadata, spec, status), which is built instead.
        response: {
            model: cceModels.Job,
            nested: {
                metadata: { model: cceModels.JobMetadata },
                status: { model: cceModels.JobStatus },
                spec: {
                    model: cceModels.JobSpec,
                    nested: {
                        subJobs: {
                            ...CCE_JOB,
                            array: true,
                            nested: {
                                ...CCE_JOB.nested,
                                spec: {
                                    model: cceModels.JobSpec,
                                    nested: { subJobs: { ...CCE_JOB, array: true, nested: { ...CCE_JOB.nested, spec: { model: cceModels.JobSpec } } } },
                                },
                            },
                        },
                    },
                },
            },
        },
        request: () => CceParams().showJob({ job_id: "j" } as never),
        statusEnums: [],
        beyondSdk: {
            Initializing: "GoSDK services/cce/v3/model/model_job_status.go",
            Running: "GoSDK services/cce/v3/model/model_job_status.go",
            Success: "GoSDK services/cce/v3/model/model_job_status.go",
            Failed: "GoSDK services/cce/v3/model/model_job_status.go",
        },
        region: { table: CceRegion, prefix: "cce" },
    },
    {
        kind: "dms",
        response: { model: kafkaModels.ShowBackgroundTaskResponse, nested: { tasks: { model: kafkaModels.ListBackgroundTasksRespTasks, array: true } } },
        request: () => KafkaParams().showBackgroundTask({ instance_id: "i", task_id: "j" } as never),
        statusEnums: [],
        beyondSdk: Object.fromEntries(
            ["CREATED", "EXECUTING", "SUCCESS", "FAILED", "DELETED", "CANCELLED"].map((s) => [
                s,
                "GoSDK services/kafka/v2/model/model_list_background_tasks_resp_tasks.go",
            ]),
        ),
        region: { table: KafkaRegion, prefix: "dms" },
    },
];

describe("services: oracle tests against the official Node SDK models", () => {
    for (const c of CASES) {
        describe(`${c.kind} (${c.response.model.name})`, () => {
            const adapter = getService(c.kind);

            it("requests the SDK's path", () => {
                const url = c.request().url.replace(/\{task_id\}|\{operation_log_id\}/, "{job_id}");
                expect(adapter.pathTemplate).to.equal(url);
            });

            it("reads only fields the SDK model has", () => {
                const body = fullBody(c.response);
                const { top, sub, list } = specPaths(adapter);
                for (const path of top) expect(readAll(body, path), `${c.kind} reads "${path}"`).to.not.be.empty;
                if (list) {
                    const subJobs = readAll(body, list);
                    expect(subJobs, `${c.kind} sub-jobs at "${list}"`).to.not.be.empty;
                    for (const path of sub) expect(readAll(subJobs[0], path), `${c.kind} sub-job reads "${path}"`).to.not.be.empty;
                }
            });

            const statusTitle =
                c.statusEnums.length > 0
                    ? "knows every status the SDK enumerates, and cites a source for every other one"
                    : "the SDK model enumerates no status: every status the spec knows cites a source (the Go SDK's model)";
            it(statusTitle, () => {
                const sdk = c.statusEnums.flatMap((e) => Object.values(e) as string[]);
                const known = Object.values(adapter.states).flat();
                for (const status of sdk) expect(known, `${c.kind} status ${status}`).to.include(status.toUpperCase());
                const extra = known.filter((s) => !sdk.map((v) => v.toUpperCase()).includes(s));
                expect(extra.sort()).to.deep.equal(
                    Object.keys(c.beyondSdk)
                        .map((s) => s.toUpperCase())
                        .sort(),
                );
            });

            it("builds the endpoint of every region of the SDK's region table", () => {
                const regions = Object.values(c.region.table).filter(
                    (v): v is { id: string; endpoints: string[] } => typeof v?.id === "string" && Array.isArray(v?.endpoints),
                );
                expect(regions.length).to.be.greaterThan(10);
                for (const region of regions) {
                    expect(serviceEndpoint(adapter.endpointService, region.id), region.id).to.equal(region.endpoints[0]);
                }
            });
        });
    }
});
