/**
 * The resource's refresh (`read`) against the emulator on 127.0.0.1: a temporary failure on the
 * first look is waited out as `create` waits it out, and a job the service now reports as failed
 * is recorded as failed and refused by the next update unless `allowFailure` is true.
 */
import { expect } from "chai";
import { configure, diff, read, update } from "../../provider/resource/handler";
import { EmulatedJobDefinition, JobApiEmulator } from "../../provider/testing/emulator";
import { JobHome, jobIn } from "../support/jobs";
import { withStderr } from "../support/stderr";

const AK = "REFRESHAK00000000001";
const SK = "refresh-secret-key-do-not-leak-0001";
const HOME: JobHome = { projectId: "05f2cff45100d5112f4bc00b794ea08e", instanceId: "roma-instance-1" };
const CREDENTIALS: Record<string, string> = { "huaweicloud:accessKey": AK, "huaweicloud:secretKey": SK };

describe("resource refresh against the emulator", function () {
    this.timeout(20_000);
    let emu: JobApiEmulator;

    before(async () => {
        emu = await JobApiEmulator.start({ accessKeys: { [AK]: SK } });
        await configure({ config: { get: (key: string) => CREDENTIALS[key], require: (key: string) => CREDENTIALS[key] ?? "" } });
    });
    after(async () => {
        await configure({ config: { get: () => undefined, require: () => "" } });
        await emu.close();
    });

    /** The state a `create` recorded for a job defined by `def`: its inputs and a success. */
    function recorded(def: Partial<EmulatedJobDefinition>): Record<string, unknown> {
        const jobId = emu.defineJob(jobIn(HOME, 0, { service: "dws", ...def }));
        return {
            service: "dws",
            jobId,
            projectId: HOME.projectId,
            endpoint: emu.endpoint,
            allowInsecureLoopback: true,
            timeoutSeconds: 10,
            minPollIntervalSeconds: 0.02,
            maxPollIntervalSeconds: 0.1,
            state: "succeeded",
            status: "SUCCESS",
            polls: 1,
        };
    }

    /** `fn` with the provider's stderr (progress lines, notices) kept off the test's output. */
    const quietly = async <T>(fn: () => Promise<T>): Promise<T> => (await withStderr(fn)).result;

    const TEMPORARY: [string, EmulatedJobDefinition["faults"]][] = [
        ["a 503", [{ kind: "status", status: 503, count: 2 }]],
        ["a 429 with Retry-After", [{ kind: "status", status: 429, retryAfter: "0" }]],
        ["a dropped connection", [{ kind: "drop" }]],
    ];
    for (const [what, faults] of TEMPORARY) {
        it(`waits out ${what} on the first look, as create does, and records what the job says`, async () => {
            const props = recorded({ faults });
            const jobId = props.jobId as string;
            const r = await quietly(() => read(jobId, { ...props, state: "running", status: "RUNNING" }));
            expect(r.props).to.include({ state: "succeeded", status: "SUCCESS", polls: 1 });
            expect(emu.requestCount(jobId), "the failing looks, then the one that read the job").to.equal((faults![0].count ?? 1) + 1);
        });
    }

    it("an outage that outlasts the refresh's bound keeps the recorded state, with a notice, instead of failing the refresh", async () => {
        const props: Record<string, unknown> = { ...recorded({ faults: [{ kind: "status", status: 503, count: Infinity }] }), timeoutSeconds: 1 };
        const { result, written } = await withStderr(() => read(props.jobId as string, props));
        expect(result.props).to.deep.equal(props);
        expect(written).to.match(/job \S+ got no status from the job API within 1 s \(.*HTTP 503.*\); keeping its last recorded state/);
        expect(written).to.not.contain(SK);
    });

    it("a job API host name that does not resolve (region or cloud changed?) keeps the recorded state at once, with a notice", async () => {
        const props: Record<string, unknown> = { ...recorded({}), endpoint: "https://dws.cn-nort-4.jobwaiter.invalid" };
        const started = Date.now();
        const { result, written } = await withStderr(() => read(props.jobId as string, props));
        expect(result.props).to.deep.equal(props);
        expect(Date.now() - started, "not the refresh's 60 s bound").to.be.below(5_000);
        expect(written).to.match(
            /job \S+ got no status from the job API \(.*ENOTFOUND dws\.cn-nort-4\.jobwaiter\.invalid.*check region, HW_CLOUD and endpoint\.\); keeping its last recorded state/,
        );
    });

    it("records a job the service now reports as failed, and the next update refuses it unless allowFailure is true", async () => {
        const props = recorded({ outcome: "failed", failedCode: "DWS.0114", failedDetail: "no ELB" });
        const r = await quietly(() => read(props.jobId as string, props));
        expect(r.props).to.include({ state: "failed", failedCode: "DWS.0114" });
        const refreshed = r.props as Record<string, unknown>;
        const inputs = { ...props, state: undefined, status: undefined, polls: undefined };

        const refused = await diff("id", refreshed, inputs);
        expect(refused, "a failed job the inputs do not allow is a change").to.include({ changes: true });
        expect(refused.replaces).to.deep.equal([]);
        const error = await update("id", refreshed, inputs).catch((e: Error) => e);
        expect(error).to.be.instanceOf(Error);
        expect((error as Error).message).to.match(/recorded as failed \(DWS\.0114: no ELB\) and allowFailure is not true: set allowFailure to true/);

        const allowed = await diff("id", { ...refreshed, allowFailure: true }, { ...inputs, allowFailure: true });
        expect(allowed.changes, "allowFailure true keeps it").to.equal(false);
    });

    it("a secret input the job's failure detail quotes is recorded as ***, even where the detail is cut short", async () => {
        // The project ID starts at character 290 of the detail: a cut at 300 characters would leave its first 9 in the text.
        const detail = `${"x".repeat(289)} ${HOME.projectId}`;
        const props = { ...recorded({ outcome: "failed", failedCode: "DWS.0114", failedDetail: detail }), secretInputs: ["projectId"] };
        const r = await quietly(() => read("3f0c9d5e-0b7a-4d0e-9f5c-1a2b3c4d5e6f", props));
        expect(r.props).to.include({ state: "failed", failedCode: "DWS.0114" });
        expect(r.props.failedDetail).to.equal(`${"x".repeat(289)} ***`);
    });

    it("a refresh notice names the job, not the random resource ID of a secret job ID, and hides it", async () => {
        const props: Record<string, unknown> = { ...recorded({}), endpoint: "https://dws.cn-nort-4.jobwaiter.invalid", secretInputs: ["jobId"] };
        const { written } = await withStderr(() => read("3f0c9d5e-0b7a-4d0e-9f5c-1a2b3c4d5e6f", props));
        expect(written).to.match(/^jobwaiter: dws job \*\*\* got no status from the job API/);
        expect(written).to.not.contain(props.jobId as string);
    });

    it("a job still running at refresh that then fails is recorded as failed, not thrown", async () => {
        const props = recorded({ durationMs: 300, outcome: "failed", failedCode: "DWS.0114", failedDetail: "no ELB" });
        const r = await quietly(() => read(props.jobId as string, props));
        expect(r.props).to.include({ state: "failed", failedCode: "DWS.0114", polls: 1 });
        expect(emu.requestCount(props.jobId as string)).to.be.above(1);
    });

    it("a refresh replaces the recorded status outputs: a field the job no longer reports is dropped, not kept beside the new status", async () => {
        const stale = { state: "failed", status: "FAIL", failedCode: "DWS.0114", failedDetail: "no ELB", resourceIds: ["old-1"] };
        const props: Record<string, unknown> = { ...recorded({}), ...stale };
        const r = await quietly(() => read(props.jobId as string, props));
        expect(r.props).to.include({ state: "succeeded", status: "SUCCESS", polls: 1 });
        for (const key of ["failedCode", "failedDetail", "resourceIds"]) expect(r.props, key).to.not.have.property(key);
        const later: Record<string, unknown> = { ...recorded({ durationMs: 300 }), ...stale };
        const waited = await quietly(() => read(later.jobId as string, later));
        expect(emu.requestCount(later.jobId as string), "read while running, then waited for").to.be.above(1);
        expect(waited.props).to.include({ state: "succeeded" });
        for (const key of ["failedCode", "failedDetail", "resourceIds"]) expect(waited.props, `${key}, after a wait`).to.not.have.property(key);
    });

    it("a job the service no longer knows keeps its recorded state at once", async () => {
        const props = { ...recorded({}), jobId: "0123456789abcdef0123456789abcdef" };
        const started = Date.now();
        const r = await quietly(() => read(props.jobId, props));
        expect(r.props).to.deep.equal(props);
        expect(Date.now() - started, "no grace for a job seen before").to.be.below(2_000);
    });
});
