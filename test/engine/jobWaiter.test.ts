/**
 * JobWaiter through the engine path: the program runs with the Pulumi runtime, and every
 * dynamic resource is driven through the real dynamic-provider host of @pulumi/pulumi over
 * gRPC (Check, Diff, Create, Read, Update, Delete), against the emulator on loopback.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { JobWaiterArgs } from "../../provider/resource/jobWaiter";
import { deploy, DeployOptions, DeployResult, destroy, findResource, killAllChildren, refresh, revealSecrets, StackState } from "../../provider/testing/engine";
import { EmulatedJobDefinition, JobApiEmulator } from "../../provider/testing/emulator";

const AK = "ENGINETESTAK00000001";
const SK = "engine-test-secret-key-must-not-leak";
const TOKEN = "MIIengine-test-token-must-not-leak";
const PROJECT = "0123456789abcdef0123456789abcdef";
const ROMA_INSTANCE = "roma-instance-7";
const PROGRAM = path.join(__dirname, "fixtures", "waiterProgram.js");
const ROOT = path.resolve(__dirname, "..", "..", "..");

describe("JobWaiter through the real dynamic-provider host", function () {
    this.timeout(60_000);
    let emu: JobApiEmulator;

    before(async () => {
        emu = await JobApiEmulator.start({ accessKeys: { [AK]: SK }, tokens: [TOKEN] });
    });
    after(async () => {
        await emu.close();
        await killAllChildren();
    });

    function job(def: Partial<EmulatedJobDefinition> & Pick<EmulatedJobDefinition, "service">): string {
        return emu.defineJob({ projectId: PROJECT, instanceId: def.service === "roma" ? ROMA_INSTANCE : undefined, durationMs: 600, outcome: "succeeded", ...def });
    }

    function waiter(name: string, args: Partial<JobWaiterArgs> & { service: string; jobId: string }, unknownFields?: (keyof JobWaiterArgs)[]) {
        return {
            name,
            unknownFields,
            args: {
                endpoint: emu.endpoint,
                allowInsecureLoopback: true,
                minPollIntervalSeconds: 0.05,
                maxPollIntervalSeconds: 0.3,
                instanceId: args.service === "roma" ? ROMA_INSTANCE : undefined,
                ...args,
            },
        };
    }

    type WaiterSpec = Omit<ReturnType<typeof waiter>, "unknownFields"> & { unknownFields?: (keyof JobWaiterArgs)[] };

    function run(waiters: WaiterSpec[], extra: Partial<DeployOptions> = {}): Promise<DeployResult> {
        return deploy({
            program: PROGRAM,
            project: "jobwaiter-test",
            stack: "engine",
            config: {
                "jobwaiter-test:waiters": JSON.stringify(waiters),
                "huaweicloud:accessKey": AK,
                "huaweicloud:secretKey": SK,
                "huaweicloud:projectId": PROJECT,
            },
            secretConfig: ["huaweicloud:secretKey"],
            hostCwd: ROOT,
            isolateHostEnv: true,
            timeoutMs: 45_000,
            ...extra,
        });
    }

    function outputsOf(result: DeployResult, name: string): Record<string, unknown> {
        return (result.outputs.results as Record<string, Record<string, unknown>>)[name];
    }

    function expectNoSecrets(result: DeployResult, ...more: string[]): void {
        const haystacks = {
            state: JSON.stringify(result.state),
            hostOutput: result.hostOutput,
            programOutput: result.programOutput,
            error: result.error ?? "",
            diagnostics: JSON.stringify(result.diagnostics),
            outputs: JSON.stringify(result.outputs),
        };
        for (const [where, text] of Object.entries(haystacks)) {
            for (const secret of [SK, TOKEN, ...more]) expect(text, `${where} must not contain a secret`).to.not.contain(secret);
        }
    }

    const ops = (r: DeployResult, name: string) => r.operations.filter((o) => o.urn.endsWith(`::${name}`)).map((o) => o.op);

    it("creates a waiter of every kind, waits for each job, and chains outputs into dependents", async () => {
        const ids = {
            dws: job({ service: "dws", jobName: "createCluster", durationMs: 3500 }),
            ddm: job({ service: "ddm", durationMs: 3500 }),
            roma: job({ service: "roma", archiveId: "archive-77", durationMs: 3500 }),
            cfw: job({ service: "cfw", durationMs: 3500 }),
        };
        const result = await run(Object.entries(ids).map(([service, jobId]) => waiter(`w-${service}`, { service, jobId })));
        expect(result.ok, result.error).to.equal(true);
        for (const [service, jobId] of Object.entries(ids)) {
            const out = outputsOf(result, `w-${service}`);
            expect(out.id, service).to.equal(jobId);
            expect(out.state, service).to.equal("succeeded");
            expect(out.polls as number, service).to.be.at.least(2);
            expect(out.endTime, service).to.match(/Z$/);
            expect(ops(result, `w-${service}`)).to.deep.equal(["create"]);
            const dependent = findResource(result.state, `w-${service}-dependent`)!;
            const inputs = revealSecrets(result.state, dependent.inputs) as Record<string, unknown>;
            expect(inputs.state, `${service} dependent got the state`).to.equal("succeeded");
            expect(inputs.status).to.equal(out.status);
        }
        expect(outputsOf(result, "w-dws").jobName).to.equal("createCluster");
        expect((outputsOf(result, "w-ddm").instance as { id: string }).id).to.be.a("string");
        expect(outputsOf(result, "w-roma").archiveId).to.equal("archive-77");
        expect(result.rpcs.map((r) => r.method)).to.include.members(["configure", "check", "create"]);
        expectNoSecrets(result);
        const provider = (findResource(result.state, "w-dws")!.inputs as Record<string, unknown>).__provider;
        expect(JSON.stringify(provider).length, "the serialized provider is small").to.be.below(4000);
    });

    it("fails the deployment on a failed job of every kind with its failure fields; dependents are not created", async () => {
        const failures: Record<string, [string, string]> = {
            dws: ["CreateELBTask-fail:DWS.0114", "DWS.0114:ELB private IP is not configured."],
            roma: ["ROMA.00000101", "asset import rejected"],
            cfw: ["CFW.00200005", "rule conflict"],
            ddm: ["", ""],
        };
        const ids = Object.fromEntries(
            Object.entries(failures).map(([service, [failedCode, failedDetail]]) => [
                service,
                job({ service: service as EmulatedJobDefinition["service"], outcome: "failed", durationMs: 1500, ...(failedCode ? { failedCode, failedDetail } : {}) }),
            ]),
        );
        const result = await run(Object.entries(ids).map(([service, jobId]) => waiter(`w-fail-${service}`, { service, jobId })));
        expect(result.ok).to.equal(false);
        const messages = result.diagnostics.map((d) => d.message).join("\n");
        for (const [service, [failedCode, failedDetail]] of Object.entries(failures)) {
            if (failedCode) {
                expect(messages, service).to.contain(failedCode);
                expect(messages, service).to.contain(failedDetail.replace(/\.$/, ""));
            } else {
                expect(messages, service).to.match(new RegExp(`ddm job ${ids.ddm} .*failed with status "Failed"`));
            }
            expect(findResource(result.state, `w-fail-${service}`), service).to.equal(undefined);
            expect(findResource(result.state, `w-fail-${service}-dependent`), service).to.equal(undefined);
        }
        expectNoSecrets(result);
    });

    it("records a failed job in the outputs with allowFailure", async () => {
        const jobId = job({ service: "roma", outcome: "failed", failedCode: "ROMA.00000101", failedDetail: "bad asset" });
        const result = await run([waiter("w-allowed", { service: "roma", jobId, allowFailure: true })]);
        expect(result.ok, result.error).to.equal(true);
        const out = outputsOf(result, "w-allowed");
        expect(out.state).to.equal("failed");
        expect(out.failedCode).to.equal("ROMA.00000101");
        expect(out.failedDetail).to.contain("bad asset");
    });

    it("times out on every kind with a message naming the job and timeoutSeconds", async () => {
        const ids = Object.fromEntries((["dws", "ddm", "roma", "cfw"] as const).map((service) => [service, job({ service, durationMs: 60_000 })]));
        const result = await run(Object.entries(ids).map(([service, jobId]) => waiter(`w-slow-${service}`, { service, jobId, timeoutSeconds: 1 })));
        expect(result.ok).to.equal(false);
        const messages = result.diagnostics.map((d) => d.message).join("\n");
        for (const jobId of Object.values(ids)) expect(messages).to.match(new RegExp(`Timed out .*timeoutSeconds=1.*${jobId}`));
        expectNoSecrets(result);
    });

    it("a provider process killed outright (SIGKILL) loses nothing: running again re-attaches to the job", async () => {
        const jobId = job({ service: "roma", durationMs: 3500 });
        const killed = await run([waiter("w-kill", { service: "roma", jobId })], { interrupt: { signal: "SIGKILL", during: "create", urnIncludes: "w-kill", afterMs: 500 } });
        expect(killed.ok).to.equal(false);
        expect(findResource(killed.state, "w-kill")).to.equal(undefined);
        const resumed = await run([waiter("w-kill", { service: "roma", jobId })], { priorState: killed.state });
        expect(resumed.ok, resumed.error).to.equal(true);
        expect(outputsOf(resumed, "w-kill")).to.include({ id: jobId, state: "succeeded" });
    });

    it("check rejects bad inputs with clear messages before any request", async () => {
        const before = emu.requests.length;
        const [unknownKind, noInstance, emptyJob] = await Promise.all([
            run([waiter("w-bad1", { service: "rds", jobId: "abc" })]),
            run([{ name: "w-bad2", args: { ...waiter("x", { service: "dws", jobId: "abc" }).args, service: "roma", instanceId: undefined } }]),
            run([waiter("w-bad3", { service: "dws", jobId: "" })]),
        ]);
        expect(unknownKind.ok).to.equal(false);
        expect(unknownKind.error).to.match(/Invalid service: "rds".*"dws", "ddm", "roma", "cfw"/);
        expect(noInstance.ok).to.equal(false);
        expect(noInstance.error).to.match(/instanceId.*roma/);
        expect(emptyJob.ok).to.equal(false);
        expect(emptyJob.error).to.match(/Invalid jobId: ""/);
        expect(emu.requests.length, "no request was sent").to.equal(before);
    });

    it("diff: a changed timeout updates in place without waiting; a changed jobId replaces", async () => {
        const first = job({ service: "cfw" });
        const created = await run([waiter("w-diff", { service: "cfw", jobId: first })]);
        expect(created.ok, created.error).to.equal(true);
        const requestsAfterCreate = emu.requestCount(first);

        const updated = await run([waiter("w-diff", { service: "cfw", jobId: first, timeoutSeconds: 120 })], { priorState: created.state });
        expect(updated.ok, updated.error).to.equal(true);
        expect(ops(updated, "w-diff")).to.deep.equal(["update"]);
        expect(emu.requestCount(first), "no new request for an in-place update").to.equal(requestsAfterCreate);
        expect(outputsOf(updated, "w-diff").state).to.equal("succeeded");

        const second = job({ service: "cfw" });
        const replaced = await run([waiter("w-diff", { service: "cfw", jobId: second, timeoutSeconds: 120 })], { priorState: updated.state });
        expect(replaced.ok, replaced.error).to.equal(true);
        expect(ops(replaced, "w-diff")).to.include("replace");
        expect(outputsOf(replaced, "w-diff").id).to.equal(second);
        expect(emu.requestCount(second)).to.be.at.least(1);

        const same = await run([waiter("w-diff", { service: "cfw", jobId: second, timeoutSeconds: 120 })], { priorState: replaced.state });
        expect(ops(same, "w-diff")).to.deep.equal(["same"]);
    });

    it("refresh re-reads the job, keeps the last state once the job expired, and destroy touches nothing", async () => {
        const jobId = job({ service: "dws", durationMs: 200, expireAfterMs: 2500 });
        const created = await run([waiter("w-refresh", { service: "dws", jobId })]);
        expect(created.ok, created.error).to.equal(true);
        const options = { project: "jobwaiter-test", stack: "engine", config: { "huaweicloud:accessKey": AK, "huaweicloud:secretKey": SK }, secretConfig: ["huaweicloud:secretKey"], hostCwd: ROOT, isolateHostEnv: true };

        const before = emu.requestCount(jobId);
        const refreshed = await refresh(created.state, options);
        expect(refreshed.ok, refreshed.error).to.equal(true);
        expect(ops(refreshed, "w-refresh"), "read, then a diff that finds nothing changed").to.deep.equal(["same"]);
        expect(emu.requestCount(jobId)).to.equal(before + 1);

        await new Promise((r) => setTimeout(r, 2600));
        const expired = await refresh(refreshed.state, options);
        expect(expired.ok, expired.error).to.equal(true);
        const kept = findResource(expired.state, "w-refresh")!;
        expect((revealSecrets(expired.state, kept.outputs) as Record<string, unknown>).state).to.equal("succeeded");
        expect(expired.hostOutput).to.match(/no longer known to the service/);

        const requests = emu.requests.length;
        const destroyed = await destroy(expired.state, options);
        expect(destroyed.ok, destroyed.error).to.equal(true);
        expect(ops(destroyed, "w-refresh")).to.deep.equal(["delete"]);
        expect(destroyed.state.deployment.resources.filter((r) => r.custom)).to.have.length(0);
        expect(emu.requests.length, "delete sends no request").to.equal(requests);
    });

    it("SIGINT stops the wait within a second naming the job; running again re-attaches to the same job", async () => {
        const jobId = job({ service: "dws", durationMs: 4000 });
        const interrupted = await run([waiter("w-int", { service: "dws", jobId })], { interrupt: { signal: "SIGINT", during: "create", urnIncludes: "w-int", afterMs: 700 } });
        expect(interrupted.ok).to.equal(false);
        const rpc = interrupted.host!.interrupt!.rpc!;
        expect(rpc.ok).to.equal(false);
        expect(rpc.startedAtMs + rpc.durationMs - interrupted.host!.interrupt!.atMs, "stopped within a second").to.be.below(1000);
        expect(interrupted.error).to.contain(jobId);
        expect(interrupted.error).to.match(/received SIGINT.*same job ID to resume/);
        const polledBefore = emu.requestCount(jobId);
        expect(polledBefore).to.be.at.least(1);

        const resumed = await run([waiter("w-int", { service: "dws", jobId })], { priorState: interrupted.state });
        expect(resumed.ok, resumed.error).to.equal(true);
        expect(outputsOf(resumed, "w-int").id).to.equal(jobId);
        expect(emu.requestCount(jobId)).to.be.above(polledBefore);
    });

    it("reads credentials from the host's HW_* environment and prints change-only progress lines", async () => {
        const jobId = job({ service: "ddm", durationMs: 4000, progress: "none" });
        const result = await run([waiter("w-env", { service: "ddm", jobId })], {
            config: { "jobwaiter-test:waiters": JSON.stringify([waiter("w-env", { service: "ddm", jobId })]) },
            secretConfig: [],
            hostEnv: { HW_AUTH_TOKEN: TOKEN, HW_PROJECT_ID: PROJECT },
        });
        expect(result.ok, result.error).to.equal(true);
        expect(emu.requests.filter((r) => r.jobId === jobId).every((r) => r.auth.via === "token")).to.equal(true);
        const polls = outputsOf(result, "w-env").polls as number;
        const lines = result.hostStderr.split("\n").filter((l) => l.startsWith("jobwaiter:"));
        expect(polls).to.be.at.least(4);
        expect(lines.length, "one line per change, not per poll").to.be.at.most(2);
        expect(lines.at(-1)).to.match(new RegExp(`ddm job ${jobId} .*Completed`));
        expectNoSecrets(result);
    });

    it("a 401 fails with the service's error and never shows the secret", async () => {
        const jobId = job({ service: "dws" });
        const wrongSecret = "wrong-secret-for-engine-test-xyz";
        const result = await run([waiter("w-401", { service: "dws", jobId })], {
            config: {
                "jobwaiter-test:waiters": JSON.stringify([waiter("w-401", { service: "dws", jobId })]),
                "huaweicloud:accessKey": AK,
                "huaweicloud:secretKey": wrongSecret,
                "huaweicloud:projectId": PROJECT,
            },
        });
        expect(result.ok).to.equal(false);
        expect(result.error).to.match(/HTTP 401.*APIGW\.0301/);
        expectNoSecrets(result, wrongSecret);
    });

    it("preview checks inputs and sends no request", async () => {
        const jobId = job({ service: "dws" });
        const state: StackState | undefined = undefined;
        const result = await run([waiter("w-preview", { service: "dws", jobId })], { preview: true, priorState: state });
        expect(result.ok, result.error).to.equal(true);
        expect(emu.requestCount(jobId)).to.equal(0);
    });

    it("preview with a job ID not known yet still checks every known input, and never shows a credential given as input", async () => {
        const jobId = job({ service: "dws" });
        const bad = await run([waiter("w-pv-bad", { service: "dws", jobId, timeoutSeconds: -5 }, ["jobId"])], { preview: true });
        expect(bad.ok).to.equal(false);
        expect(bad.error).to.match(/timeoutSeconds: -5/);
        const leaked = "engine-input-secret-never-shown";
        const cred = await run([waiter("w-pv-cred", { service: "dws", jobId, secretKey: leaked } as never, ["jobId"])], { preview: true });
        expect(cred.ok).to.equal(false);
        expect(cred.error).to.match(/secretKey: \(value not shown\).*Credentials are never inputs/);
        expectNoSecrets(cred, leaked);
        expect(emu.requestCount(jobId)).to.equal(0);
    });

    it("a preview with an input not known yet shows the step the update takes (no invented replacement)", async () => {
        const jobId = job({ service: "dws", durationMs: 100 });
        const first = await run([waiter("w-pv", { service: "dws", jobId, timeoutSeconds: 120 })]);
        expect(first.ok, first.error).to.equal(true);
        const next = [waiter("w-pv", { service: "dws", jobId, timeoutSeconds: 120 }, ["timeoutSeconds"])];
        const steps = (r: DeployResult) => r.operations.filter((o) => o.urn.endsWith("::w-pv")).map((o) => o.op);
        const preview = await run(next, { preview: true, priorState: first.state });
        expect(preview.ok, preview.error).to.equal(true);
        const up = await run(next, { priorState: first.state });
        expect(up.ok, up.error).to.equal(true);
        expect(steps(preview)).to.not.include("replace");
        expect(steps(up)).to.deep.equal(["same"]);
    });

    it("a token in the stack config beats an AK/SK pair in the host environment; OS_PROJECT_ID is read", async () => {
        const jobId = job({ service: "dws", durationMs: 100 });
        const waiters = [waiter("w-tok", { service: "dws", jobId })];
        const result = await run(waiters, {
            config: { "jobwaiter-test:waiters": JSON.stringify(waiters), "huaweicloud:token": TOKEN },
            secretConfig: ["huaweicloud:token"],
            hostEnv: { HW_ACCESS_KEY: AK, HW_SECRET_KEY: SK, OS_PROJECT_ID: PROJECT },
        });
        expect(result.ok, result.error).to.equal(true);
        const auth = emu.requests.filter((r) => r.jobId === jobId).map((r) => r.auth.via);
        expect(auth.length).to.be.at.least(1);
        expect(new Set(auth)).to.deep.equal(new Set(["token"]));
    });

    it("SIGINT while another dynamic resource of the program creates, after the waits ended: that provider's own handling runs", async () => {
        const cloud = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-echo-cloud-"));
        const jobId = job({ service: "dws", durationMs: 100 });
        const waiters = [waiter("w-then-echo", { service: "dws", jobId })];
        const result = await run(waiters, {
            config: {
                "jobwaiter-test:waiters": JSON.stringify(waiters),
                "jobwaiter-test:echo": JSON.stringify({ key: "k-sig", value: "v", delayMs: 5000, handleSignals: true }),
                "huaweicloud:accessKey": AK,
                "huaweicloud:secretKey": SK,
                "huaweicloud:projectId": PROJECT,
            },
            hostEnv: { ECHO_CLOUD_DIR: cloud },
            interrupt: { signal: "SIGINT", during: "create", urnIncludes: "::echo", afterMs: 700 },
        });
        expect(result.ok).to.equal(false);
        const rpc = result.host!.interrupt!.rpc!;
        expect(rpc.ok).to.equal(false);
        expect(rpc.details, "the echo provider's own SIGINT handling answered, not a dead host").to.match(/echo: aborted by SIGINT/);
        expect(result.operations.some((o) => o.urn.endsWith("::w-then-echo") && o.op === "create")).to.equal(true);
    });

    it("state written from a checkout that later moved: the next up records the new location, then refresh and destroy work", async () => {
        const from = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-checkout-a-"));
        fs.cpSync(path.join(ROOT, "dist"), path.join(from, "dist"), { recursive: true });
        fs.copyFileSync(path.join(ROOT, "package.json"), path.join(from, "package.json"));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(from, "node_modules"));
        const to = `${from}-moved`;
        const jobId = job({ service: "dws", durationMs: 100 });
        const waiters = [waiter("w-moved", { service: "dws", jobId })];
        const at = (dir: string): Partial<DeployOptions> => ({ program: path.join(dir, "dist", "test", "engine", "fixtures", "waiterProgram.js"), hostCwd: dir });
        const opts = (dir: string) => ({ ...at(dir), project: "jobwaiter-test", stack: "engine", config: { "jobwaiter-test:waiters": JSON.stringify(waiters), "huaweicloud:accessKey": AK, "huaweicloud:secretKey": SK, "huaweicloud:projectId": PROJECT }, secretConfig: ["huaweicloud:secretKey"], isolateHostEnv: true, timeoutMs: 45_000 });
        try {
            const first = await run(waiters, at(from));
            expect(first.ok, first.error).to.equal(true);
            fs.renameSync(from, to);
            const again = await run(waiters, { ...at(to), priorState: first.state });
            expect(again.ok, again.error).to.equal(true);
            expect(again.operations.filter((o) => o.urn.endsWith("::w-moved")).map((o) => o.op)).to.deep.equal(["update"]);
            expect(JSON.stringify(findResource(again.state, "w-moved")?.outputs)).to.not.contain(from + path.sep);
            const refreshed = await refresh(again.state, opts(to));
            expect(refreshed.ok, refreshed.error).to.equal(true);
            const destroyed = await destroy(refreshed.state, opts(to));
            expect(destroyed.ok, destroyed.error).to.equal(true);
        } finally {
            fs.rmSync(from, { recursive: true, force: true });
            fs.rmSync(to, { recursive: true, force: true });
        }
    });
});
