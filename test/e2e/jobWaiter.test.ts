/**
 * JobWaiter through the real Pulumi CLI and engine: `pulumi up`, `preview`, `refresh` and
 * `destroy` of a fixture project (test/e2e/fixtures/waiters) against the emulator on loopback,
 * with the stack's credentials set by `pulumi config set --secret`.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { JobWaiterArgs } from "../../provider/resource/jobWaiter";
import { EmulatedJobDefinition, JobApiEmulator } from "../../provider/testing/emulator";
import { instanceFor, JobHome, jobIn } from "../support/jobs";
import { CommandResult, ensurePulumiCli, findExported, PulumiWorkspace, REPO_ROOT, StackExport } from "../support/pulumiCli";

const AK = "E2ETESTACCESSKEY0001";
const SK = "e2e-test-secret-key-must-not-leak";
const TOKEN = "MIIe2e-test-token-must-not-leak";
const HOME: JobHome = { projectId: "0123456789abcdef0123456789abcdef", instanceId: "roma-instance-7" };
const FIXTURE = path.join(REPO_ROOT, "test", "e2e", "fixtures", "waiters");
const KINDS = ["dws", "ddm", "roma", "cfw"] as const;
/** Longer than any test: a test that needs a job to run ends it by defining it again. */
const LONG_JOB_MS = 600_000;

interface WaiterSpec {
    name: string;
    args: Partial<JobWaiterArgs> & Record<string, unknown>;
    unknownFields?: (keyof JobWaiterArgs)[];
    secretFields?: (keyof JobWaiterArgs)[];
}

describe("JobWaiter through the real Pulumi CLI", function () {
    this.timeout(180_000);
    let emu: JobApiEmulator;
    let workspace: PulumiWorkspace;
    let stacks = 0;

    before(async () => {
        workspace = new PulumiWorkspace(ensurePulumiCli(), FIXTURE);
        emu = await JobApiEmulator.start({ accessKeys: { [AK]: SK }, tokens: [TOKEN] });
    });
    after(async () => {
        await emu?.close();
        workspace?.dispose();
    });

    function job(def: Partial<EmulatedJobDefinition> & Pick<EmulatedJobDefinition, "service">): string {
        return emu.defineJob(jobIn(HOME, 600, def));
    }

    function waiter(name: string, args: WaiterSpec["args"] & { service: string; jobId: string }, unknownFields?: (keyof JobWaiterArgs)[]): WaiterSpec {
        return {
            name,
            unknownFields,
            args: {
                endpoint: emu.endpoint,
                allowInsecureLoopback: true,
                minPollIntervalSeconds: 0.05,
                maxPollIntervalSeconds: 0.3,
                instanceId: instanceFor(HOME, args.service),
                ...args,
            },
        };
    }

    /** A new stack with the credentials set as a user sets them (`config set --secret`). */
    async function newStack(
        waiters: WaiterSpec[],
        config: Record<string, string> = { "huaweicloud:accessKey": AK, "huaweicloud:secretKey": SK, "huaweicloud:projectId": HOME.projectId },
        secret = ["huaweicloud:secretKey", "huaweicloud:token"].filter((key) => key in config),
    ): Promise<string> {
        const stack = `s${++stacks}`;
        await workspace.initStack(stack, { ...config, "jobwaiter-test:waiters": JSON.stringify(waiters) }, secret);
        return stack;
    }

    function setWaiters(stack: string, waiters: WaiterSpec[]): Promise<void> {
        return workspace.setConfig(stack, "jobwaiter-test:waiters", JSON.stringify(waiters));
    }

    async function results(stack: string): Promise<Record<string, Record<string, unknown>>> {
        return (await workspace.outputs(stack)).results as Record<string, Record<string, unknown>>;
    }

    /** No secret anywhere: the exported state (resources and serialized provider), the CLI's output (with the provider's stderr). */
    function expectNoSecrets(texts: Record<string, string>, ...more: string[]): void {
        for (const [where, text] of Object.entries(texts)) {
            for (const secret of [SK, TOKEN, ...more]) expect(text, `${where} must not contain a secret`).to.not.contain(secret);
        }
    }

    /** The step the CLI printed for a resource, e.g. `created`, `updated`, `replaced`. */
    function steps(result: CommandResult, name: string): string[] {
        const found = result.output.matchAll(
            new RegExp(`JobWaiter ${name} (created|updated|replaced|deleted|refreshed|creating failed|updating failed)\\b`, "g"),
        );
        return [...new Set([...found].map((m) => m[1]))];
    }

    const resourceNames = (state: StackExport) => (state.deployment.resources ?? []).map((r) => r.urn.split("::").at(-1));

    it("pulumi up creates a waiter of every kind, waits for each job and chains outputs into dependents; progress shows in the CLI's output", async () => {
        const stack = await newStack([]);
        const defs = KINDS.map((service) => ({
            service,
            durationMs: LONG_JOB_MS,
            ...(service === "dws" ? { jobName: "createCluster" } : {}),
            ...(service === "roma" ? { archiveId: "archive-77" } : {}),
        }));
        const ids = Object.fromEntries(defs.map((def) => [def.service, job(def)]));
        await setWaiters(
            stack,
            KINDS.map((service) => waiter(`w-${service}`, { service, jobId: ids[service] })),
        );
        const running = workspace.startStackCommand(stack, ["up"]);
        for (const service of KINDS) await running.waitFor(new RegExp(`jobwaiter: ${service} job ${ids[service]}.* running`, "i"));
        // Defining a job again restarts its clock: each now ends soon.
        for (const def of defs) job({ ...def, jobId: ids[def.service], durationMs: 1500 });
        const up = await running.done;
        expect(up.code, up.output).to.equal(0);
        const out = await results(stack);
        const state = await workspace.exportState(stack);
        for (const service of KINDS) {
            expect(out[`w-${service}`], service).to.include({ id: ids[service], state: "succeeded" });
            expect(out[`w-${service}`].polls as number, service).to.be.at.least(2);
            expect(out[`w-${service}`].endTime, service).to.match(/Z$/);
            expect(findExported(state, `w-${service}-dependent`)?.outputs, `${service} dependent got the state`).to.include({
                state: "succeeded",
                status: out[`w-${service}`].status,
            });
        }
        expect(out["w-dws"].jobName).to.equal("createCluster");
        expect((out["w-ddm"].instance as { id: string }).id).to.be.a("string");
        expect(out["w-roma"].archiveId).to.equal("archive-77");
        const provider = findExported(state, "w-dws")!.inputs!.__provider;
        expect(JSON.stringify(provider).length, "the serialized provider is small").to.be.below(4000);
        expectNoSecrets({ state: JSON.stringify(state), output: up.output });
    });

    it("a failed job of every kind fails the update with its failure code and detail; dependents are not created", async () => {
        const failures: Record<string, [string, string]> = {
            dws: ["CreateELBTask-fail:DWS.0114", "DWS.0114:ELB private IP is not configured"],
            roma: ["ROMA.00000101", "asset import rejected"],
            cfw: ["CFW.00200005", "rule conflict"],
            ddm: ["", ""],
        };
        const ids = Object.fromEntries(
            Object.entries(failures).map(([service, [failedCode, failedDetail]]) => [
                service,
                job({
                    service: service as EmulatedJobDefinition["service"],
                    outcome: "failed",
                    durationMs: 1500,
                    ...(failedCode ? { failedCode, failedDetail } : {}),
                }),
            ]),
        );
        const stack = await newStack(Object.entries(ids).map(([service, jobId]) => waiter(`w-fail-${service}`, { service, jobId })));
        // Without --continue-on-error the engine starts no new step after the first failure.
        const up = await workspace.stackCommand(stack, ["up", "--continue-on-error"]);
        expect(up.code).to.not.equal(0);
        for (const [service, [failedCode, failedDetail]] of Object.entries(failures)) {
            if (failedCode) {
                expect(up.output, `${service}: ${up.output}`).to.match(
                    new RegExp(`${service} job ${ids[service]} .*failed with status .*: ${failedCode}: .*${failedDetail}`),
                );
            } else {
                expect(up.output, service).to.match(new RegExp(`ddm job ${ids.ddm} .*failed with status "Failed"`));
            }
        }
        const names = resourceNames(await workspace.exportState(stack));
        for (const service of Object.keys(failures)) {
            expect(names, service).to.not.include(`w-fail-${service}`);
            expect(names, service).to.not.include(`w-fail-${service}-dependent`);
        }
        expectNoSecrets({ output: up.output });
    });

    it("allowFailure records a failed job in the outputs and the update succeeds", async () => {
        const jobId = job({ service: "roma", outcome: "failed", failedCode: "ROMA.00000101", failedDetail: "bad asset" });
        const stack = await newStack([waiter("w-allowed", { service: "roma", jobId, allowFailure: true })]);
        const up = await workspace.stackCommand(stack, ["up"]);
        expect(up.code, up.output).to.equal(0);
        expect((await results(stack))["w-allowed"]).to.include({ state: "failed", failedCode: "ROMA.00000101" });
        expect((await results(stack))["w-allowed"].failedDetail).to.contain("bad asset");
    });

    it("times out on every kind with a message naming the job and timeoutSeconds", async () => {
        const ids = Object.fromEntries(KINDS.map((service) => [service, job({ service, durationMs: 60_000 })]));
        const stack = await newStack(KINDS.map((service) => waiter(`w-slow-${service}`, { service, jobId: ids[service], timeoutSeconds: 1 })));
        const up = await workspace.stackCommand(stack, ["up"]);
        expect(up.code).to.not.equal(0);
        for (const jobId of Object.values(ids)) expect(up.output).to.match(new RegExp(`Timed out .*timeoutSeconds=1.*${jobId}`));
    });

    it("a job API host name that does not resolve (a mistyped region) fails the update after notFoundGraceSeconds, not at the timeout", async () => {
        // `.invalid` never resolves (RFC 6761): the engine's provider host meets the real resolver's ENOTFOUND.
        const stack = await newStack(
            [
                waiter("w-nowhere", {
                    service: "dws",
                    jobId: "a0a0a0a0-1111-2222-3333-444444444444",
                    endpoint: undefined,
                    region: "cn-nort-4",
                    notFoundGraceSeconds: 1,
                }),
            ],
            {
                "huaweicloud:accessKey": AK,
                "huaweicloud:secretKey": SK,
                "huaweicloud:projectId": HOME.projectId,
                "huaweicloud:cloud": "jobwaiter.invalid",
            },
        );
        const started = Date.now();
        const up = await workspace.stackCommand(stack, ["up"]);
        expect(up.code).to.not.equal(0);
        expect(up.output).to.match(/ENOTFOUND dws\.cn-nort-4\.jobwaiter\.invalid.*check region, HW_CLOUD and endpoint/);
        expect(up.output).to.not.contain(SK);
        expect(Date.now() - started, "the default timeout is an hour").to.be.below(120_000);
    });

    it("check rejects bad inputs with clear messages before any request", async () => {
        const before = emu.requests.length;
        const bad = [
            { waiters: [waiter("w-bad1", { service: "rds-typo", jobId: "abc" })], error: /Invalid service: "rds-typo"/ },
            {
                waiters: [{ name: "w-bad2", args: { ...waiter("x", { service: "dws", jobId: "abc" }).args, service: "roma", instanceId: undefined } }],
                error: /instanceId.*roma/,
            },
            { waiters: [waiter("w-bad3", { service: "dws", jobId: "" })], error: /Invalid jobId: ""/ },
            {
                waiters: [waiter("w-bad4", { service: "dws", jobId: "abc", longestJobSeconds: 5 })],
                error: /Invalid longestJobSeconds: 5\. Allowed: a value at least 0\.001 above shortestJobSeconds \(10, the default\)/,
            },
        ];
        for (const { waiters, error } of bad) {
            const preview = await workspace.stackCommand(await newStack(waiters), ["preview"]);
            expect(preview.code).to.not.equal(0);
            expect(preview.output).to.match(error);
        }
        expect(emu.requests.length, "no request was sent").to.equal(before);
    });

    it("a changed timeoutSeconds or range of job durations updates in place without waiting; a changed jobId replaces; then nothing changes", async () => {
        const first = job({ service: "cfw" });
        const stack = await newStack([waiter("w-diff", { service: "cfw", jobId: first })]);
        expect((await workspace.stackCommand(stack, ["up"])).code).to.equal(0);
        const requestsAfterCreate = emu.requestCount(first);

        const inPlace = { timeoutSeconds: 120, shortestJobSeconds: 1, longestJobSeconds: 600 };
        for (const change of [{ timeoutSeconds: 120 }, inPlace]) {
            await setWaiters(stack, [waiter("w-diff", { service: "cfw", jobId: first, ...change })]);
            const updated = await workspace.stackCommand(stack, ["up"]);
            expect(updated.code, updated.output).to.equal(0);
            expect(steps(updated, "w-diff"), JSON.stringify(change)).to.deep.equal(["updated"]);
            expect(emu.requestCount(first), "no new request for an in-place update").to.equal(requestsAfterCreate);
        }

        const second = job({ service: "cfw" });
        await setWaiters(stack, [waiter("w-diff", { service: "cfw", jobId: second, ...inPlace })]);
        const replaced = await workspace.stackCommand(stack, ["up"]);
        expect(replaced.code, replaced.output).to.equal(0);
        expect(steps(replaced, "w-diff")).to.include("replaced");
        expect((await results(stack))["w-diff"].id).to.equal(second);
        expect(emu.requestCount(second)).to.be.at.least(1);

        const same = await workspace.stackCommand(stack, ["up"]);
        expect(same.code, same.output).to.equal(0);
        expect(steps(same, "w-diff")).to.deep.equal([]);
        expect(same.output).to.match(/\d+ unchanged/);
    });

    /** Long enough for an `up` and a `refresh` on a loaded machine, short enough to wait out. */
    const EXPIRY_MS = 15_000;

    it("refresh re-reads the job, keeps the last known state once the job expired, and destroy sends no request", async () => {
        const stack = await newStack([]);
        const expiresAt = Date.now() + EXPIRY_MS;
        const jobId = job({ service: "dws", durationMs: 200, expireAfterMs: EXPIRY_MS });
        await setWaiters(stack, [waiter("w-refresh", { service: "dws", jobId })]);
        const up = await workspace.stackCommand(stack, ["up"]);
        expect(up.code, up.output).to.equal(0);

        const before = emu.requestCount(jobId);
        const refreshed = await workspace.stackCommand(stack, ["refresh"]);
        expect(refreshed.code, refreshed.output).to.equal(0);
        expect(emu.requestCount(jobId), "one read in the refresh's preview, one in the refresh").to.equal(before + 2);

        await new Promise((r) => setTimeout(r, Math.max(0, expiresAt + 200 - Date.now())));
        const expired = await workspace.stackCommand(stack, ["refresh"]);
        expect(expired.code, expired.output).to.equal(0);
        expect(expired.output).to.match(/no longer known to the service/);
        expect(findExported(await workspace.exportState(stack), "w-refresh")?.outputs).to.include({ state: "succeeded", status: "SUCCESS" });

        const requests = emu.requests.length;
        const destroyed = await workspace.stackCommand(stack, ["destroy"]);
        expect(destroyed.code, destroyed.output).to.equal(0);
        expect(resourceNames(await workspace.exportState(stack)).filter((n) => n?.startsWith("w-"))).to.deep.equal([]);
        expect(emu.requests.length, "delete sends no request").to.equal(requests);
    });

    it("a refresh that finds the job failed (after a 503) records it; the next up fails naming the failure until allowFailure is set", async () => {
        const jobId = job({ service: "dws", durationMs: 200 });
        const stack = await newStack([waiter("w-turned", { service: "dws", jobId })]);
        const up = await workspace.stackCommand(stack, ["up"]);
        expect(up.code, up.output).to.equal(0);

        job({
            service: "dws",
            jobId,
            durationMs: 0,
            outcome: "failed",
            failedCode: "DWS.0114",
            failedDetail: "no ELB",
            faults: [{ kind: "status", status: 503 }],
        });
        const refreshed = await workspace.stackCommand(stack, ["refresh"]);
        expect(refreshed.code, refreshed.output).to.equal(0);
        expect(findExported(await workspace.exportState(stack), "w-turned")?.outputs).to.include({ state: "failed", failedCode: "DWS.0114" });

        const refused = await workspace.stackCommand(stack, ["up"]);
        expect(refused.code, refused.output).to.not.equal(0);
        expect(refused.output).to.match(/recorded as failed \(DWS\.0114: no ELB\) and allowFailure is not true/);

        await setWaiters(stack, [waiter("w-turned", { service: "dws", jobId, allowFailure: true })]);
        const accepted = await workspace.stackCommand(stack, ["up"]);
        expect(accepted.code, accepted.output).to.equal(0);
        expect(steps(accepted, "w-turned")).to.deep.equal(["updated"]);
        expect((await results(stack))["w-turned"]).to.include({ state: "failed", failedCode: "DWS.0114" });
    });

    it("preview with a job ID not known yet checks every known input, sends no request, and never shows a credential given as input", async () => {
        const jobId = job({ service: "dws" });
        const ok = await workspace.stackCommand(await newStack([waiter("w-pv", { service: "dws", jobId }, ["jobId"])]), ["preview"]);
        expect(ok.code, ok.output).to.equal(0);
        expect(ok.output).to.match(/\+\s+pulumi-nodejs:dynamic\/huaweicloud:JobWaiter w-pv create/);
        const bad = await workspace.stackCommand(await newStack([waiter("w-pv-bad", { service: "dws", jobId, timeoutSeconds: -5 }, ["jobId"])]), ["preview"]);
        expect(bad.code).to.not.equal(0);
        expect(bad.output).to.match(/timeoutSeconds: -5/);
        const leaked = "e2e-input-secret-never-shown";
        const cred = await workspace.stackCommand(await newStack([waiter("w-pv-cred", { service: "dws", jobId, secretKey: leaked }, ["jobId"])]), ["preview"]);
        expect(cred.code).to.not.equal(0);
        expect(cred.output).to.match(/secretKey: \(value not shown\).*Credentials are never inputs/);
        expectNoSecrets({ output: cred.output }, leaked);
        expect(emu.requestCount(jobId)).to.equal(0);
    });

    it("inputs given as pulumi.secret and a secret huaweicloud:projectId reach no message, progress or retry line, or state; a secret in the wrong format is named, not shown", async () => {
        const hidden = "bad project e2e-hidden";
        const misfit = {
            ...waiter("w-secret-bad", { service: "dws", jobId: job({ service: "dws" }), projectId: hidden }),
            secretFields: ["projectId" as const],
        };
        const bad = await workspace.stackCommand(await newStack([misfit]), ["preview"]);
        expect(bad.code).to.not.equal(0);
        expect(bad.output).to.match(/Invalid projectId: \(secret, not shown\)\. Allowed: 1–64 characters/);
        expectNoSecrets({ output: bad.output }, hidden);

        const jobId = job({ service: "dws", durationMs: 1500, faults: [{ kind: "status", status: 503 }] });
        const config = { "huaweicloud:accessKey": AK, "huaweicloud:secretKey": SK, "huaweicloud:projectId": HOME.projectId };
        const stack = await newStack([{ ...waiter("w-secret", { service: "dws", jobId }), secretFields: ["jobId"] }], config, [
            "huaweicloud:secretKey",
            "huaweicloud:projectId",
        ]);
        const up = await workspace.stackCommand(stack, ["up"]);
        expect(up.code, up.output).to.equal(0);
        expect(up.output, "a poll that read no status prints a line, the job ID hidden").to.match(
            /jobwaiter: dws job \*\*\* no status after \d+s \(1 in a row: HTTP 503/,
        );
        expect(up.output, "and so does the terminal status").to.match(/jobwaiter: dws job \*\*\* (\(\S+\) )?SUCCESS\b.* after/);
        expect(emu.requestCount(jobId)).to.be.at.least(1);
        const state = await workspace.exportState(stack);
        const recorded = findExported(state, "w-secret");
        expect(recorded?.outputs?.state).to.equal("succeeded");
        expect(recorded?.id, "a secret job ID is not the resource ID").to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
        expect(recorded?.inputs?.secretInputs).to.have.members(["jobId", "projectId"]);
        const refresh = await workspace.stackCommand(stack, ["refresh", "--yes"]);
        expect(refresh.code, refresh.output).to.equal(0);
        // The fixture's own config (which holds the job ID in plain text) is recorded with the default provider.
        const resources = (state.deployment.resources ?? []).filter((r) => !r.type.startsWith("pulumi:providers:"));
        expectNoSecrets({ state: JSON.stringify(resources), output: up.output + refresh.output }, jobId, HOME.projectId);
    });

    it("a job ID made a secret after the create stays the resource ID, with a notice that does not show it, and leaves the outputs", async () => {
        const jobId = job({ service: "dws", durationMs: 500 });
        const stack = await newStack([waiter("w-later", { service: "dws", jobId })]);
        const first = await workspace.stackCommand(stack, ["up"]);
        expect(first.code, first.output).to.equal(0);
        await setWaiters(stack, [{ ...waiter("w-later", { service: "dws", jobId }), secretFields: ["jobId"] }]);
        const up = await workspace.stackCommand(stack, ["up"]);
        expect(up.code, up.output).to.equal(0);
        expect(up.output).to.match(/jobwaiter: dws job \*\*\* is a secret now, but stays this waiter's resource ID/);
        const notices = up.output.split("\n").filter((line) => line.includes("jobwaiter:"));
        expect(notices.length).to.be.at.least(1);
        // The fixture exports the waiter's resource ID, which is this job ID: only the notices are looked at.
        expect(notices.join("\n")).to.not.contain(jobId);
        const recorded = findExported(await workspace.exportState(stack), "w-later");
        expect(recorded?.id, "a replace would wait on the job again").to.equal(jobId);
        expect(recorded?.inputs?.secretInputs).to.deep.equal(["jobId"]);
        expect(JSON.stringify({ inputs: recorded?.inputs, outputs: recorded?.outputs })).to.not.contain(jobId);
    });

    it("secrets set with `pulumi config set --secret` never reach the exported state, the serialized provider or any output; a 401 names the service's error", async () => {
        const jobId = job({ service: "dws", durationMs: 1500 });
        const stack = await newStack([waiter("w-sec", { service: "dws", jobId })]);
        const up = await workspace.stackCommand(stack, ["up"]);
        expect(up.code, up.output).to.equal(0);
        const state = await workspace.exportState(stack);
        expect(findExported(state, "w-sec")?.outputs?.state).to.equal("succeeded");
        expectNoSecrets({ state: JSON.stringify(state), provider: String(findExported(state, "w-sec")?.inputs?.__provider), output: up.output });

        const wrongSecret = "wrong-secret-for-e2e-test-xyz";
        const denied = await newStack([waiter("w-401", { service: "dws", jobId })], {
            "huaweicloud:accessKey": AK,
            "huaweicloud:secretKey": wrongSecret,
            "huaweicloud:projectId": HOME.projectId,
        });
        const failed = await workspace.stackCommand(denied, ["up"]);
        expect(failed.code).to.not.equal(0);
        expect(failed.output).to.match(/HTTP 401.*APIGW\.0301/);
        expectNoSecrets({ state: JSON.stringify(await workspace.exportState(denied)), output: failed.output }, wrongSecret);
    });

    it("a token in the stack config beats an AK/SK pair in the provider's environment; HW_* and OS_PROJECT_ID are read", async () => {
        const envWorkspace = new PulumiWorkspace(workspace.cli, FIXTURE, { HW_ACCESS_KEY: AK, HW_SECRET_KEY: SK, OS_PROJECT_ID: HOME.projectId });
        try {
            const jobId = job({ service: "dws", durationMs: 100 });
            await envWorkspace.initStack(
                "tok",
                { "huaweicloud:token": TOKEN, "jobwaiter-test:waiters": JSON.stringify([waiter("w-tok", { service: "dws", jobId })]) },
                ["huaweicloud:token"],
            );
            const up = await envWorkspace.stackCommand("tok", ["up"]);
            expect(up.code, up.output).to.equal(0);
            const auth = emu.requests.filter((r) => r.jobId === jobId).map((r) => r.auth.via);
            expect(auth.length).to.be.at.least(1);
            expect(new Set(auth)).to.deep.equal(new Set(["token"]));

            const envJob = job({ service: "ddm", durationMs: 100 });
            await envWorkspace.initStack("env", { "jobwaiter-test:waiters": JSON.stringify([waiter("w-env", { service: "ddm", jobId: envJob })]) });
            const fromEnv = await envWorkspace.stackCommand("env", ["up"]);
            expect(fromEnv.code, fromEnv.output).to.equal(0);
            expect(emu.requests.filter((r) => r.jobId === envJob).every((r) => r.auth.via === "aksk")).to.equal(true);
            expectNoSecrets({ output: up.output + fromEnv.output, state: JSON.stringify(await envWorkspace.exportState("env")) });
        } finally {
            envWorkspace.dispose();
        }
    });

    it("state written from a checkout that later moved: the next up records the new location without waiting, then refresh and destroy work", async () => {
        const from = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-checkout-a-"));
        const to = `${from}-moved`;
        fs.cpSync(path.join(REPO_ROOT, "dist"), path.join(from, "dist"), { recursive: true });
        fs.copyFileSync(path.join(REPO_ROOT, "package.json"), path.join(from, "package.json"));
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(from, "node_modules"));
        const fixtureIn = (root: string) => path.join(root, path.relative(REPO_ROOT, FIXTURE));
        fs.mkdirSync(fixtureIn(from), { recursive: true });
        fs.copyFileSync(path.join(FIXTURE, "Pulumi.yaml"), path.join(fixtureIn(from), "Pulumi.yaml"));
        // One backend for both locations, as a user's stack outlives a renamed checkout.
        const movedTmp = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-e2e-moved-"));
        const at = (root: string) => new PulumiWorkspace(workspace.cli, fixtureIn(root), {}, movedTmp);
        try {
            const jobId = job({ service: "dws", durationMs: 100 });
            const first = at(from);
            await first.initStack(
                "moved",
                {
                    "huaweicloud:accessKey": AK,
                    "huaweicloud:secretKey": SK,
                    "huaweicloud:projectId": HOME.projectId,
                    "jobwaiter-test:waiters": JSON.stringify([waiter("w-moved", { service: "dws", jobId })]),
                },
                ["huaweicloud:secretKey"],
            );
            expect((await first.stackCommand("moved", ["up"])).code).to.equal(0);
            fs.renameSync(from, to);
            const moved = at(to);
            const requests = emu.requestCount(jobId);
            const again = await moved.stackCommand("moved", ["up"]);
            expect(again.code, again.output).to.equal(0);
            expect(steps(again, "w-moved")).to.deep.equal(["updated"]);
            expect(emu.requestCount(jobId), "the update does not wait again").to.equal(requests);
            const record = findExported(await moved.exportState("moved"), "w-moved");
            expect(JSON.stringify(record?.outputs)).to.not.contain(from + path.sep);
            expect(String(record?.inputs?.__provider), "the provider is loaded from the new checkout").to.contain(to + path.sep);
            expect(String(record?.inputs?.__provider)).to.not.contain(from + path.sep);
            const refreshed = await moved.stackCommand("moved", ["refresh"]);
            expect(refreshed.code, refreshed.output).to.equal(0);
            const destroyed = await moved.stackCommand("moved", ["destroy"]);
            expect(destroyed.code, destroyed.output).to.equal(0);
        } finally {
            for (const dir of [from, to, movedTmp]) fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
