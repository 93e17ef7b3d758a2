/**
 * Bad input: every option refused before any request, with a message that names the field,
 * shows the value and says what is allowed; an unknown key of waitForJob/getJobStatus too.
 */
import { expect } from "chai";
import { ConfigError, JobCancelledError } from "../../provider/errors";
import { inspect } from "node:util";
import { ALL_SETTING_KEYS, JobWaitSettings, resolveWaitSettings, SettingSpec, SETTINGS } from "../../provider/options";
import { systemClock } from "../../provider/polling/clock";
import { progressAwarePolicy } from "../../provider/polling/policy";
import { getJobStatus, waitForJob, WaitForJobOptions } from "../../provider/waiter";

const good: JobWaitSettings = {
    service: "dws",
    jobId: "2c9080e88459fa44018459fbeb600001",
    projectId: "05f2cff45100d5112f4bc00b794ea08e",
    region: "cn-north-4",
};

/** [what, override, field named in the error, text the message must contain] */
const BAD: [string, Partial<Record<keyof JobWaitSettings, unknown>>, string, RegExp][] = [
    ["unknown service kind", { service: "obs" }, "service", /"obs".*"dws", "ddm", "roma", "cfw", "ecs"/],
    ["service in upper case", { service: "DWS" }, "service", /"DWS"/],
    ["service missing", { service: undefined }, "service", /\(missing\)/],
    ["service not a string", { service: 42 }, "service", /42/],
    ["empty job ID", { jobId: "" }, "jobId", /""/],
    ["job ID missing", { jobId: undefined }, "jobId", /\(missing\)/],
    ["job ID path traversal", { jobId: "../../v3/other/jobs/x" }, "jobId", /"\.\.\/\.\.\/v3/],
    ["job ID dot-dot", { jobId: ".." }, "jobId", /letter or digit/],
    ["job ID with query injection", { jobId: "abc?x=1" }, "jobId", /abc\?x=1/],
    ["job ID with fragment", { jobId: "abc#frag" }, "jobId", /A–Z/],
    ["job ID with slash", { jobId: "a/b" }, "jobId", /"a\/b"/],
    ["job ID with space", { jobId: "a b" }, "jobId", /"a b"/],
    ["job ID with newline (header/log injection)", { jobId: "abc\r\nX-Evil: 1" }, "jobId", /\\r\\n/],
    ["job ID with percent-encoding", { jobId: "%2e%2e" }, "jobId", /%2e%2e/],
    ["job ID with unicode", { jobId: "jöb" }, "jobId", /jöb/],
    ["job ID too long", { jobId: "a".repeat(129) }, "jobId", /129 chars/],
    ["job ID not a string", { jobId: 12345 }, "jobId", /12345/],
    ["project ID with slash", { projectId: "p/../q" }, "projectId", /"p\/\.\.\/q"/],
    ["project ID empty", { projectId: "" }, "projectId", /32 hexadecimal/],
    ["project ID too long", { projectId: "p".repeat(65) }, "projectId", /1–64/],
    ["ROMA without instance ID", { service: "roma" }, "instanceId", /"roma" service needs the instance ID/],
    ["instance ID for DWS", { instanceId: "i-1" }, "instanceId", /only "roma"/],
    ["ROMA instance ID traversal", { service: "roma", instanceId: "../x" }, "instanceId", /"\.\.\/x"/],
    ["no region and no endpoint", { region: undefined }, "region", /cn-north-4/],
    ["malformed region", { region: "CN North 4" }, "region", /CN North 4/],
    ["region with slash", { region: "cn-north-4/evil" }, "region", /cn-north-4\/evil/],
    ["plain http endpoint", { endpoint: "http://dws.example.com" }, "endpoint", /https/],
    ["http loopback without opt-in", { endpoint: "http://127.0.0.1:8080" }, "endpoint", /127\.0\.0\.1/],
    ["endpoint with credentials in URL", { endpoint: "https://user:pass@dws.example.com" }, "endpoint", /endpoint/],
    ["endpoint with path", { endpoint: "https://dws.example.com/v1.0/x" }, "endpoint", /endpoint/],
    ["endpoint not a URL", { endpoint: "dws.example.com" }, "endpoint", /dws\.example\.com/],
    ["ftp endpoint", { endpoint: "ftp://dws.example.com" }, "endpoint", /ftp/],
    ["negative timeout", { timeoutSeconds: -5 }, "timeoutSeconds", /-5.*at least 0\.001/],
    ["zero timeout", { timeoutSeconds: 0 }, "timeoutSeconds", /at least 0\.001/],
    ["a timeout that rounds to 0 ms", { timeoutSeconds: 0.0004 }, "timeoutSeconds", /0\.0004.*at least 0\.001/],
    ["allowInsecureLoopback not boolean, even without an endpoint", { allowInsecureLoopback: "yes" }, "allowInsecureLoopback", /"yes".*true or false/],
    [
        "only the maximum set, below the default minimum: the maximum is blamed",
        { maxPollIntervalSeconds: 0.5 },
        "maxPollIntervalSeconds",
        /0\.5.*no smaller than minPollIntervalSeconds \(1, the default\)/,
    ],
    ["absurd timeout", { timeoutSeconds: 1e9 }, "timeoutSeconds", /at most 604800/],
    ["NaN timeout (Number of an unset config) is shown as NaN", { timeoutSeconds: Number.NaN }, "timeoutSeconds", /timeoutSeconds: NaN\. Allowed: a number/],
    ["timeout as a string", { timeoutSeconds: "60" }, "timeoutSeconds", /"60"/],
    ["infinite timeout", { timeoutSeconds: Number.POSITIVE_INFINITY }, "timeoutSeconds", /timeoutSeconds: Infinity\. Allowed: a number/],
    [
        "min interval above max",
        { minPollIntervalSeconds: 30, maxPollIntervalSeconds: 10 },
        "minPollIntervalSeconds",
        /no larger than maxPollIntervalSeconds \(10\)/,
    ],
    ["zero min interval", { minPollIntervalSeconds: 0 }, "minPollIntervalSeconds", /at least 0\.01/],
    ["huge max interval", { maxPollIntervalSeconds: 86_400 }, "maxPollIntervalSeconds", /at most 3600/],
    ["negative call cost", { callCostSeconds: -1 }, "callCostSeconds", /-1.*at least 0 and at most 3600/],
    ["call cost not a number", { callCostSeconds: "1s" }, "callCostSeconds", /"1s"/],
    ["shortest job under 0.1 s", { shortestJobSeconds: 0.05 }, "shortestJobSeconds", /0\.05.*at least 0\.1 and at most 86400/],
    ["longest job beyond a day", { longestJobSeconds: 90_000 }, "longestJobSeconds", /90000.*at most 86400/],
    ["shortest job beyond a day", { shortestJobSeconds: 90_000 }, "shortestJobSeconds", /90000.*at most 86400/],
    [
        "only the longest job set, not above the default shortest: the longest is blamed",
        { longestJobSeconds: 5 },
        "longestJobSeconds",
        /5\. Allowed: a value at least 0\.001 above shortestJobSeconds \(10, the default\)/,
    ],
    [
        "shortest and longest job equal",
        { shortestJobSeconds: 60, longestJobSeconds: 60 },
        "shortestJobSeconds",
        /60\. Allowed: a value at least 0\.001 below longestJobSeconds \(60\)/,
    ],
    [
        "shortest and longest job less than a millisecond apart: the values as given",
        { shortestJobSeconds: 1.0001, longestJobSeconds: 1.0004 },
        "shortestJobSeconds",
        /1\.0001\. Allowed: a value at least 0\.001 below longestJobSeconds \(1\.0004\)/,
    ],
    [
        "only the shortest job set, above the default longest",
        { shortestJobSeconds: 20_000 },
        "shortestJobSeconds",
        /20000\. Allowed: a value at least 0\.001 below longestJobSeconds \(14400, the default\)/,
    ],
    [
        "only the min interval set, above the default max",
        { minPollIntervalSeconds: 700 },
        "minPollIntervalSeconds",
        /no larger than maxPollIntervalSeconds \(600, the default\)/,
    ],
    ["request timeout too small", { requestTimeoutSeconds: 0.001 }, "requestTimeoutSeconds", /at least 0\.1/],
    ["negative 404 grace", { notFoundGraceSeconds: -1 }, "notFoundGraceSeconds", /at least 0/],
    ["zero request budget", { maxRequestsPerSecond: 0 }, "maxRequestsPerSecond", /greater than 0/],
    ["allowInsecureLoopback not boolean", { endpoint: "http://127.0.0.1:1", allowInsecureLoopback: "yes" }, "allowInsecureLoopback", /true or false/],
];

describe("options: bad input is refused with field, value and what is allowed", () => {
    it("has a case for every setting of a wait", () => {
        const covered = new Set(BAD.map(([, , field]) => field));
        const uncovered = ALL_SETTING_KEYS.filter((key) => !(SETTINGS[key] as SettingSpec).resourceOnly && !covered.has(key));
        expect(uncovered).to.deep.equal([]);
    });

    for (const [what, override, field, text] of BAD) {
        it(what, () => {
            let error: unknown;
            try {
                resolveWaitSettings({ ...good, ...override } as JobWaitSettings);
            } catch (e) {
                error = e;
            }
            expect(error, "must throw").to.be.instanceOf(ConfigError);
            const e = error as ConfigError;
            expect(e.code).to.equal("CONFIG_INVALID");
            expect(e.field).to.equal(field);
            expect(e.message).to.contain(`Invalid ${field}:`);
            expect(e.message).to.match(text);
            expect(e.message).to.match(/Allowed: .+/);
        });
    }
});

describe("options: good input", () => {
    it("defaults timeouts and bounds (ms)", () => {
        const r = resolveWaitSettings(good);
        expect(r).to.include({
            jobId: good.jobId,
            projectId: good.projectId,
            region: "cn-north-4",
            timeoutMs: 3_600_000,
            minIntervalMs: 1000,
            maxIntervalMs: 600_000,
            callCostMs: 1_000,
            shortestJobMs: 10_000,
            longestJobMs: 14_400_000,
            requestTimeoutMs: 30_000,
            notFoundGraceMs: 30_000,
            maxRequestsPerSecond: 10,
        });
        expect(r.service.kind).to.equal("dws");
    });

    it("takes the call cost in seconds of lag", () => {
        expect(resolveWaitSettings({ ...good, callCostSeconds: 2.5 }).callCostMs).to.equal(2_500);
    });

    it("takes the range of job durations in seconds", () => {
        expect(resolveWaitSettings({ ...good, shortestJobSeconds: 0.5, longestJobSeconds: 300 })).to.include({ shortestJobMs: 500, longestJobMs: 300_000 });
    });

    it("takes projectId and region from defaults (environment) when not given", () => {
        const r = resolveWaitSettings({ service: "ddm", jobId: "31b8ae23-c687-4d80-b7b4-42a66c9bb886" }, { projectId: "p1", region: "ap-southeast-1" });
        expect(r.projectId).to.equal("p1");
        expect(r.region).to.equal("ap-southeast-1");
    });

    it("accepts an http loopback endpoint only with allowInsecureLoopback", () => {
        const r = resolveWaitSettings({ ...good, region: undefined, endpoint: "http://127.0.0.1:8080", allowInsecureLoopback: true });
        expect(r.endpoint).to.equal("http://127.0.0.1:8080");
    });

    it("accepts seed-style IDs of every kind", () => {
        for (const jobId of [
            "2c9080e88459fa44018459fbeb600001",
            "f588ce71-e26c-400d-8981-f854355f6849",
            "ff8080814dbd65d7014dbe0d84db0013",
            "a48e43ff268f4c0e879652d65e63d0fbin09",
        ]) {
            expect(resolveWaitSettings({ ...good, jobId }).jobId).to.equal(jobId);
        }
    });
});

describe("options: an unknown key is refused, naming the closest valid one and never its value", () => {
    const base = { ...good, accessKey: "AKUNKNOWNKEYS0000001", secretKey: "sk-unknown-keys-0123456789", env: {} };
    const VALUE = "hunter2-secret-value";
    const CASES: [string, Record<string, unknown>, string, string][] = [
        ["a typo of timeoutSeconds", { timeoutSecond: 10 }, "timeoutSecond", "timeoutSeconds"],
        ["a prefix of timeoutSeconds", { timeout: 10 }, "timeout", "timeoutSeconds"],
        ["a hook in the wrong case", { onprogress: () => undefined }, "onprogress", "onProgress"],
        ["a credential in the wrong case", { secretkey: VALUE }, "secretkey", "secretKey"],
        ["a password", { password: VALUE }, "password", "cloud"],
    ];
    for (const [what, extra, field, closest] of CASES) {
        for (const [name, call] of [
            ["waitForJob", waitForJob],
            ["getJobStatus", getJobStatus],
        ] as const) {
            it(`${name}: ${what}`, async () => {
                const error = await call({ ...base, ...extra } as unknown as WaitForJobOptions).catch((e: unknown) => e);
                expect(error).to.be.instanceOf(ConfigError);
                const e = error as ConfigError;
                expect(e.field).to.equal(field);
                expect(e.message).to.contain(`Invalid ${field}: (value not shown)`);
                expect(e.message).to.contain(`the closest is "${closest}"`);
                expect(e.message).to.match(/valid options are service, jobId, .*accessKey, .*signal, onProgress, onRetry, redact, env, clock, random, policy/);
                expect(inspect(e, { depth: 5 })).to.not.contain(VALUE);
                if (/secret|password/.test(field))
                    expect(e.message).to.contain("Credentials are accessKey and secretKey (with securityToken for temporary keys), or token");
            });
        }
    }

    it("accepts every documented option: with all of them given, the first complaint is about a value", async () => {
        const all: WaitForJobOptions = {
            ...good,
            jobId: "bad id",
            instanceId: undefined,
            endpoint: undefined,
            allowInsecureLoopback: false,
            timeoutSeconds: 1,
            minPollIntervalSeconds: 1,
            maxPollIntervalSeconds: 2,
            callCostSeconds: 1,
            shortestJobSeconds: 1,
            longestJobSeconds: 60,
            requestTimeoutSeconds: 1,
            notFoundGraceSeconds: 1,
            maxRequestsPerSecond: 1,
            accessKey: "AKALLOPTIONS00000001",
            secretKey: "sk-all-options",
            securityToken: "sts",
            token: "t",
            cloud: "myhuaweicloud.com",
            signal: new AbortController().signal,
            onProgress: () => undefined,
            env: {},
            clock: systemClock,
            random: Math.random,
            policy: progressAwarePolicy,
        };
        const error = await getJobStatus(all).catch((e: unknown) => e);
        expect((error as ConfigError).field).to.equal("jobId");
    });
});

describe("options: hooks are of their kind, and a custom policy comes without the default policy's tuning", () => {
    const base: WaitForJobOptions = { ...good, accessKey: "AKHOOKS0000000000001", secretKey: "sk-hooks", env: {} };
    const CASES: [string, Record<string, unknown>, string, RegExp][] = [
        ["a policy that is a name", { policy: "fast" }, "policy", /Invalid policy: \(a value of type string\)\. Allowed: a function\./],
        ["an onProgress that is an object", { onProgress: {} }, "onProgress", /Invalid onProgress: \(a value of type object\)\. Allowed: a function\./],
        ["a random source that is a number", { random: 0.5 }, "random", /Invalid random: \(a value of type number\)\. Allowed: a function\./],
        ["a clock that is null", { clock: null }, "clock", /Invalid clock: \(a value of type null\)\. Allowed: an object\./],
        ["a signal that is a boolean", { signal: true }, "signal", /Invalid signal: \(a value of type boolean\)\. Allowed: an AbortSignal/],
        ["values to redact given as one string", { redact: "p-secret" }, "redact", /Invalid redact: \(a value of type string\)\. Allowed: a list of strings\./],
        [
            "values to redact that hold a number",
            { redact: ["p-secret", 42] },
            "redact",
            /Invalid redact: \(a value of type object\)\. Allowed: a list of strings\./,
        ],
        [
            "an environment that is a string, before it is read for credentials",
            { env: "HW_ACCESS_KEY=x", accessKey: undefined, secretKey: undefined },
            "env",
            /Invalid env: \(a value of type string\)\. Allowed: an object\./,
        ],
        [
            "a call cost beside a custom policy",
            { policy: progressAwarePolicy, callCostSeconds: 2 },
            "callCostSeconds",
            /Invalid callCostSeconds: 2\. Allowed: nothing beside a custom policy, which does not read it: leave it out, or tune the policy itself \(createProgressAwarePolicy\(\{ callCostMs: … \}\)\)\./,
        ],
        [
            "a duration range beside a custom policy",
            { policy: () => 1_000, longestJobSeconds: 600 },
            "longestJobSeconds",
            /createProgressAwarePolicy\(\{ longestJobMs: … \}\)/,
        ],
    ];
    for (const [what, extra, field, message] of CASES) {
        it(`refuses ${what}, before any request`, async () => {
            const error = await waitForJob({ ...base, ...extra } as unknown as WaitForJobOptions).catch((e: unknown) => e);
            expect(error).to.be.instanceOf(ConfigError);
            expect((error as ConfigError).field).to.equal(field);
            expect((error as ConfigError).message).to.match(message);
        });
    }

    it("takes a custom policy alone, and the tuning settings without one (the wait starts, and is cancelled)", async () => {
        for (const extra of [{ policy: () => 1_000 }, { callCostSeconds: 2, shortestJobSeconds: 5, longestJobSeconds: 600 }]) {
            const error = await waitForJob({ ...base, ...extra, signal: AbortSignal.abort(new Error("stop")) }).catch((e: unknown) => e);
            expect(error, JSON.stringify(Object.keys(extra))).to.be.instanceOf(JobCancelledError);
        }
    });
});
