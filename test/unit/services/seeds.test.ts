/**
 * Every example response of the seed documents, read through the service adapters.
 * Bodies are copied verbatim from ../shared/seeds (DWS English and Chinese share the body).
 */
import { expect } from "chai";
import { buildJobPath, getService, SERVICES } from "../../../provider/services";
import { JobStatus, UnexpectedBodyError } from "../../../provider/services/types";
import { ConfigError } from "../../../provider/errors";
import { MAX_SERVER_TEXT, serverTextFilter } from "../../../provider/serverText";

/** The filter of a waiter holding no secrets: documented bodies pass it unchanged. */
const safeText = serverTextFilter([]);

const DWS_SEED = {
    status: "FAIL",
    progress: "9%",
    job_id: "2c9080e88459fa44018459fbeb600001",
    job_name: "ecfClusterElbCreateJob",
    begin_time: "2022-11-09T20:25:00",
    end_time: "2022-11-09T20:30:00",
    failed_code: "CreateELBTask-fail:DWS.0114",
    failed_detail: "DWS.0114:ELB private IP is not configured.",
};
const CFW_SEED = {
    data: { begin_time: 1641370501000, end_time: 1641370515000, id: "f588ce71-e26c-400d-8981-f854355f6849", status: "Success" },
};
const ROMA_SEED = {
    id: "ff8080814dbd65d7014dbe0d84db0013",
    type: "exportAsset",
    status: "Running",
    reason: [{ resource_type: "application", resource_name: "myApp", error_code: "ROMA.00000101", error_msg: "some error details here" }],
    progress_percent: 0.35,
    archive_id: "string",
    begin_time: "2019-12-06T06:49:04Z",
    end_time: "2019-12-06T06:50:04Z",
};
const DDM_SEED = {
    job: {
        id: "31b8ae23-c687-4d80-b7b4-42a66c9bb886",
        name: "CreateInstance",
        status: "Running",
        created_time: "2018-08-06T10:41:14+0000",
        end_time: "2018-08-06T16:41:14+0000",
        process: "60%",
        instance: { id: "a48e43ff268f4c0e879652d65e63d0fbin09", name: "DDM-test" },
    },
};

const cases: { name: string; kind: "dws" | "cfw" | "roma" | "ddm"; jobId: string; body: unknown; expected: Omit<JobStatus, "service" | "jobId"> }[] = [
    {
        name: "DWS task progress (seeds 000 English and 002 Chinese): failed ELB job",
        kind: "dws",
        jobId: "2c9080e88459fa44018459fbeb600001",
        body: DWS_SEED,
        expected: {
            jobName: "ecfClusterElbCreateJob",
            state: "failed",
            status: "FAIL",
            statusRecognised: true,
            progress: 9,
            beginTime: "2022-11-09T20:25:00.000Z",
            endTime: "2022-11-09T20:30:00.000Z",
            failedCode: "CreateELBTask-fail:DWS.0114",
            failedDetail: "DWS.0114:ELB private IP is not configured.",
        },
    },
    {
        name: "CFW List Job Status (seed 001): success with epoch-millisecond times",
        kind: "cfw",
        jobId: "f588ce71-e26c-400d-8981-f854355f6849",
        body: CFW_SEED,
        expected: {
            state: "succeeded",
            status: "Success",
            statusRecognised: true,
            beginTime: "2022-01-05T08:15:01.000Z",
            endTime: "2022-01-05T08:15:15.000Z",
        },
    },
    {
        name: "ROMA asset job (seed 003): running export at 0.35 = 35 %",
        kind: "roma",
        jobId: "ff8080814dbd65d7014dbe0d84db0013",
        body: ROMA_SEED,
        expected: {
            jobName: "exportAsset",
            state: "running",
            status: "Running",
            statusRecognised: true,
            progress: 35,
            beginTime: "2019-12-06T06:49:04.000Z",
            endTime: "2019-12-06T06:50:04.000Z",
            failedCode: "ROMA.00000101",
            failedDetail: "application myApp: some error details here",
            archiveId: "string",
        },
    },
    {
        name: "DDM task (seed 004): running CreateInstance at 60 % with +0000 times",
        kind: "ddm",
        jobId: "31b8ae23-c687-4d80-b7b4-42a66c9bb886",
        body: DDM_SEED,
        expected: {
            jobName: "CreateInstance",
            state: "running",
            status: "Running",
            statusRecognised: true,
            progress: 60,
            beginTime: "2018-08-06T10:41:14.000Z",
            endTime: "2018-08-06T16:41:14.000Z",
            instance: { id: "a48e43ff268f4c0e879652d65e63d0fbin09", name: "DDM-test" },
        },
    },
];

/** A body holding `value` at a field path such as `"job.status"` or `"tasks[0].status"`. */
function bodyAt(path: string, value: unknown): Record<string, unknown> {
    const root: Record<string, unknown> = {};
    let node: Record<string, unknown> = root;
    const steps = path.split(".");
    steps.forEach((step, i) => {
        const [, key, index] = /^([^[]+)(?:\[(\d*)\])?$/.exec(step)!;
        const leaf = i === steps.length - 1;
        const child: Record<string, unknown> = {};
        if (index === undefined) node[key] = leaf ? value : child;
        else node[key] = [leaf ? value : child];
        node = child;
    });
    return root;
}

describe("services: seed example responses", () => {
    for (const c of cases) {
        it(c.name, () => {
            const status = getService(c.kind).parse(c.body, c.jobId, safeText);
            expect(status).to.deep.equal({ ...c.expected, service: c.kind, jobId: c.jobId });
        });
    }
});

describe("services: status tables", () => {
    const table: [string, unknown, JobStatus["state"], boolean][] = [
        ["dws", { status: "RUNNING", progress: "50%" }, "running", true],
        ["dws", { status: "INIT", progress: "" }, "running", true],
        ["dws", { status: "SUCCESS", progress: "100%" }, "succeeded", true],
        ["dws", { status: "FAIL" }, "failed", true],
        ["dws", { status: "ERROR" }, "failed", true],
        ["dws", { status: "ROLLING_BACK" }, "running", false],
        ["ddm", { job: { status: "Completed", process: "" } }, "succeeded", true],
        ["ddm", { job: { status: "Failed", process: "" } }, "failed", true],
        ["cfw", { data: { status: "Running" } }, "running", true],
        ["cfw", { data: { status: "Failed" }, error_code: "CFW.00200005", error_msg: "rule conflict" }, "failed", true],
        ["roma", { status: "SUCCEEDED", progress_percent: 1 }, "succeeded", true],
        ["roma", { status: "FAILED", reason: [] }, "failed", true],
        ["roma", { status: "success" }, "succeeded", true],
        ["roma", { status: "Finished", progress_percent: 1 }, "succeeded", true],
        ["cfw", { data: { status: "Succeeded!" } }, "running", false],
    ];
    for (const [kind, body, state, recognised] of table) {
        it(`${kind} ${JSON.stringify(body)} → ${state}${recognised ? "" : " (unrecognised)"}`, () => {
            const s = getService(kind).parse(body, "job-1", safeText);
            expect(s.state).to.equal(state);
            expect(s.statusRecognised).to.equal(recognised);
        });
    }

    it("an unknown status is never a success", () => {
        for (const adapter of Object.values(SERVICES)) {
            for (const unknown of ["OK", "Done", "Succeeded!", "COMPLETED_WITH_ERRORS"]) {
                const s = adapter.parse(bodyAt(adapter.spec.fields.status, unknown), "j", safeText);
                expect(s.state, `${adapter.kind} ${unknown}`).to.equal("running");
                expect(s.statusRecognised).to.equal(false);
                expect(s.status).to.equal(unknown);
            }
        }
    });

    it("ROMA failure reasons (reason or reasons) fold into one code and detail", () => {
        const s = getService("roma").parse(
            {
                status: "FAILED",
                reasons: [
                    { resource_type: "application", resource_name: "a", error_code: "ROMA.1", error_msg: "x" },
                    { resource_type: "api", resource_name: "b", error_code: "ROMA.1", error_msg: "y" },
                    { error_code: "ROMA.2" },
                ],
            },
            "j",
            safeText,
        );
        expect(s.failedCode).to.equal("ROMA.1, ROMA.2");
        expect(s.failedDetail).to.equal("application a: x; api b: y");
    });
});

describe("services: unreadable bodies", () => {
    const bad: [string, unknown][] = [
        ["dws", null],
        ["dws", "FAIL"],
        ["dws", []],
        ["dws", {}],
        ["dws", { status: "" }],
        ["ddm", { status: "Running" }],
        ["cfw", { status: "Success" }],
        ["cfw", { error_code: "CFW.0001", error_msg: "bad" }],
        ["roma", { status: { value: "RUNNING" } }],
    ];
    for (const [kind, body] of bad) {
        it(`${kind} ${JSON.stringify(body)} is an UnexpectedBodyError`, () => {
            expect(() => getService(kind).parse(body, "j", safeText)).to.throw(UnexpectedBodyError);
        });
    }
});

describe("services: an unreadable string body quoted in part", () => {
    it("is filtered before it is cut, so no secret's start is left behind", () => {
        const secret = "sk-0123456789abcdefghij";
        const body = `proxy: forwarded /v1.0/${secret}/job/j`;
        const error = (() => {
            try {
                return getService("dws").parse(body, "j", serverTextFilter([secret]));
            } catch (e) {
                return e as Error;
            }
        })();
        expect(error).to.be.instanceOf(UnexpectedBodyError);
        expect((error as Error).message).to.equal('expected a JSON object, got the string "proxy: forwarded /v1.0/***/job/j"');
    });
});

describe("services: registry and paths", () => {
    it("rejects unknown kinds listing the valid ones", () => {
        expect(() => getService("obs")).to.throw(ConfigError, /service: "obs".*"dws", "ddm", "roma", "cfw", "ecs", "evs"/);
        expect(() => getService(undefined)).to.throw(ConfigError, /\(missing\)/);
    });

    it("builds each seed path", () => {
        expect(buildJobPath(getService("dws"), { projectId: "p1", jobId: "j1" })).to.equal("/v1.0/p1/job/j1");
        expect(buildJobPath(getService("ddm"), { projectId: "p1", jobId: "j1" })).to.equal("/v3/p1/jobs/j1");
        expect(buildJobPath(getService("cfw"), { projectId: "p1", jobId: "j1" })).to.equal("/v3/p1/jobs/j1");
        expect(buildJobPath(getService("roma"), { projectId: "p1", instanceId: "i1", jobId: "j1" })).to.equal("/v2/p1/instances/i1/assets/jobs/j1");
    });

    it("encodes every ID as a single path segment", () => {
        const hostile = ["../x", "a/b", "a?b=c", "a#b", "a b", "%2e%2e", "x'()*!", "...", ".a"];
        for (const jobId of hostile) {
            const path = buildJobPath(getService("dws"), { projectId: "p", jobId });
            expect(path.split("/")).to.have.length(5);
            expect(path).to.not.match(/[?# ]/);
            expect(decodeURIComponent(path.split("/")[4])).to.equal(jobId);
            expect(new URL(path, "https://dws.example.com").pathname).to.equal(path);
        }
    });

    it("refuses dot segments, which URL normalisation would remove", () => {
        for (const jobId of [".", ".."]) {
            expect(() => buildJobPath(getService("dws"), { projectId: "p", jobId })).to.throw(ConfigError, /would change the request path/);
        }
    });

    it("names the missing ID and what the kind needs", () => {
        expect(() => buildJobPath(getService("roma"), { projectId: "p", jobId: "j" })).to.throw(ConfigError, /instanceId.*jobId, projectId, instanceId/);
    });
});

describe("services: every string read from a body passes the waiter's filter", () => {
    const SECRET = "sk-seeds-filter-0123456789";
    const filtered = serverTextFilter([SECRET]);

    it("filters each field, whatever the kind's spec reads", () => {
        const s = getService("dws").parse(
            { ...DWS_SEED, job_name: "\u001b[31mcreate\u001b[0m", failed_code: `code ${SECRET}`, failed_detail: `line1\r\nline2\u0007${"x".repeat(5000)}` },
            "j",
            filtered,
        );
        expect(s.jobName).to.equal("create");
        expect(s.failedCode).to.equal("code ***");
        expect(s.failedDetail!.startsWith("line1 line2 x")).to.equal(true);
        expect(s.failedDetail!.length).to.be.at.most(MAX_SERVER_TEXT);
    });

    it("decides the state on the status as sent: a filtered-away control never makes a success", () => {
        const s = getService("dws").parse({ status: "SUCCESS\u0000" }, "j", filtered);
        expect(s).to.include({ state: "running", statusRecognised: false, status: "SUCCESS" });
        const secret = getService("dws").parse({ status: SECRET }, "j", filtered);
        expect(secret).to.include({ state: "running", statusRecognised: false, status: "***" });
    });

    it("drops a field, or a nested object, that nothing printable is left of", () => {
        const s = getService("ddm").parse({ job: { status: "Completed", name: "\u0000\u202e", instance: { id: "\u001b[0m", name: "\u200b" } } }, "j", filtered);
        expect(s).to.not.have.property("jobName");
        expect(s).to.not.have.property("instance");
        const blank = getService("dws").parse({ status: "\u0007\u0007" }, "j", filtered);
        expect(blank).to.include({ state: "running", status: "" });
    });

    it("folds ROMA reasons before filtering the folded line", () => {
        const s = getService("roma").parse(
            {
                status: "FAILED",
                reason: [
                    {
                        resource_type: "app",
                        resource_name: `\u001b]8;;https://evil.example/\u0007${SECRET}\u001b]8;;\u0007`,
                        error_code: "ROMA.1",
                        error_msg: "bad\nthing",
                    },
                ],
            },
            "j",
            filtered,
        );
        expect(s.failedDetail).to.equal("app ***: bad thing");
    });
});
