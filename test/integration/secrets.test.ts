/**
 * Secrets never leave: after success, job failure, timeout, API errors (including a hostile
 * server that echoes the secret back) and transport failures, the secret key and the token
 * appear in no error message, inspected error object, result, progress line or console output.
 * (State, host output and the serialized provider are checked in test/engine and test/unit/resource.)
 */
import { expect } from "chai";
import { inspect } from "node:util";
import { JobApiEmulator, EmulatedJobDefinition, FaultSpec } from "../../provider/testing/emulator";
import { formatProgressLine } from "../../provider/resource/progressReporter";
import { JobFailedError } from "../../provider/errors";
import { waitForJob, WaitForJobOptions } from "../../provider/waiter";

const AK = "SECRETSTESTAK0000001";
const SK = "sk-secrets-test-0123456789abcdefghij";
const TOKEN = "MIItoken-secrets-test-0123456789abcdef";
const PROJECT = "p0123456789";

describe("secrets never leak (library)", function () {
    this.timeout(20_000);
    let emu: JobApiEmulator;
    let captured = "";
    const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

    before(async () => {
        emu = await JobApiEmulator.start({ accessKeys: { [AK]: SK }, tokens: [TOKEN] });
        const tap = (original: typeof originals.out) =>
            ((chunk: string | Uint8Array, ...rest: unknown[]) => {
                captured += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
                return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
            }) as typeof process.stdout.write;
        process.stdout.write = tap(originals.out);
        process.stderr.write = tap(originals.err);
    });
    after(async () => {
        process.stdout.write = originals.out;
        process.stderr.write = originals.err;
        await emu.close();
    });

    /** A wait on the emulator for `jobId`, with no credentials yet. */
    const onEmulator = (jobId: string): WaitForJobOptions => ({
        service: "dws",
        jobId,
        projectId: PROJECT,
        endpoint: emu.endpoint,
        allowInsecureLoopback: true,
        env: {},
    });

    const scenarios: [string, Partial<EmulatedJobDefinition>, Partial<WaitForJobOptions>][] = [
        ["success", {}, {}],
        ["job failure", { outcome: "failed", failedCode: "DWS.0114", failedDetail: "no ELB" }, {}],
        ["timeout", { durationMs: 60_000 }, { timeoutSeconds: 0.3 }],
        ["403 API error", { faults: [{ kind: "status", status: 403 }] as FaultSpec[] }, {}],
        [
            "hostile 401 echoing the secret key",
            { faults: [{ kind: "status", status: 401, errorMsg: `signature mismatch, expected key ${SK}` }] as FaultSpec[] },
            {},
        ],
        [
            "hostile 400 echoing the token",
            { faults: [{ kind: "status", status: 400, errorCode: TOKEN, errorMsg: `bad token ${TOKEN}` }] as FaultSpec[] },
            { accessKey: undefined, secretKey: undefined, token: TOKEN },
        ],
        ["hostile 503 storm echoing the secret, then success", { faults: [{ kind: "status", status: 503, errorMsg: SK, count: 2 }] as FaultSpec[] }, {}],
    ];

    for (const [name, jobDef, extra] of scenarios) {
        for (const auth of ["aksk", "token"] as const) {
            it(`${name} (${auth})`, async () => {
                const jobId = emu.defineJob({ service: "dws", projectId: PROJECT, durationMs: 100, outcome: "succeeded", ...jobDef });
                const lines: string[] = [];
                const credentials = auth === "aksk" ? { accessKey: AK, secretKey: SK } : { token: TOKEN };
                const options: WaitForJobOptions = {
                    ...onEmulator(jobId),
                    minPollIntervalSeconds: 0.02,
                    maxPollIntervalSeconds: 0.1,
                    onProgress: (s) => lines.push(formatProgressLine(s, 0)),
                    ...credentials,
                    ...extra,
                };
                // The secrets this waiter holds (a server may echo others it knows; that is not our leak).
                const secrets = [options.secretKey, options.token].filter((v): v is string => typeof v === "string");
                expect(secrets).to.have.length(1);
                const outcome = await waitForJob(options).catch((e: unknown) => e);
                const texts = [
                    inspect(outcome, { depth: 10, showHidden: true }),
                    JSON.stringify(outcome),
                    outcome instanceof Error ? `${outcome.message}\n${outcome.stack}` : "",
                    lines.join("\n"),
                    captured,
                ];
                for (const text of texts) for (const secret of secrets) expect(text).to.not.contain(secret);
            });
        }
    }

    it("the hostile echo is visible only as ***", async () => {
        const jobId = emu.defineJob({
            service: "dws",
            projectId: PROJECT,
            durationMs: 100,
            outcome: "succeeded",
            faults: [{ kind: "status", status: 401, errorMsg: `expected ${SK}` }],
        });
        const error = await waitForJob({ ...onEmulator(jobId), accessKey: AK, secretKey: SK }).catch((e: Error) => e);
        expect((error as Error).message).to.contain("expected ***");
    });

    it("values given in redact are *** in statuses and errors, even where server text is cut short", async () => {
        const hidden = "hidden-instance-0123456789";
        // The value starts at character 290 of the detail: a cut at 300 characters would leave "hidden-in".
        const detail = `${"x".repeat(289)} ${hidden}`;
        const jobId = emu.defineJob({ service: "dws", projectId: PROJECT, durationMs: 0, outcome: "failed", failedCode: "DWS.0114", failedDetail: detail });
        const error = await waitForJob({ ...onEmulator(jobId), accessKey: AK, secretKey: SK, redact: [hidden] }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(JobFailedError);
        expect((error as JobFailedError).status.failedDetail).to.equal(`${"x".repeat(289)} ***`);
        expect(inspect(error, { depth: 5 })).to.not.contain(hidden.slice(0, 6));
        const plain = (await waitForJob({ ...onEmulator(jobId), accessKey: AK, secretKey: SK }).catch((e: unknown) => e)) as JobFailedError;
        expect(plain.status.failedDetail, "without it, the cut text holds the start of the value").to.contain("hidden-in");
    });
});
