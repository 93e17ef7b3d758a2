/**
 * `npm run emulator`'s setup: the `pulumi config set` commands it prints, applied as written to a
 * stack of the examples project, deploy every example through the real dynamic-provider host.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { configCommands, EMULATOR_ECS_SERVER, startExampleEmulator } from "../../examples/emulator";
import { deploy, killAllChildren } from "../../provider/testing/engine";
import type { JobApiEmulator } from "../../provider/testing/emulator";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** `pulumi config set [--secret] key value` lines → stack config (keys namespaced as the CLI does) and the secret keys. */
function asStackConfig(lines: string[]): { config: Record<string, string>; secretConfig: string[] } {
    const config: Record<string, string> = {};
    const secretConfig: string[] = [];
    for (const line of lines) {
        const words = line.split(" ");
        expect(words.slice(0, 3)).to.deep.equal(["pulumi", "config", "set"]);
        const secret = words[3] === "--secret";
        const [key, value] = words.slice(secret ? 4 : 3);
        const full = key.includes(":") ? key : `jobwaiter-examples:${key}`;
        config[full] = value;
        if (secret) secretConfig.push(full);
    }
    return { config, secretConfig };
}

describe("examples/emulator: the printed config deploys every example", function () {
    this.timeout(120_000);
    let emulator: JobApiEmulator;
    let examples: Awaited<ReturnType<typeof startExampleEmulator>>["examples"];
    before(async () => {
        ({ emulator, examples } = await startExampleEmulator(0, 300));
    });
    after(async () => {
        await emulator.close();
        await killAllChildren();
    });

    it("dws, ddm, roma and ecs succeed (the server ID reaches the dependent resource), cfw's failure is recorded (allowFailure), all through the provider host", async () => {
        const results = await Promise.all(
            examples.map(async (setup) => {
                const { config, secretConfig } = asStackConfig(configCommands(emulator.endpoint, setup));
                const r = await deploy({
                    program: path.join(ROOT, "dist", "examples", "index.js"), // Pulumi.yaml's main
                    project: "jobwaiter-examples",
                    stack: "emulator",
                    config,
                    secretConfig,
                    hostCwd: ROOT,
                    isolateHostEnv: true,
                    timeoutMs: 90_000,
                });
                return { example: setup.example, ok: r.ok, error: r.error, outputs: r.outputs };
            }),
        );
        expect(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).to.match(/^main: dist\/examples\/index\.js$/m);
        for (const r of results) expect(r.ok, `${r.example}: ${r.error}`).to.equal(true);
        const byName = Object.fromEntries(results.map((r) => [r.example, r.outputs]));
        expect(byName["dws-cluster"].dwsJobState).to.equal("succeeded");
        expect(byName["ddm-instance"].ddmStatus).to.equal("Completed");
        expect(byName["roma-asset-export"].romaStatus).to.equal("SUCCEEDED");
        expect(byName["cfw-job"]).to.include({ cfwState: "failed", cfwFailedCode: "CFW.00200005" });
        expect(byName["ecs-server"]).to.include({ ecsJobStatus: "SUCCESS", ecsServerId: EMULATOR_ECS_SERVER, dependentSawServerId: EMULATOR_ECS_SERVER });
    });
});
