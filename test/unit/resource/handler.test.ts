/**
 * The provider's lifecycle decisions, called directly (the engine path is in test/engine).
 */
import { expect } from "chai";
import { check, diff, outputsOf, update } from "../../../provider/resource/handler";
import type { JobStatus } from "../../../provider/services/types";
import { withStderr } from "../../support/stderr";

const base = { service: "dws", jobId: "2c9080e88459fa44018459fbeb600001", projectId: "p1", region: "cn-north-4" };
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("resource: check", () => {
    it("accepts good inputs and records projectId/region", async () => {
        const r = await check({}, { ...base });
        expect(r.failures ?? []).to.have.length(0);
        expect(r.inputs).to.include({ projectId: "p1", region: "cn-north-4" });
    });

    const bad: [string, Record<string, unknown>, string, RegExp][] = [
        ["unknown kind", { service: "obs" }, "service", /"dws", "ddm", "roma", "cfw", "ecs"/],
        ["empty job ID", { jobId: "" }, "jobId", /Invalid jobId: ""/],
        ["ROMA without instanceId", { service: "roma" }, "instanceId", /needs the instance ID/],
        ["allowFailure not boolean", { allowFailure: "yes" }, "allowFailure", /true or false/],
        // Unknown keys are reported without a property: the engine would print its value.
        [
            "unknown option",
            { timeout: 5 },
            "",
            /Invalid timeout: \(value not shown\)\. Allowed: no such option \(the closest is "timeoutSeconds"\); valid options are service, jobId/,
        ],
        ["credentials as an input", { secretKey: "abc" }, "", /Invalid secretKey: \(value not shown\)\. Allowed: no such option.*Credentials are never inputs/],
        [
            "an output given a value",
            { polls: "lots" },
            "",
            /^Invalid polls: \(value not shown\)\. Allowed: nothing: it is an output of JobWaiter.*waiter\.polls/,
        ],
        ["a status output given a value", { resourceIds: ["fake"] }, "", /^Invalid resourceIds: \(value not shown\)\. Allowed: nothing: it is an output/],
        ["a typo is pointed at an option, not at an output", { stat: 1 }, "", /^Invalid stat: .*the closest is "jobId"\); valid options are (?!.*\bstate\b)/],
    ];
    for (const [what, override, property, reason] of bad) {
        it(`fails on ${what}, naming the property`, async () => {
            const r = await check({}, { ...base, ...override });
            expect(r.failures).to.have.length(1);
            expect(r.failures![0].property).to.equal(property);
            expect(r.failures![0].reason).to.match(reason);
        });
    }

    it("names a secret input in the wrong format without showing it, nor tying the failure to its property (the engine would print it)", async () => {
        const r = await check({}, { ...base, projectId: "bad project 42", instanceId: "i-9", secretInputs: ["projectId", "instanceId"] });
        expect(r.failures).to.have.length(1);
        expect(r.failures![0]).to.deep.equal({
            property: "",
            reason: "Invalid projectId: (secret, not shown). Allowed: 1–64 characters from A–Z, a–z, 0–9, '_', '-' (a Huawei project ID is 32 hexadecimal characters).",
        });
        const other = await check({}, { ...base, instanceId: "i-9", secretInputs: ["instanceId"] });
        expect(other.failures![0].property, "a secret input not allowed for the kind").to.equal("");
        expect(other.failures![0].reason).to.match(/^Invalid instanceId: \(secret, not shown\)\. Allowed: no instanceId for the "dws" service/);
    });

    it("hides a secret input quoted in another input's failure, and ties that failure to no property (an endpoint with the project in its path)", async () => {
        const projectId = "0123456789abcdef0123456789abcdef";
        const r = await check({}, { ...base, projectId, endpoint: `https://dws.example.com/v1/${projectId}`, secretInputs: ["projectId"] });
        expect(r.failures![0].property, "the engine would print the endpoint's value").to.equal("");
        expect(r.failures![0].reason).to.match(/^Invalid endpoint: .*\/v1\/\*\*\*/);
        expect(JSON.stringify(r.failures)).to.not.contain(projectId);
        const long = await check(
            {},
            { ...base, projectId, endpoint: `https://gaussdb-opengauss.ap-southeast-1.myhuaweicloud.com/v3/${projectId}`, secretInputs: ["projectId"] },
        );
        expect(long.failures![0].reason, "redacted before the value is cut to 80 characters").to.contain("/v3/***");
        expect(long.failures![0].reason).to.not.contain(projectId.slice(0, 6));
        const plain = await check({}, { ...base, projectId, endpoint: "https://dws.example.com/v1/x", secretInputs: ["projectId"] });
        expect(plain.failures![0].property, "an endpoint that holds no secret").to.equal("endpoint");
    });

    it("ties a refused endpoint with user info to no property, and shows it masked (the engine would print the password)", async () => {
        const instanceId = "roma-instance-secret-1";
        const plain = await check({}, { ...base, endpoint: "https://admin:hunter2pass@dws.example.com" });
        expect(plain.failures![0]).to.include({ property: "" });
        expect(plain.failures![0].reason).to.match(/^Invalid endpoint: "https:\/\/\*\*\*@dws\.example\.com"\. Allowed: .*credentials never go in the URL/);
        const withSecret = await check(
            {},
            { ...base, service: "roma", instanceId, endpoint: `https://admin:hunter2pass@${instanceId}.roma.example.com`, secretInputs: ["instanceId"] },
        );
        expect(withSecret.failures![0]).to.include({ property: "" });
        expect(withSecret.failures![0].reason).to.contain('"https://***@***.roma.example.com"');
        for (const failures of [plain.failures, withSecret.failures]) expect(JSON.stringify(failures)).to.not.contain("hunter2pass");
    });

    it("refuses secretInputs set by hand", async () => {
        const r = await check({}, { ...base, secretInputs: "all" });
        expect(r.failures![0]).to.include({ property: "" });
        expect(r.failures![0].reason).to.match(/JobWaiter sets it itself/);
    });

    it("does not echo a secret passed by mistake as an input", async () => {
        const r = await check({}, { ...base, secretKey: "my-secret-value-123" });
        expect(JSON.stringify(r.failures)).to.not.contain("my-secret-value-123");
    });

    it("passes unknown inputs (preview), and still fills projectId/region so that preview and update agree", async () => {
        const { projectId: _p, region: _r, ...unfilled } = base;
        const saved = { HW_PROJECT_ID: process.env.HW_PROJECT_ID, HW_REGION_NAME: process.env.HW_REGION_NAME };
        process.env.HW_PROJECT_ID = "p-env";
        process.env.HW_REGION_NAME = "cn-north-4";
        try {
            const r = await check({}, { ...unfilled, jobId: UNKNOWN, timeoutSeconds: UNKNOWN });
            expect(r.failures ?? []).to.have.length(0);
            expect(r.inputs).to.include({ jobId: UNKNOWN, timeoutSeconds: UNKNOWN, projectId: "p-env", region: "cn-north-4" });
            const d = await diff("id", { ...base, projectId: "p-env", state: "succeeded" }, r.inputs);
            expect(d.replaces, "a refresh-free preview must not invent a replacement").to.not.include("projectId");
        } finally {
            for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
        }
    });

    it("still checks every known input while others are unknown (preview)", async () => {
        const table: [Record<string, unknown>, string][] = [
            [{ jobId: UNKNOWN, timeoutSeconds: -5 }, "timeoutSeconds"],
            [{ jobId: UNKNOWN, maxRequestsPerSecond: 0 }, "maxRequestsPerSecond"],
            [{ service: UNKNOWN, jobId: "bad id with spaces" }, "jobId"],
            [{ jobId: UNKNOWN, service: "roma" }, "instanceId"],
            [{ endpoint: UNKNOWN, allowInsecureLoopback: "yes" }, "allowInsecureLoopback"],
            [{ allowInsecureLoopback: UNKNOWN, endpoint: "ftp://dws.example.com" }, "endpoint"],
            [{ allowInsecureLoopback: UNKNOWN, endpoint: "https://dws.example.com/v1?q=1" }, "endpoint"],
            [{ allowInsecureLoopback: UNKNOWN, endpoint: 42 }, "endpoint"],
            [{ jobId: UNKNOWN, region: "not a region!" }, "region"],
            [{ jobId: UNKNOWN, longestJobSeconds: 5 }, "longestJobSeconds"],
            [{ shortestJobSeconds: UNKNOWN, longestJobSeconds: 0.5 }, "longestJobSeconds"],
        ];
        for (const [override, property] of table) {
            const r = await check({}, { ...base, ...override });
            expect(
                r.failures?.map((f) => f.property),
                JSON.stringify(override),
            ).to.deep.equal([property]);
        }
        const loopback = await check({}, { ...base, allowInsecureLoopback: UNKNOWN, endpoint: "http://127.0.0.1:8080" });
        expect(loopback.failures ?? [], "http to loopback depends on the unknown opt-in: not judged").to.have.length(0);
        const orderUnknown = await check({}, { ...base, shortestJobSeconds: UNKNOWN, longestJobSeconds: 5 });
        expect(orderUnknown.failures ?? [], "an order that depends on an unknown value is not judged").to.have.length(0);
        const credential = await check({}, { ...base, jobId: UNKNOWN, secretKey: "oops-secret" });
        expect(credential.failures?.map((f) => f.property)).to.deep.equal([""]);
        expect(JSON.stringify(credential.failures)).to.not.contain("oops-secret");
    });

    it("does not record a region from the environment beside an explicit endpoint (a shell's HW_REGION_NAME is no change)", async () => {
        const { region: _r, ...withoutRegion } = base;
        const saved = process.env.HW_REGION_NAME;
        process.env.HW_REGION_NAME = "cn-south-1";
        try {
            const r = await check({}, { ...withoutRegion, endpoint: "https://dws.example.com" });
            expect(r.failures ?? []).to.have.length(0);
            expect(r.inputs).to.not.have.property("region");
            const given = await check({}, { ...base, endpoint: "https://dws.example.com" });
            expect(given.inputs, "a region given on the waiter is kept").to.include({ region: "cn-north-4" });
        } finally {
            saved === undefined ? delete process.env.HW_REGION_NAME : (process.env.HW_REGION_NAME = saved);
        }
    });

    it("reads projectId/region from OS_* variables too, as waitForJob does", async () => {
        const { projectId: _p, region: _r, ...unfilled } = base;
        const keys = ["HW_PROJECT_ID", "HW_REGION_NAME", "OS_PROJECT_ID", "OS_REGION_NAME"];
        const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
        for (const k of keys) delete process.env[k];
        process.env.OS_PROJECT_ID = " p-os ";
        process.env.OS_REGION_NAME = "ap-southeast-1";
        try {
            const r = await check({}, unfilled);
            expect(r.failures ?? []).to.have.length(0);
            expect(r.inputs).to.include({ projectId: "p-os", region: "ap-southeast-1" });
        } finally {
            for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
        }
    });
});

describe("resource: diff", () => {
    const table: [string, Record<string, unknown>, boolean, string[]][] = [
        ["nothing changed", {}, false, []],
        ["timeout changed", { timeoutSeconds: 99 }, true, []],
        ["poll bounds changed", { maxPollIntervalSeconds: 30 }, true, []],
        ["range of job durations changed", { shortestJobSeconds: 1, longestJobSeconds: 600 }, true, []],
        ["endpoint changed: another place, another job", { endpoint: "https://dws.example.com" }, true, ["endpoint"]],
        ["region changed: another place, another job", { region: "ap-southeast-1" }, true, ["region"]],
        [
            "region changed beside an unchanged endpoint: it locates nothing, an update",
            { region: "ap-southeast-1", endpoint: "https://dws.example.com" },
            true,
            [],
        ],
        ["allowFailure changed", { allowFailure: true }, true, []],
        ["jobId changed", { jobId: "other" }, true, ["jobId"]],
        ["service changed", { service: "ddm" }, true, ["service"]],
        ["projectId changed", { projectId: "p2" }, true, ["projectId"]],
        ["instanceId changed", { instanceId: "i2" }, true, ["instanceId"]],
        [
            "the serialized provider changed (the package moved): an update, so the state records it",
            { __provider: "exports.handler = require('/new/place')" },
            true,
            [],
        ],
        ["the serialized provider not known yet: no change", { __provider: UNKNOWN }, false, []],
        ["an input given as a secret: an update, so the outputs name it", { secretInputs: ["projectId"] }, true, []],
        ["the job ID given as a secret: an update that keeps the resource ID (a replace would wait on the job again)", { secretInputs: ["jobId"] }, true, []],
    ];
    for (const [what, change, changes, replaces] of table) {
        it(what, async () => {
            const olds: Record<string, unknown> = {
                ...base,
                state: "succeeded",
                status: "SUCCESS",
                polls: 3,
                __provider: "exports.handler = require('/old/place')",
            };
            if ("endpoint" in change && "region" in change) olds.endpoint = change.endpoint;
            const r = await diff("id", olds, { ...base, __provider: olds.__provider, ...change });
            expect(r.changes).to.equal(changes);
            expect(r.replaces).to.deep.equal(replaces);
        });
    }
});

describe("resource: diff of a job ID that is no longer a secret", () => {
    it("is an update that keeps the resource ID", async () => {
        const olds = { ...base, secretInputs: ["jobId"], state: "succeeded", status: "SUCCESS" };
        expect(await diff("3f0c9d5e-0b7a-4d0e-9f5c-1a2b3c4d5e6f", olds, { ...base })).to.deep.include({ changes: true, replaces: [] });
    });
});

describe("resource: diff of an endpoint spelled another way", () => {
    for (const spelling of ["https://dws.example.com/", "HTTPS://DWS.Example.com:443", "https://dws.example.com:443/"]) {
        it(`${spelling} is the same origin as https://dws.example.com: no change, no replace`, async () => {
            const olds = { ...base, endpoint: "https://dws.example.com", state: "succeeded", status: "SUCCESS" };
            const r = await diff("id", olds, { ...base, endpoint: spelling });
            expect(r).to.deep.include({ changes: false, replaces: [] });
        });
    }
});

describe("resource: diff of a job recorded as failed", () => {
    const failed = { ...base, state: "failed", status: "FAIL", failedCode: "DWS.0114" };
    const table: [string, Record<string, unknown>, Record<string, unknown>, boolean][] = [
        ["allowed, and still allowed: no change", { allowFailure: true }, { allowFailure: true }, false],
        ["found failed by a refresh, not allowed: an update, which refuses it", {}, {}, true],
        ["allowed now (the user accepts the failure): an update, which records it", {}, { allowFailure: true }, true],
    ];
    for (const [what, old, change, changes] of table) {
        it(what, async () => {
            const r = await diff("id", { ...failed, ...old }, { ...base, ...change });
            expect(r.changes).to.equal(changes);
            expect(r.replaces).to.deep.equal([]);
        });
    }
});

describe("resource: update", () => {
    it("keeps the recorded job outputs and takes the new inputs, without waiting", async () => {
        const olds = { ...base, timeoutSeconds: 10, state: "succeeded", status: "SUCCESS", polls: 3 };
        const r = await update("id", olds, { ...base, timeoutSeconds: 20 });
        expect(r.outs).to.include({ timeoutSeconds: 20, state: "succeeded", status: "SUCCESS", polls: 3 });
    });

    it("drops an input that was removed", async () => {
        const r = await update("id", { ...base, timeoutSeconds: 10, state: "succeeded" }, { ...base });
        expect(r.outs).to.not.have.property("timeoutSeconds");
    });

    it("redacts the recorded status by an input given as a secret since the create", async () => {
        const projectId = "05f2cff45100d5112f4bc00b794ea08e";
        const olds = {
            ...base,
            projectId,
            state: "succeeded",
            status: "SUCCESS",
            jobName: `create in ${projectId}`,
            subJobs: [{ state: "succeeded", status: "SUCCESS", statusRecognised: true, resourceIds: [`vol-${projectId}`] }],
            polls: 3,
        };
        const r = await update(base.jobId, olds, { ...base, projectId, secretInputs: ["projectId"] });
        expect(r.outs).to.include({ jobName: "create in ***", state: "succeeded", polls: 3 });
        expect(JSON.stringify(r.outs).split(projectId).length - 1, "only the input itself, which the engine keeps secret").to.equal(1);
    });

    it("a job ID made a secret after the create stays the resource ID, with a notice that hides it", async () => {
        const { written } = await withStderr(async () => {
            await update(base.jobId, { ...base, state: "succeeded" }, { ...base, secretInputs: ["jobId"] });
            await update("3f0c9d5e-0b7a-4d0e-9f5c-1a2b3c4d5e6f", { ...base, state: "succeeded" }, { ...base, secretInputs: ["jobId"] });
            await update(base.jobId, { ...base, state: "succeeded" }, { ...base, timeoutSeconds: 20 });
        });
        const notices = written.split("\n").filter(Boolean);
        expect(notices, "only where the resource ID is the job ID, and the job ID a secret").to.have.length(1);
        expect(notices[0]).to.match(/^jobwaiter: dws job \*\*\* is a secret now, but stays this waiter's resource ID.*pulumi up --replace/);
        expect(notices[0]).to.not.contain(base.jobId);
    });

    it("never redacts the recorded state: a secret that reads like it would unmake a failure", async () => {
        const olds = { ...base, projectId: "fail", state: "failed", status: "FAIL", failedCode: "DWS.0114", allowFailure: true };
        const news = { ...base, projectId: "fail", allowFailure: true, secretInputs: ["projectId"] };
        expect((await update(base.jobId, olds, news)).outs).to.include({ state: "failed", status: "***" });
        const refused = await update(base.jobId, olds, { ...news, allowFailure: undefined }).catch((e: Error) => e);
        expect(refused).to.be.instanceOf(Error);
    });

    it("drops the secret marks when no input is a secret any more", async () => {
        const r = await update("id", { ...base, secretInputs: ["projectId"], state: "succeeded" }, { ...base });
        expect(r.outs).to.not.have.property("secretInputs");
    });

    it("hides a secret job ID in its refusal of a failed job", async () => {
        const olds = { ...base, allowFailure: true, state: "failed", failedCode: "DWS.0114", secretInputs: ["jobId"] };
        const error = await update("id", olds, { ...base, secretInputs: ["jobId"] }).catch((e) => e);
        expect(error.message).to.match(/^dws job \*\*\* is recorded as failed/);
    });

    it("refuses to drop allowFailure on a job recorded as failed", async () => {
        const olds = { ...base, allowFailure: true, state: "failed", failedCode: "DWS.0114", failedDetail: "no ELB" };
        const error = await update("id", olds, { ...base }).catch((e) => e);
        expect(error).to.be.instanceOf(Error);
        expect(error.message).to.match(/recorded as failed \(DWS\.0114: no ELB\)/);
    });

    it("records a failed job once allowFailure is set, without waiting", async () => {
        const olds = { ...base, state: "failed", failedCode: "DWS.0114" };
        const r = await update("id", olds, { ...base, allowFailure: true });
        expect(r.outs).to.include({ allowFailure: true, state: "failed", failedCode: "DWS.0114" });
    });
});

describe("resource: outputsOf", () => {
    it("records the status fields and nothing else a status object carries", () => {
        const s = {
            service: "ddm",
            jobId: "j",
            state: "succeeded",
            status: "Completed",
            statusRecognised: true,
            progress: 100,
            instance: { id: "i", name: "n" },
            body: { big: "x".repeat(1000) },
        } as JobStatus;
        const o = outputsOf(s);
        expect(o).to.deep.equal({ state: "succeeded", status: "Completed", statusRecognised: true, progress: 100, instance: { id: "i", name: "n" } });
    });
});
