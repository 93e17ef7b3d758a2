/**
 * The new service kinds, read from their documented example responses (API reference pages and
 * the official SDK models, as cited in each spec), plus the batch and sub-job rules.
 */
import { expect } from "chai";
import { buildJobPath, getService } from "../../../provider/services";
import { MAX_NAMED_SUB_JOB_FAILURES, MAX_FAILURE_PART_TEXT } from "../../../provider/services/defineService";
import { JobStatus } from "../../../provider/services/types";
import { MAX_SERVER_TEXT, serverTextFilter } from "../../../provider/serverText";

/** No secrets held: the filter still strips control characters and bounds length. */
const safeText = serverTextFilter([]);

/** ECS "Querying Job Execution Status" example (ecs_02_0901): one server created. */
const ECS_CREATE = {
    status: "SUCCESS",
    entities: {
        sub_jobs_total: 1,
        sub_jobs: [
            {
                status: "SUCCESS",
                entities: { server_id: "bae51750-0089-41a1-9b18-5c777978ecb6" },
                job_id: "2c9eb2c1525a93c601525a93d8ef0003",
                job_type: "createSingleServer",
                begin_time: "2016-04-25T20:04:34.604Z",
                end_time: "2016-04-25T20:08:41.593Z",
                error_code: null,
                fail_reason: null,
            },
        ],
    },
    job_id: "2c9eb2c1525a93c601525a93d8ef0002",
    job_type: "createServer",
    begin_time: "2016-04-25T20:04:34.604Z",
    end_time: "2016-04-25T20:08:47.591Z",
    error_code: null,
    fail_reason: null,
};

/** An ECS batch of three in which one server failed. */
const ECS_BATCH_PARTLY_FAILED = {
    status: "FAIL",
    job_id: "ff80808288d41e1b018990260955686a",
    job_type: "createServer",
    error_code: "Ecs.0000",
    fail_reason: "some sub-jobs failed",
    entities: {
        sub_jobs_total: 3,
        sub_jobs: [
            { status: "SUCCESS", job_id: "s1", job_type: "createSingleServer", entities: { server_id: "srv-1" } },
            { status: "FAIL", job_id: "s2", job_type: "createSingleServer", error_code: "Ecs.0111", fail_reason: "insufficient quota", entities: {} },
            { status: "SUCCESS", job_id: "s3", job_type: "createSingleServer", entities: { server_id: "srv-3" } },
        ],
    },
};

/** CCE "Reading Job Progress" (cce_02_0247) shape: a cluster creation job with sub-jobs, Go time strings. */
const CCE_CLUSTER = {
    kind: "Job",
    apiVersion: "v3",
    metadata: {
        uid: "73ce052c-8b1b-11ea-a4ac-0255ac100b07",
        creationTimestamp: "2020-02-02 08:12:40.672772389 +0000 UTC",
        updateTimestamp: "2020-02-02 08:19:20.0 +0000 UTC",
    },
    spec: {
        type: "CreateCluster",
        clusterUID: "73ce052c-8b1b-11ea-a4ac-0255ac100b08",
        resourceID: "73ce052c-8b1b-11ea-a4ac-0255ac100b08",
        resourceName: "cluster-test",
        subJobs: [
            { metadata: { uid: "sub-1" }, spec: { type: "PreCheckCluster", resourceID: "73ce052c-8b1b-11ea-a4ac-0255ac100b08" }, status: { phase: "Success" } },
            {
                metadata: { uid: "sub-2" },
                spec: { type: "CreateNode", resourceID: "node-1", subJobs: [{ spec: { type: "InstallNode", resourceID: "node-1a" } }] },
                status: { phase: "Failed", reason: "quota exceeded" },
            },
        ],
    },
    status: { phase: "Failed", reason: "sub-job CreateNode failed" },
};

/** RDS "Obtaining Information About a Task with a Specified ID" example. */
const RDS_TASK = {
    job: {
        id: "a9767aaa-4291-4d8c-bbbd-7b8e2f7bcb0c",
        name: "CreateMysqlInstance",
        status: "Running",
        created: "2018-08-06T10:41:14+0800",
        ended: "",
        process: "60%",
        instance: { id: "a48e43ff268f4c0e879652d65e63d0fbin01", name: "rds-instance" },
        entities: { resource_ids: ["a48e43ff268f4c0e879652d65e63d0fbin01", "vol-1"] },
        fail_reason: "",
    },
};

const cases: { name: string; kind: string; body: unknown; expected: Partial<JobStatus> }[] = [
    {
        name: "ECS server creation: the server ID of the sub-job is a resource ID",
        kind: "ecs",
        body: ECS_CREATE,
        expected: {
            state: "succeeded",
            jobName: "createServer",
            beginTime: "2016-04-25T20:04:34.604Z",
            endTime: "2016-04-25T20:08:47.591Z",
            resourceIds: ["bae51750-0089-41a1-9b18-5c777978ecb6"],
            subJobs: [
                {
                    jobId: "2c9eb2c1525a93c601525a93d8ef0003",
                    jobType: "createSingleServer",
                    state: "succeeded",
                    status: "SUCCESS",
                    statusRecognised: true,
                    resourceIds: ["bae51750-0089-41a1-9b18-5c777978ecb6"],
                },
            ],
        },
    },
    {
        name: "ECS batch with a failed sub-job: the error names the sub-job and why",
        kind: "ecs",
        body: ECS_BATCH_PARTLY_FAILED,
        expected: {
            state: "failed",
            failedCode: "Ecs.0000",
            failedDetail: "some sub-jobs failed; sub-job s2 (createSingleServer) FAIL: Ecs.0111: insufficient quota",
            resourceIds: ["srv-1", "srv-3"],
        },
    },
    {
        name: "EVS single volume: entities.volume_id",
        kind: "evs",
        body: { status: "RUNNING", job_id: "j", job_type: "createVolume", entities: { volume_id: "vol-9", size: 10 } },
        expected: { state: "running", statusRecognised: true, resourceIds: ["vol-9"] },
    },
    {
        name: "EVS WAITING_EXECUTE (Chinese API reference) is running, recognised",
        kind: "evs",
        body: { status: "WAITING_EXECUTE" },
        expected: { state: "running", statusRecognised: true },
    },
    {
        name: "IMS progress 0.24 is 24 %, the image ID is a resource ID",
        kind: "ims",
        body: { status: "RUNNING", job_id: "j", job_type: "createImageByInstance", entities: { process_percent: 0.24, image_id: "img-1" } },
        expected: { state: "running", progress: 24, resourceIds: ["img-1"] },
    },
    {
        name: "IMS failure text inside entities when the top level has none",
        kind: "ims",
        body: { status: "FAIL", entities: { error_code: "IMS.0100", error: "image file is damaged" } },
        expected: { state: "failed", failedCode: "IMS.0100", failedDetail: "image file is damaged" },
    },
    {
        name: "CCE failed cluster job: Go times, status.reason, the failed sub-job named",
        kind: "cce",
        body: CCE_CLUSTER,
        expected: {
            state: "failed",
            status: "Failed",
            jobName: "CreateCluster",
            beginTime: "2020-02-02T08:12:40.672Z",
            endTime: "2020-02-02T08:19:20.000Z",
            failedDetail: "sub-job CreateNode failed; sub-job sub-2 (CreateNode) Failed: quota exceeded",
            resourceIds: ["73ce052c-8b1b-11ea-a4ac-0255ac100b08", "node-1", "node-1a"],
        },
    },
    {
        name: "RDS running task at 60 %, +0800 time, instance and resource IDs",
        kind: "rds",
        body: RDS_TASK,
        expected: {
            state: "running",
            progress: 60,
            beginTime: "2018-08-06T02:41:14.000Z",
            instance: { id: "a48e43ff268f4c0e879652d65e63d0fbin01", name: "rds-instance" },
            resourceIds: ["a48e43ff268f4c0e879652d65e63d0fbin01", "vol-1"],
        },
    },
    {
        name: "TaurusDB Pending (a delayed task) is running",
        kind: "taurusdb",
        body: { job: { status: "Pending", process: "" } },
        expected: { state: "running", statusRecognised: true },
    },
    {
        name: "DDS failed task: job.fail_reason, job.progress",
        kind: "dds",
        body: { job: { status: "Failed", progress: "30%", fail_reason: "disk full" } },
        expected: { state: "failed", progress: 30, failedDetail: "disk full" },
    },
    {
        name: "openGauss completed task",
        kind: "opengauss",
        body: { job: { status: "Completed", progress: "100%", instance: { id: "og-1", name: "og" } } },
        expected: { state: "succeeded", resourceIds: ["og-1"] },
    },
    {
        name: "DCS epoch-millisecond strings",
        kind: "dcs",
        body: { job_id: "j", job_type: "masterStandbySwapJob", status: "SUCCESS", begin_time: "1684191545379", end_time: "1684191565379" },
        expected: { state: "succeeded", jobName: "masterStandbySwapJob", beginTime: "2023-05-15T22:59:05.379Z", endTime: "2023-05-15T22:59:25.379Z" },
    },
    {
        name: "ELB ROLLBACKING is running; resource IDs of the job and its sub-jobs",
        kind: "elb",
        body: {
            job: {
                status: "ROLLBACKING",
                resource_id: "lb-1",
                sub_jobs: [{ status: "FAIL", resource_id: "lsn-1", entities: [{ resource_id: "pool-1", resource_type: "pool" }] }],
            },
            request_id: "r",
        },
        expected: { state: "running", statusRecognised: true, resourceIds: ["lb-1", "lsn-1", "pool-1"] },
    },
    {
        name: "ELB CANCEL is a failure with job.error_msg",
        kind: "elb",
        body: { job: { status: "CANCEL", error_code: "ELB.1", error_msg: "cancelled by user" } },
        expected: { state: "failed", failedCode: "ELB.1", failedDetail: "cancelled by user" },
    },
    {
        name: "CBR timeout is a failure",
        kind: "cbr",
        body: { operation_log: { status: "timeout", operation_type: "backup", error_info: { code: "BackupService.6302", message: "backup timed out" } } },
        expected: { state: "failed", jobName: "backup", failedCode: "BackupService.6302", failedDetail: "backup timed out" },
    },
    {
        name: "CBR skipped is a failure too (chosen: nothing to chain on)",
        kind: "cbr",
        body: { operation_log: { status: "skipped", operation_type: "backup" } },
        expected: { state: "failed", jobName: "backup", statusRecognised: true },
    },
    {
        name: "CBR success: the checkpoint is the resource ID",
        kind: "cbr",
        body: { operation_log: { status: "success", checkpoint_id: "ckpt-1", started_at: "2020-02-23T01:00:32Z" } },
        expected: { state: "succeeded", resourceIds: ["ckpt-1"], beginTime: "2020-02-23T01:00:32.000Z" },
    },
    {
        name: "SFS Turbo lower-case statuses and zone-less times",
        kind: "sfsturbo",
        body: { status: "waiting", job_id: "j", begin_time: "2016-01-02 15:04:05", sub_jobs: [{ status: "running", job_id: "s" }] },
        expected: { state: "running", statusRecognised: true, beginTime: "2016-01-02T15:04:05.000Z" },
    },
    {
        name: "DMS background task tasks[0].status",
        kind: "dms",
        body: { task_count: "1", tasks: [{ id: "t", name: "modifySpec", status: "CANCELLED", created_at: "1684191545379" }] },
        expected: { state: "failed", jobName: "modifySpec", beginTime: "2023-05-15T22:59:05.379Z" },
    },
    {
        name: "BMS sub-jobs carry server and NIC IDs",
        kind: "bms",
        body: { status: "SUCCESS", entities: { sub_jobs: [{ status: "SUCCESS", entities: { server_id: "bm-1", nic_id: "nic-1" } }] } },
        expected: { state: "succeeded", resourceIds: ["bm-1", "nic-1"] },
    },
    {
        name: "EIP batch: an unknown status is running and flagged",
        kind: "eip",
        body: { status: "PARTIAL", entities: { sub_jobs: [] } },
        expected: { state: "running", statusRecognised: false },
    },
    {
        name: "DWS STOP is terminal: failed",
        kind: "dws",
        body: { status: "STOP" },
        expected: { state: "failed", statusRecognised: true },
    },
];

describe("services: the new kinds read their documented examples", () => {
    for (const c of cases) {
        it(`${c.kind}: ${c.name}`, () => {
            const status = getService(c.kind).parse(c.body, "job-1", safeText);
            expect(status).to.deep.include(c.expected);
            expect(status.service).to.equal(c.kind);
        });
    }

    it("DWS DELAY_SCHEDULED is running and recognised", () => {
        expect(getService("dws").parse({ status: "DELAY_SCHEDULED" }, "j", safeText)).to.deep.include({ state: "running", statusRecognised: true });
    });

    it("a batch the parent calls a success is failed when a sub-job failed", () => {
        const body = { ...ECS_CREATE, entities: { sub_jobs: [...ECS_CREATE.entities.sub_jobs, { status: "FAIL", job_id: "x", fail_reason: "no capacity" }] } };
        const s = getService("ecs").parse(body, "j", safeText);
        expect(s).to.deep.include({ state: "failed", status: "SUCCESS", statusRecognised: true, failedDetail: "sub-job x FAIL: no capacity" });
    });

    it("names at most MAX_NAMED_SUB_JOB_FAILURES failed sub-jobs and counts the rest", () => {
        const failed = Array.from({ length: MAX_NAMED_SUB_JOB_FAILURES + 3 }, (_, i) => ({
            status: "FAIL",
            job_id: `s${i}`,
            entities: { errorcode_message: "boom" },
        }));
        const s = getService("ecs").parse({ status: "FAIL", entities: { sub_jobs: failed } }, "j", safeText);
        expect(s.failedDetail!.match(/sub-job s\d+ FAIL: boom/g)).to.have.length(MAX_NAMED_SUB_JOB_FAILURES);
        expect(s.failedDetail).to.match(/; 3 more failed sub-job\(s\)$/);
        expect(s.failedCode).to.equal(undefined);
    });

    it("long sub-job failures are named only as far as they fit: the count of the rest survives the length cut", () => {
        const reason = "the flavor is sold out in this availability zone, choose another flavor or zone ".repeat(3);
        const failed = Array.from({ length: 12 }, (_, i) => ({ status: "FAIL", job_id: `s${i}`, error_code: "Ecs.0000", fail_reason: reason }));
        const s = getService("ecs").parse({ status: "FAIL", fail_reason: "x".repeat(400), entities: { sub_jobs: failed } }, "j", safeText);
        const detail = s.failedDetail!;
        expect(detail.length).to.be.at.most(MAX_SERVER_TEXT);
        expect(detail).to.not.match(/…$/);
        const named = detail.match(/sub-job s\d+ FAIL: Ecs\.0000: the flavor/g) ?? [];
        expect(named.length).to.be.within(1, MAX_NAMED_SUB_JOB_FAILURES);
        expect(detail).to.match(new RegExp(`; ${12 - named.length} more failed sub-job\\(s\\)$`));
        for (const part of detail.split("; ").slice(0, -1)) expect(part.length).to.be.at.most(MAX_FAILURE_PART_TEXT);
    });

    it("a sub-job without a status, or not an object, is running and flagged, never dropped silently", () => {
        const s = getService("ecs").parse({ status: "RUNNING", entities: { sub_jobs: [{ job_id: "a" }, "junk", null] } }, "j", safeText);
        expect(s.subJobs).to.deep.equal([
            { jobId: "a", state: "running", status: "", statusRecognised: false },
            { state: "running", status: "", statusRecognised: false },
        ]);
    });
});

describe("services: job IDs in the query", () => {
    for (const kind of ["rds", "dds", "taurusdb", "opengauss"]) {
        it(`${kind} sends the job ID as ?id=, encoded as one query value`, () => {
            expect(buildJobPath(getService(kind), { projectId: "p1", jobId: "j1" })).to.equal("/v3/p1/jobs?id=j1");
            const hostile = buildJobPath(getService(kind), { projectId: "p1", jobId: "a&b=c#d" });
            const url = new URL(hostile, "https://rds.example.com");
            expect([...url.searchParams.keys()]).to.deep.equal(["id"]);
            expect(url.searchParams.get("id")).to.equal("a&b=c#d");
            expect(url.hash).to.equal("");
        });
    }

    it("IMS has no project in the path; DMS needs the instance", () => {
        expect(buildJobPath(getService("ims"), { projectId: "p1", jobId: "j1" })).to.equal("/v1/cloudimages/job/j1");
        expect(getService("dms").requiredIds).to.deep.equal(["projectId", "instanceId"]);
        expect(buildJobPath(getService("dms"), { projectId: "p", instanceId: "i", jobId: "t" })).to.equal("/v2/p/instances/i/tasks/t");
    });
});
