/**
 * Every program under `examples/`, deployed with the real Pulumi CLI from the repository root
 * (its Pulumi.yaml) against the emulator, configured with the `pulumi config set` lines that
 * `npm run emulator` prints, applied as written.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { configCommands, EMULATOR_ECS_SERVER, startExampleEmulator } from "../../examples/emulator";
import type { JobApiEmulator } from "../../provider/testing/emulator";
import { ensurePulumiCli, findExported, PulumiWorkspace, REPO_ROOT } from "../support/pulumiCli";

/** Apply one printed `pulumi config set [--secret] key value` line to `stack`. */
async function applyPrinted(workspace: PulumiWorkspace, stack: string, line: string): Promise<void> {
    const words = line.split(" ");
    expect(words.slice(0, 3), line).to.deep.equal(["pulumi", "config", "set"]);
    const secret = words[3] === "--secret";
    const [key, value] = words.slice(secret ? 4 : 3);
    await workspace.setConfig(stack, key, value, secret);
}

describe("examples/ through the real Pulumi CLI", function () {
    this.timeout(300_000);
    let emulator: JobApiEmulator;
    let examples: Awaited<ReturnType<typeof startExampleEmulator>>["examples"];
    let workspace: PulumiWorkspace;

    before(async () => {
        workspace = new PulumiWorkspace(ensurePulumiCli(), REPO_ROOT);
        ({ emulator, examples } = await startExampleEmulator(0, 1500));
    });
    after(async () => {
        await emulator?.close();
        workspace?.dispose();
    });

    it("a stack file of the user's own beside the project (as `npm run emulator` has them create) is neither read nor touched", async () => {
        // A copy of the root project with the user's `Pulumi.dws-cluster.yaml` beside it (another passphrase's salt).
        const checkout = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-user-checkout-"));
        try {
            fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(checkout, "Pulumi.yaml"));
            const mine = "encryptionsalt: v1:c2FsdHNhbHQ=:v1:b3RoZXIgcGFzc3BocmFzZQ==:bm9wZQ==\nconfig:\n  jobwaiter-examples:dwsJobId: my-real-job-id-0001\n";
            fs.writeFileSync(path.join(checkout, "Pulumi.dws-cluster.yaml"), mine);
            const beside = new PulumiWorkspace(workspace.cli, checkout);
            try {
                await beside.initStack("dws-cluster", { "jobwaiter-examples:example": "dws-cluster" });
            } finally {
                beside.dispose();
            }
            expect(fs.readFileSync(path.join(checkout, "Pulumi.dws-cluster.yaml"), "utf8")).to.equal(mine);
        } finally {
            fs.rmSync(checkout, { recursive: true, force: true });
        }
    });

    it("pulumi up of every example: dws, ddm, roma and ecs succeed into their dependents (the server ID chained), cfw's failure is recorded (allowFailure)", async () => {
        const outputs: Record<string, Record<string, unknown>> = {};
        for (const setup of examples) {
            const stack = setup.example;
            await workspace.initStack(stack, {});
            for (const line of configCommands(emulator.endpoint, setup)) await applyPrinted(workspace, stack, line);
            const up = await workspace.stackCommand(stack, ["up"]);
            expect(up.code, up.output).to.equal(0);
            outputs[stack] = await workspace.outputs(stack);
            const state = await workspace.exportState(stack);
            const waiter = state.deployment.resources?.find((r) => r.type === "pulumi-nodejs:dynamic/huaweicloud:JobWaiter");
            expect(waiter?.outputs?.state, `${stack}: waiter recorded`).to.be.oneOf(["succeeded", "failed"]);
        }
        expect(outputs["dws-cluster"]).to.include({ dwsJobState: "succeeded", dwsJobStatus: "SUCCESS", dependentSawStatus: "SUCCESS" });
        expect(outputs["ddm-instance"].ddmStatus).to.equal("Completed");
        expect(outputs["roma-asset-export"].romaStatus).to.equal("SUCCEEDED");
        expect(outputs["cfw-job"]).to.include({ cfwState: "failed", cfwFailedCode: "CFW.00200005" });
        expect(outputs["ecs-server"]).to.include({ ecsJobStatus: "SUCCESS", ecsServerId: EMULATOR_ECS_SERVER, dependentSawServerId: EMULATOR_ECS_SERVER });
        const dependent = findExported(await workspace.exportState("dws-cluster"), "dws-cluster-ready");
        expect(dependent?.outputs).to.include({ status: "SUCCESS", jobName: "createCluster" });
    });
});
