/**
 * `createLocalStack`: a user's own inline program with a JobWaiter, deployed by the real CLI
 * through the Automation API against the emulator.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { JobWaiter } from "../../provider/resource/jobWaiter";
import { JobApiEmulator } from "../../provider/testing/emulator";
import { createLocalStack } from "../../provider/testing/localStack";
import { ensurePulumiCli, REPO_ROOT } from "../support/pulumiCli";

const AK = "E2ELOCALSTACKAK00001";
const SK = "e2e-local-stack-secret-key-01";
const PROJECT = "0123456789abcdef0123456789abcdef";

/** A resource of the test's own `echo` provider plugin: `said` repeats `say`. */
class Echo extends pulumi.CustomResource {
    declare readonly said: pulumi.Output<string>;
    constructor(name: string, say: string) {
        super("echo:index:Echo", name, { say, said: undefined }, { version: "0.0.1" });
    }
}

describe("createLocalStack (Automation API, real CLI)", function () {
    this.timeout(120_000);

    it("deploys an inline program whose JobWaiter waits on an emulated job, then destroys it; the secret stays encrypted", async () => {
        const emulator = await JobApiEmulator.start({ accessKeys: { [AK]: SK } });
        const jobId = emulator.defineJob({ service: "ddm", projectId: PROJECT, durationMs: 1500, outcome: "succeeded" });
        const local = await createLocalStack({
            pulumiRoot: path.dirname(ensurePulumiCli().binDir),
            program: async () => {
                const waiter = new JobWaiter("ddm-ready", {
                    service: "ddm",
                    jobId,
                    endpoint: emulator.endpoint,
                    allowInsecureLoopback: true,
                    minPollIntervalSeconds: 0.1,
                });
                return { state: waiter.state, status: waiter.status, instance: waiter.instance as pulumi.Output<unknown> };
            },
            config: { "huaweicloud:accessKey": AK, "huaweicloud:projectId": PROJECT },
            secretConfig: { "huaweicloud:secretKey": SK },
        });
        try {
            let printed = "";
            const up = await local.stack.up({ onOutput: (text) => (printed += text) });
            expect(up.summary.result).to.equal("succeeded");
            expect(up.outputs.state.value).to.equal("succeeded");
            expect(up.outputs.status.value).to.equal("Completed");
            expect(printed).to.match(new RegExp(`jobwaiter: ddm job ${jobId} .*Completed`));
            expect(emulator.requestCount(jobId)).to.be.at.least(1);
            // What the backend persists (the Automation API's exportStack shows secrets in clear).
            const persisted = fs.readdirSync(path.join(local.dir, "state"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
            expect(persisted.length).to.be.at.least(1);
            for (const file of persisted) expect(fs.readFileSync(path.join(file.parentPath, file.name), "utf8"), file.name).to.not.contain(SK);
            expect(printed).to.not.contain(SK);
            const destroyed = await local.stack.destroy();
            expect(destroyed.summary.result).to.equal("succeeded");
        } finally {
            await local.dispose();
            await emulator.close();
        }
    });

    it("runs a program with another provider's resource, from the plugins installed in the user's Pulumi home, and leaves them there", async () => {
        // A provider plugin of our own, installed as `pulumi plugin install` lays one out.
        const userHome = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-user-pulumi-home-"));
        const pluginDir = path.join(userHome, "plugins", "resource-echo-v0.0.1");
        fs.mkdirSync(pluginDir, { recursive: true });
        const sdk = path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "provider");
        fs.writeFileSync(
            path.join(pluginDir, "provider.js"),
            `const provider = require(${JSON.stringify(sdk)});\n` +
                `provider.main({ version: "0.0.1", create: async (urn, inputs) => ({ id: "echo-1", outs: { said: inputs.say } }) }, process.argv.slice(2));\n`,
        );
        const plugin = path.join(pluginDir, "pulumi-resource-echo");
        fs.writeFileSync(plugin, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(pluginDir, "provider.js"))} "$@"\n`, {
            mode: 0o755,
        });
        const ambientHome = process.env.PULUMI_HOME;
        process.env.PULUMI_HOME = userHome;
        try {
            const local = await createLocalStack({
                pulumiRoot: path.dirname(ensurePulumiCli().binDir),
                program: async () => ({ said: new Echo("e", "hello").said }),
            });
            try {
                const up = await local.stack.up();
                expect(up.summary.result).to.equal("succeeded");
                expect(up.outputs.said.value).to.equal("hello");
            } finally {
                await local.dispose();
            }
            expect(fs.existsSync(plugin), "dispose removes the stack's home, not the user's plugins").to.equal(true);
        } finally {
            if (ambientHome === undefined) delete process.env.PULUMI_HOME;
            else process.env.PULUMI_HOME = ambientHome;
            fs.rmSync(userHome, { recursive: true, force: true });
        }
    });
});
