/**
 * Hostile 200 answers, for every service kind × every place their text can go: the error
 * message (JobFailedError, JobTimeoutError), the progress lines (the library's reporter and the
 * provider's stderr), the library's results and the provider's `create`/`read` outputs (with
 * allowFailure). Each place must hold no secret the waiter holds, no control or escape
 * character and no oversized text — and the job's real outcome must be what the unfiltered
 * status says.
 *
 * The rows are built from data, not written per kind: for each kind of SERVICE_KINDS the
 * emulator renders the documented body of a failed and of a succeeded job, and every string in
 * it except the status is replaced by a hostile payload (a third scenario puts the payload in the
 * status itself: an unknown status, so a wait that times out). A new kind gets its rows, or a
 * test saying it has none. A small real HTTP server on loopback sends the bodies.
 */
import { expect } from "chai";
import { MAX_BODY_BYTES } from "../../provider/http/client";
import { inspect } from "node:util";
import { JobFailedError, JobTimeoutError } from "../../provider/errors";
import { configure, create, read } from "../../provider/resource/handler";
import { createProgressReporter } from "../../provider/resource/progressReporter";
import { MAX_SERVER_TEXT } from "../../provider/serverText";
import { getService, SERVICE_KINDS, ServiceKind } from "../../provider/services";
import type { JobState } from "../../provider/services/types";
import { getJobStatus, waitForJob, WaitForJobOptions } from "../../provider/waiter";
import { FixedAnswerServer, startFixedAnswerServer } from "../support/fixedAnswerServer";
import { documentedBodies, kindsWithoutBodies, leaksEncoded, poison, strings, UNSAFE_CHARACTER } from "../support/hostileBodies";

const AK = "HOSTILEAK00000000001";
const SK = "sk-hostile-0123456789abcdefghij";
const STS = "sts-hostile-+/=0123456789abcdef";
const TOKEN = "MIIhostile-token-0123456789abcdefghijklmnop";
const PROJECT = "p0123456789";
const INSTANCE = "i0123456789";

/** How the waiter authenticates, and the secrets it then holds. */
const AUTH = {
    aksk: { credentials: { accessKey: AK, secretKey: SK, securityToken: STS }, held: [AK, SK, STS] },
    token: { credentials: { token: TOKEN }, held: [TOKEN] },
} as const;
type Auth = keyof typeof AUTH;

/** Hostile texts; each knows the secrets of the waiter it is sent to (a server may echo them). */
/** A hostile text for a waiter holding `held`, to fill each of a body's `slots` strings. */
type Payload = (held: readonly string[], slots: number) => string;

const PAYLOADS: Record<string, Payload> = {
    "the bare secret": (held) => held[held.length - 1],
    "secrets raw, URL-encoded, JSON-escaped and broken up by escapes": (held) =>
        held
            .map((s) => `raw ${s} url ${encodeURIComponent(s).toLowerCase()} json ${JSON.stringify(s)} split ${s.slice(0, 4)}\u001b[0m\u200b${s.slice(4)}`)
            .join(" | "),
    "secrets inside base64 (both alphabets, every offset, also wrapped into lines) and hex": (held) =>
        held
            .flatMap((s) =>
                ["", "u", "us"].flatMap((prefix) => {
                    const bytes = Buffer.from(`${prefix}${s}!`, "utf8");
                    const base64 = bytes.toString("base64");
                    return [base64, base64.match(/.{1,16}/g)!.join("\r\n"), bytes.toString("base64url"), bytes.toString("hex")];
                }),
            )
            .join(" "),
    "terminal escapes and control characters": () =>
        "\u001b[31mred\u001b[0m\u001b[2J\r\nFAKE LINE\u0007\u0000\u007f\u009b2J\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007 " +
        "\u001b]0;title\u001b\\\u202eevil\u202c\u2066x\u2069\u200b\u2028end\u0085",
    "nothing printable": () => "\u0000\u001b[2J\u202e\u200b\r\n",
    "100,000 characters with a secret across the length bound": (held, slots) =>
        `${"A".repeat(MAX_SERVER_TEXT - 8)}${held[0]}${"B".repeat(Math.min(100_000, Math.floor(OVERSIZED_BODY_BYTES / slots)))}`,
};

/**
 * The oversized payload fills every string of a body, so a body with many strings (sub-jobs)
 * gets shorter ones: the whole answer stays under the client's body limit, which refuses larger
 * answers before anything reads them.
 */
const OVERSIZED_BODY_BYTES = MAX_BODY_BYTES * 0.8;

/** Where a job ends, and what the waiter must report. */
const SCENARIOS = {
    failed: { emulated: "failed", poisonStatus: false, state: "failed" },
    succeeded: { emulated: "succeeded", poisonStatus: false, state: "succeeded" },
    "unknown status": { emulated: "failed", poisonStatus: true, state: "running" },
} as const satisfies Record<string, { emulated: "failed" | "succeeded"; poisonStatus: boolean; state: JobState }>;
type Scenario = keyof typeof SCENARIOS;

/** A message or line may hold a few server strings (job name, status, failure code and detail, an error's code and message) besides its own words. */
const MAX_MESSAGE = 6 * MAX_SERVER_TEXT + 1000;

/** Everything a place shows: texts that must be clean, and longer dumps that must only hold no secret. */
interface Seen {
    outcome: JobState | "timeout";
    /** Messages, progress lines and output strings: no secret, no control character, bounded. */
    texts: string[];
    /** Inspected objects and captured stderr: no secret. */
    dumps: string[];
}

function expectSafe(seen: Seen, held: readonly string[]): void {
    const forms = held.flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]).map((form) => form.toLowerCase());
    expect(seen.texts.length, "the place showed something").to.be.above(0);
    for (const text of [...seen.texts, ...seen.dumps]) {
        for (const form of forms) expect(text.toLowerCase(), "a secret, in any letter case").to.not.contain(form);
        for (const secret of held) expect(leaksEncoded(text, secret), "a secret, base64- or hex-encoded").to.equal(false);
    }
    for (const text of seen.texts) {
        expect(UNSAFE_CHARACTER.test(text), `a control character in ${JSON.stringify(text.slice(0, 200))}`).to.equal(false);
        expect(text.length, "length").to.be.at.most(MAX_MESSAGE);
    }
}

/** The state the unfiltered status means, read through the kind's adapter without any filter. */
function realState(kind: ServiceKind, body: unknown): JobState {
    return getService(kind).parse(body, "j", (text) => text).state;
}

describe("hostile 200 answers: every kind × every place", function () {
    this.timeout(60_000);
    let server: FixedAnswerServer;
    /** The documented bodies the emulator renders, by kind and terminal state. */
    let documented: Map<string, unknown>;

    before(async () => {
        server = await startFixedAnswerServer();
        documented = await documentedBodies(PROJECT, INSTANCE);
    });
    after(async () => {
        await server?.close();
    });

    it("every kind has rows: the emulator renders a documented body of each", () => {
        const missing = kindsWithoutBodies();
        expect(missing, "kinds without hostile rows (add them to the emulator)").to.deep.equal([]);
    });

    /** The hostile body of a row, and the settings that reach it. */
    function row(kind: ServiceKind, scenario: Scenario, makePayload: Payload, held: readonly string[]) {
        const { emulated, poisonStatus } = SCENARIOS[scenario];
        const body = documented.get(`${kind}/${emulated}`);
        expect(body, `a documented ${emulated} ${kind} body`).to.not.equal(undefined);
        const payload = makePayload(held, strings(body).length);
        const status = getService(kind).parse(body, "j", (text) => text).status;
        const hostile = poison(body, payload, poisonStatus ? undefined : status);
        const adapter = getService(kind);
        const settings = {
            service: kind,
            jobId: "job-hostile-1",
            projectId: PROJECT,
            ...(adapter.requiredIds.includes("instanceId") ? { instanceId: INSTANCE } : {}),
            endpoint: server.endpoint,
            allowInsecureLoopback: true,
            timeoutSeconds: 0.05,
            maxRequestsPerSecond: 1000,
            minPollIntervalSeconds: 0.01,
            maxPollIntervalSeconds: 0.02,
        };
        return { hostile, settings };
    }

    /** Run `fn` with the provider configured for `auth` and stderr captured. */
    async function asProvider<T>(auth: Auth, fn: () => Promise<T>): Promise<{ result: T | Error; stderr: string }> {
        const config: Record<string, string> = Object.fromEntries(Object.entries(AUTH[auth].credentials).map(([k, v]) => [`huaweicloud:${k}`, v]));
        await configure({ config: { get: (key: string) => config[key], require: (key: string) => config[key] ?? "" } });
        let stderr = "";
        const original = process.stderr.write.bind(process.stderr);
        process.stderr.write = ((chunk: string | Uint8Array) => {
            stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
            return true;
        }) as typeof process.stderr.write;
        try {
            return { result: await fn().catch((e: Error) => e), stderr };
        } finally {
            process.stderr.write = original;
            await configure({ config: { get: () => undefined, require: () => "" } });
        }
    }

    /** What the outcome of a wait was, and the clean texts an error or a status carries. */
    function outcomeOf(result: unknown): Pick<Seen, "outcome" | "texts"> {
        if (result instanceof JobTimeoutError) return { outcome: "timeout", texts: [result.message] };
        if (result instanceof JobFailedError) return { outcome: "failed", texts: [result.message, ...strings(result.status)] };
        if (result instanceof Error) throw result;
        const outputs = result as Record<string, unknown>;
        return { outcome: outputs.state as JobState, texts: strings(outputs) };
    }

    type Place = (kind: ServiceKind, scenario: Scenario, payload: Payload, auth: Auth) => Promise<Seen>;
    const PLACES: Record<string, Place> = {
        "waitForJob: error message or result, and its progress lines": async (kind, scenario, payload, auth) => {
            const { hostile, settings } = row(kind, scenario, payload, AUTH[auth].held);
            server.body = hostile;
            const lines: string[] = [];
            const reporter = createProgressReporter({ job: `${kind} job ${settings.jobId}`, write: (line) => lines.push(line), minIntervalMs: 0 });
            const options: WaitForJobOptions = {
                ...settings,
                ...AUTH[auth].credentials,
                env: {},
                onProgress: reporter.status,
                onRetry: reporter.retry,
            };
            const result = await waitForJob(options).catch((e: Error) => e);
            const { outcome, texts } = outcomeOf(result);
            expect(lines.length, "progress lines").to.be.above(0);
            return { outcome, texts: [...texts, ...lines], dumps: [inspect(result, { depth: 10, showHidden: true }), JSON.stringify(result)] };
        },
        "getJobStatus: the status": async (kind, scenario, payload, auth) => {
            const { hostile, settings } = row(kind, scenario, payload, AUTH[auth].held);
            server.body = hostile;
            const status = await getJobStatus({ ...settings, ...AUTH[auth].credentials, env: {} });
            return { outcome: status.state, texts: strings(status), dumps: [inspect(status, { depth: 10 })] };
        },
        "provider create (allowFailure): outputs, error message and stderr progress lines": async (kind, scenario, payload, auth) => {
            const { hostile, settings } = row(kind, scenario, payload, AUTH[auth].held);
            server.body = hostile;
            const { result, stderr } = await asProvider(auth, () => create({ ...settings, allowFailure: true }).then((r) => r.outs as Record<string, unknown>));
            const { outcome, texts } = outcomeOf(result);
            const lines = stderr.split("\n").filter((line) => line !== "");
            expect(lines.length, "progress lines on stderr").to.be.above(0);
            return { outcome, texts: [...texts, ...lines], dumps: [stderr, inspect(result, { depth: 10 })] };
        },
        "provider read (allowFailure): outputs or error message": async (kind, scenario, payload, auth) => {
            const { hostile, settings } = row(kind, scenario, payload, AUTH[auth].held);
            server.body = hostile;
            const props = { ...settings, allowFailure: true, state: "succeeded", status: "recorded" };
            const { result, stderr } = await asProvider(auth, () => read(settings.jobId, props).then((r) => r.props as Record<string, unknown>));
            const { outcome, texts } = outcomeOf(result);
            return { outcome, texts: [...texts, ...stderr.split("\n").filter((line) => line !== "")], dumps: [stderr, inspect(result, { depth: 10 })] };
        },
    };

    /** What each place must report for a scenario: the state the unfiltered status means. */
    const expectedOutcome = (place: string, kind: ServiceKind, scenario: Scenario): Seen["outcome"] => {
        const { hostile } = row(kind, scenario, () => "x", []);
        const state = realState(kind, hostile);
        expect(state, "the scenario's real state").to.equal(SCENARIOS[scenario].state);
        if (state === "running" && !place.startsWith("getJobStatus")) return "timeout";
        return state;
    };

    for (const kind of SERVICE_KINDS) {
        describe(kind, () => {
            for (const scenario of Object.keys(SCENARIOS) as Scenario[]) {
                for (const [payloadName, makePayload] of Object.entries(PAYLOADS)) {
                    for (const auth of Object.keys(AUTH) as Auth[]) {
                        for (const [place, run] of Object.entries(PLACES)) {
                            it(`${scenario} · ${payloadName} · ${auth} · ${place}`, async () => {
                                const before = server.requests;
                                const seen = await run(kind, scenario, makePayload, auth);
                                expect(server.requests, "the waiter asked the hostile server").to.be.above(before);
                                expect(seen.outcome, "the job's real outcome").to.equal(expectedOutcome(place, kind, scenario));
                                expectSafe(seen, AUTH[auth].held);
                            });
                        }
                    }
                }
            }
        });
    }
});
