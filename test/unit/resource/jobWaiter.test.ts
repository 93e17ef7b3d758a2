/**
 * The `JobWaiter` class as a program sees it: every output in `OUTPUTS` is a property, also those
 * that repeat an input the program left out (projectId from stack config). Run under Pulumi's
 * mocks in a child process, so that the mocks' global state stays out of the other tests.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { OUTPUT_KEYS } from "../../../provider/resource/outputs";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks({
    newResource: (a) => ({ id: a.inputs.jobId, state: { ...a.inputs, projectId: "p-from-config", state: "succeeded" } }),
    call: () => ({}),
});
const { JobWaiter } = require(${JSON.stringify(require.resolve("../../../provider"))});
const waiter = new JobWaiter("w", { service: "ecs", jobId: "j-1" });
const keys = JSON.parse(process.argv[1]);
const missing = keys.filter((key) => !pulumi.Output.isInstance(waiter[key]));
pulumi.all([waiter.projectId, waiter.state]).apply(([projectId, state]) => console.log(JSON.stringify({ missing, projectId, state })));
`;

describe("resource: JobWaiter outputs", () => {
    it("every output is an Output property, an input left out (projectId from config) included", () => {
        const out = execFileSync(process.execPath, ["-e", PROGRAM, JSON.stringify(OUTPUT_KEYS)], {
            encoding: "utf8",
            timeout: 60_000,
            stdio: ["ignore", "pipe", "pipe"],
        });
        expect(JSON.parse(out.trim().split("\n").at(-1)!)).to.deep.equal({ missing: [], projectId: "p-from-config", state: "succeeded" });
    });
});
