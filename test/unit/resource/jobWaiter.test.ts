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

const SECRETS_PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const [config] = JSON.parse(process.argv[1]);
if (config) {
    const key = config.key ?? "huaweicloud:projectId";
    pulumi.runtime.setAllConfig({ [key]: config.value }, config.secret ? [key] : []);
}
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
pulumi.runtime.setMocks({
    newResource: (a) => {
        const secret = Object.keys(a.inputs).filter((key) => a.inputs[key] !== null && typeof a.inputs[key] === "object" && SECRET_SIG in a.inputs[key]);
        console.log(JSON.stringify({ name: a.name, marked: a.inputs.secretInputs ?? null, secret}));
        return { id: "x", state: a.inputs };
    },
    call: () => ({}),
});
const { JobWaiter } = require(${JSON.stringify(require.resolve("../../../provider"))});
// "secret:v" is pulumi.secret("v"), "output:v" pulumi.output("v"), "promise:v" Promise.resolve("v"); "output:" and "promise:" resolve to undefined.
const given = (value) =>
    typeof value !== "string" ? value
    : value.startsWith("secret:") ? pulumi.secret(value.slice(7))
    : value.startsWith("output:") ? pulumi.output(value.slice(7) || undefined)
    : value.startsWith("promise:") ? Promise.resolve(value.slice(8) || undefined)
    : value;
new JobWaiter("w", JSON.parse(process.argv[2], (key, value) => given(value)));
`;

describe("resource: JobWaiter secret inputs", () => {
    const table: [string, { key?: string; value: string; secret: boolean } | null, Record<string, unknown>, { marked: string[] | null; secret: string[] }][] = [
        ["no secret: no mark", null, { service: "dws", jobId: "j-1", projectId: "p1" }, { marked: null, secret: [] }],
        ["an input given as pulumi.secret is named", null, { service: "dws", jobId: "secret:j-1", projectId: "p1" }, { marked: ["jobId"], secret: ["jobId"] }],
        [
            "names in sorted order, whatever the order of the program's keys",
            null,
            { projectId: "secret:p1", service: "dws", jobId: "secret:j-1" },
            { marked: ["jobId", "projectId"], secret: ["jobId", "projectId"] },
        ],
        [
            "a secret huaweicloud:projectId becomes a secret input",
            { value: "p-config", secret: true },
            { service: "dws", jobId: "j-1" },
            { marked: ["projectId"], secret: ["projectId"] },
        ],
        [
            "a plain huaweicloud:projectId is left to the provider",
            { value: "p-config", secret: false },
            { service: "dws", jobId: "j-1" },
            { marked: null, secret: [] },
        ],
        [
            "a projectId output that resolves to nothing gets the secret config too",
            { value: "p-config", secret: true },
            { service: "dws", jobId: "j-1", projectId: "output:" },
            { marked: ["projectId"], secret: ["projectId"] },
        ],
        [
            "a projectId promise that resolves to nothing gets the secret config too",
            { value: "p-config", secret: true },
            { service: "dws", jobId: "j-1", projectId: "promise:" },
            { marked: ["projectId"], secret: ["projectId"] },
        ],
        [
            "a projectId promise with a value wins over secret config",
            { value: "p-config", secret: true },
            { service: "dws", jobId: "j-1", projectId: "promise:p1" },
            { marked: null, secret: [] },
        ],
        [
            "a projectId output with a value wins over secret config",
            { value: "p-config", secret: true },
            { service: "dws", jobId: "j-1", projectId: "output:p1" },
            { marked: null, secret: [] },
        ],
        [
            "a secret huaweicloud:region becomes a secret input where no endpoint is given",
            { key: "huaweicloud:region", value: "cn-north-4", secret: true },
            { service: "dws", jobId: "j-1", projectId: "p1" },
            { marked: ["region"], secret: ["region"] },
        ],
        [
            "a secret huaweicloud:region is left out beside an endpoint",
            { key: "huaweicloud:region", value: "cn-north-4", secret: true },
            { service: "dws", jobId: "j-1", projectId: "p1", endpoint: "https://dws.example.com" },
            { marked: null, secret: [] },
        ],
        [
            "a secret huaweicloud:region is given beside an endpoint output that resolves to nothing",
            { key: "huaweicloud:region", value: "cn-north-4", secret: true },
            { service: "dws", jobId: "j-1", projectId: "p1", endpoint: "output:" },
            { marked: ["region"], secret: ["region"] },
        ],
        [
            "a secret huaweicloud:region is given beside an endpoint promise that resolves to nothing",
            { key: "huaweicloud:region", value: "cn-north-4", secret: true },
            { service: "dws", jobId: "j-1", projectId: "p1", endpoint: "promise:" },
            { marked: ["region"], secret: ["region"] },
        ],
        [
            "a secret huaweicloud:region is left out beside an endpoint output with a value",
            { key: "huaweicloud:region", value: "cn-north-4", secret: true },
            { service: "dws", jobId: "j-1", projectId: "p1", endpoint: "output:https://dws.example.com" },
            { marked: null, secret: [] },
        ],
        [
            "a projectId given on the waiter wins over secret config",
            { value: "p-config", secret: true },
            { service: "dws", jobId: "j-1", projectId: "p1" },
            { marked: null, secret: [] },
        ],
    ];
    for (const [what, projectConfig, args, expected] of table) {
        it(what, () => {
            const out = execFileSync(process.execPath, ["-e", SECRETS_PROGRAM, JSON.stringify([projectConfig]), JSON.stringify(args)], {
                encoding: "utf8",
                timeout: 60_000,
                stdio: ["ignore", "pipe", "pipe"],
            });
            const seen = JSON.parse(out.trim().split("\n").at(-1)!);
            expect({ marked: seen.marked, secret: seen.secret }).to.deep.equal(expected);
        });
    }
});
