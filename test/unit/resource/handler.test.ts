/**
 * The provider's lifecycle decisions, called directly (the engine path is in test/engine).
 */
import { expect } from "chai";
import { check, diff, outputsOf, update } from "../../../provider/resource/handler";
import type { JobStatus } from "../../../provider/services/types";

const base = { service: "dws", jobId: "2c9080e88459fa44018459fbeb600001", projectId: "p1", region: "cn-north-4" };
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("resource: check", () => {
    it("accepts good inputs and records projectId/region", async () => {
        const r = await check({}, { ...base });
        expect(r.failures ?? []).to.have.length(0);
        expect(r.inputs).to.include({ projectId: "p1", region: "cn-north-4" });
    });

    const bad: [string, Record<string, unknown>, string, RegExp][] = [
        ["unknown kind", { service: "rds" }, "service", /"dws", "ddm", "roma", "cfw"/],
        ["empty job ID", { jobId: "" }, "jobId", /Invalid jobId: ""/],
        ["ROMA without instanceId", { service: "roma" }, "instanceId", /needs the instance ID/],
        ["allowFailure not boolean", { allowFailure: "yes" }, "allowFailure", /true or false/],
        ["unknown option", { timeout: 5 }, "timeout", /no such option; valid options are service, jobId/],
        ["credentials as an input", { secretKey: "abc" }, "secretKey", /no such option.*Credentials are never inputs/],
    ];
    for (const [what, override, property, reason] of bad) {
        it(`fails on ${what}, naming the property`, async () => {
            const r = await check({}, { ...base, ...override });
            expect(r.failures).to.have.length(1);
            expect(r.failures![0].property).to.equal(property);
            expect(r.failures![0].reason).to.match(reason);
        });
    }

    it("does not echo a secret passed by mistake as an input", async () => {
        const r = await check({}, { ...base, secretKey: "my-secret-value-123" });
        expect(JSON.stringify(r.failures)).to.not.contain("my-secret-value-123");
    });

    it("skips validation while inputs are unknown (preview)", async () => {
        const r = await check({}, { ...base, jobId: UNKNOWN });
        expect(r.failures ?? []).to.have.length(0);
    });
});

describe("resource: diff", () => {
    const table: [string, Record<string, unknown>, boolean, string[]][] = [
        ["nothing changed", {}, false, []],
        ["timeout changed", { timeoutSeconds: 99 }, true, []],
        ["poll bounds changed", { maxPollIntervalSeconds: 30 }, true, []],
        ["endpoint changed", { endpoint: "https://dws.example.com" }, true, []],
        ["allowFailure changed", { allowFailure: true }, true, []],
        ["jobId changed", { jobId: "other" }, true, ["jobId"]],
        ["service changed", { service: "ddm" }, true, ["service"]],
        ["projectId changed", { projectId: "p2" }, true, ["projectId"]],
        ["instanceId changed", { instanceId: "i2" }, true, ["instanceId"]],
    ];
    for (const [what, change, changes, replaces] of table) {
        it(what, async () => {
            const olds = { ...base, state: "succeeded", status: "SUCCESS", polls: 3 };
            const r = await diff("id", olds, { ...base, ...change });
            expect(r.changes).to.equal(changes);
            expect(r.replaces).to.deep.equal(replaces);
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

    it("refuses to drop allowFailure on a job recorded as failed", async () => {
        const olds = { ...base, allowFailure: true, state: "failed", failedCode: "DWS.0114", failedDetail: "no ELB" };
        const error = await update("id", olds, { ...base }).catch((e) => e);
        expect(error).to.be.instanceOf(Error);
        expect(error.message).to.match(/recorded as failed \(DWS\.0114: no ELB\)/);
    });
});

describe("resource: outputsOf", () => {
    it("records status fields, never the raw body", () => {
        const s: JobStatus = { service: "ddm", jobId: "j", state: "succeeded", status: "Completed", statusRecognised: true, progress: 100, instance: { id: "i", name: "n" }, raw: { big: "x".repeat(1000) } };
        const o = outputsOf(s);
        expect(o).to.deep.equal({ state: "succeeded", status: "Completed", statusRecognised: true, progress: 100, instance: { id: "i", name: "n" } });
    });
});
