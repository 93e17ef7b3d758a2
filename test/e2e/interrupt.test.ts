/**
 * Ctrl-C as a user presses it: SIGINT to the `pulumi` process during a JobWaiter's create, once
 * and twice, and the next `pulumi up` after each.
 *
 * What the engine allows: the first Ctrl-C makes it cancel — it starts no new step and sends
 * `Cancel` to the providers, which the Node.js dynamic-provider host ignores — while in-flight
 * creates run to their end. The second Ctrl-C terminates: each provider process is sent SIGINT
 * (SIGKILL 5 s later), and the interrupted create stays in the state as a pending operation.
 * The provider host is shared by every dynamic resource of the program: when another provider in
 * it handles SIGINT itself, a JobWaiter stops its waits and leaves the process to that provider.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REATTACH_HINT } from "../../provider/resource/handler";
import { JobApiEmulator } from "../../provider/testing/emulator";
import { ensurePulumiCli, findExported, PulumiWorkspace, REPO_ROOT } from "../support/pulumiCli";

const AK = "E2EINTERRUPTAK000001";
const SK = "e2e-interrupt-secret-key-0001";
const PROJECT = "0123456789abcdef0123456789abcdef";
const FIXTURE = path.join(REPO_ROOT, "test", "e2e", "fixtures", "waiters");
/** The engine's own limit between its SIGINT to a provider and its SIGKILL. */
const ENGINE_KILL_AFTER_MS = 5000;
/** Longer than any test: each test ends its job when it needs to. */
const LONG_JOB_MS = 600_000;

describe("Ctrl-C during pulumi up (real CLI)", function () {
    this.timeout(180_000);
    let emu: JobApiEmulator;
    let workspace: PulumiWorkspace;

    before(async () => {
        workspace = new PulumiWorkspace(ensurePulumiCli(), FIXTURE);
        emu = await JobApiEmulator.start({ accessKeys: { [AK]: SK } });
    });
    after(async () => {
        await emu?.close();
        workspace?.dispose();
    });

    /** A job that runs until {@link finishSoon} (defining it again restarts its clock). */
    function runningJob(jobId?: string, durationMs = LONG_JOB_MS): string {
        return emu.defineJob({ service: "dws", projectId: PROJECT, jobId, durationMs, outcome: "succeeded" });
    }
    const finishSoon = (jobId: string) => runningJob(jobId, 1500);

    async function stackWithJob(stack: string): Promise<string> {
        await workspace.initStack(stack, { "huaweicloud:accessKey": AK, "huaweicloud:secretKey": SK, "huaweicloud:projectId": PROJECT }, [
            "huaweicloud:secretKey",
        ]);
        const jobId = runningJob();
        const args = { service: "dws", jobId, endpoint: emu.endpoint, allowInsecureLoopback: true, minPollIntervalSeconds: 0.2, maxPollIntervalSeconds: 1 };
        await workspace.setConfig(stack, "jobwaiter-test:waiters", JSON.stringify([{ name: "w-int", args }]));
        return jobId;
    }

    it("one Ctrl-C: the wait goes on to the job's end, no dependent is created; the next up creates it without waiting again", async () => {
        const jobId = await stackWithJob("once");
        const up = workspace.startStackCommand("once", ["up"]);
        await up.waitFor(new RegExp(`dws job ${jobId} .*RUNNING`));
        up.child.kill("SIGINT");
        await up.waitFor(/\^C received; cancelling/);
        await new Promise((r) => setTimeout(r, 2000));
        expect(up.output(), "still waiting after the first Ctrl-C").to.not.match(/JobWaiter w-int created/);
        finishSoon(jobId);
        const result = await up.done;
        expect(result.code).to.not.equal(0);
        expect(result.output).to.match(/JobWaiter w-int created/);
        expect(result.output).to.match(new RegExp(`dws job ${jobId} .*SUCCESS`));
        expect(result.output).to.match(/update canceled/);
        const state = await workspace.exportState("once");
        expect(findExported(state, "w-int")?.outputs?.state).to.equal("succeeded");
        expect(findExported(state, "w-int-dependent")).to.equal(undefined);

        const polled = emu.requestCount(jobId);
        const again = await workspace.stackCommand("once", ["up"]);
        expect(again.code, again.output).to.equal(0);
        expect(again.output).to.match(/Dependent w-int-dependent created/);
        expect(again.output).to.not.match(/JobWaiter w-int (created|updated|replaced)/);
        expect(emu.requestCount(jobId), "the finished wait is not repeated").to.equal(polled);
    });

    it("two Ctrl-C: the provider stops waiting at once and exits; the next up re-attaches to the same job despite the pending create", async () => {
        const jobId = await stackWithJob("twice");
        const up = workspace.startStackCommand("twice", ["up"]);
        await up.waitFor(new RegExp(`dws job ${jobId} .*RUNNING`));
        up.child.kill("SIGINT");
        await up.waitFor(/\^C received; cancelling/);
        const secondAt = Date.now();
        up.child.kill("SIGINT");
        const result = await up.done;
        const exitedAfterMs = Date.now() - secondAt;
        expect(result.code).to.not.equal(0);
        expect(result.output).to.match(/\^C received; terminating/);
        expect(result.output).to.match(/w-int creating \(interrupted\)/);
        expect(result.output).to.contain(`jobwaiter: dws job ${jobId}: stopped waiting (SIGINT); the job itself keeps running. ${REATTACH_HINT}`);
        expect(exitedAfterMs, "the provider ended on SIGINT, before the engine's SIGKILL").to.be.below(ENGINE_KILL_AFTER_MS);
        const state = await workspace.exportState("twice");
        expect(state.deployment.pending_operations?.map((op) => [op.type, op.resource.urn.split("::").at(-1)])).to.deep.equal([["creating", "w-int"]]);
        expect(emu.requestCount(jobId)).to.be.at.least(1);

        const polled = emu.requestCount(jobId);
        const next = workspace.startStackCommand("twice", ["up"]);
        await next.waitFor(new RegExp(`dws job ${jobId} .*RUNNING`));
        finishSoon(jobId);
        const again = await next.done;
        expect(again.code, again.output).to.equal(0);
        expect(again.output).to.match(/1 pending operations from previous deployment/);
        expect(again.output).to.match(/JobWaiter w-int created/);
        expect(emu.requestCount(jobId), "the same job was polled again").to.be.above(polled);
        expect(findExported(await workspace.exportState("twice"), "w-int")?.outputs).to.include({ jobId, state: "succeeded" });

        // The engine keeps the pending create (and its warning) until it is cleared; for a
        // JobWaiter nothing exists in the cloud, so dropping it is safe.
        const cleared = await workspace.stackCommand("twice", ["refresh", "--clear-pending-creates"]);
        expect(cleared.code, cleared.output).to.equal(0);
        const after = await workspace.exportState("twice");
        expect(after.deployment.pending_operations ?? []).to.deep.equal([]);
        expect(findExported(after, "w-int")?.outputs).to.include({ jobId, state: "succeeded" });
    });

    it("two Ctrl-C while another dynamic provider of the same host creates and handles SIGINT itself: the waits stop, and that provider's clean-up runs to its end", async () => {
        const jobId = await stackWithJob("neighbour");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-neighbour-"));
        const marker = path.join(dir, "marker");
        try {
            await workspace.setConfig("neighbour", "jobwaiter-test:signalMarker", marker);
            const up = workspace.startStackCommand("neighbour", ["up"]);
            await up.waitFor(new RegExp(`dws job ${jobId} .*RUNNING`));
            while (!fs.existsSync(marker)) await new Promise((r) => setTimeout(r, 100));
            up.child.kill("SIGINT");
            await up.waitFor(/\^C received; cancelling/);
            const secondAt = Date.now();
            up.child.kill("SIGINT");
            const result = await up.done;
            expect(result.code).to.not.equal(0);
            expect(result.output).to.contain(`jobwaiter: dws job ${jobId}: stopped waiting (SIGINT); the job itself keeps running.`);
            // The JobWaiter alone would end the process 1 s after the signal; the other provider's
            // clean-up takes 2.5 s and ends it itself, before the engine's SIGKILL.
            expect(fs.readFileSync(marker, "utf8"), "the other provider's clean-up ran to its end").to.equal("cleanup done");
            expect(Date.now() - secondAt).to.be.below(ENGINE_KILL_AFTER_MS);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
