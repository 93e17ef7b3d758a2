/**
 * The fault storm and the out-of-process emulator host, used by the fault-injection suite
 * (test/integration/faults.test.ts), the soak (bench/soak.ts) and the concurrency benchmark
 * (bench/concurrency-bench.ts). Test machinery: it lives with the tests, the benchmarks import it
 * from here, and no test imports from bench/.
 *
 * - a **fault storm**: a plan of many jobs of every kind (succeeding, failing with a failure code,
 *   invisible for a while, never finishing, throttled with Retry-After, permanently rejected,
 *   never visible) run through the real `waitForJob` against a `JobApiEmulator` that injects
 *   seeded random transient faults; and the **checks** of the run against what each job must end
 *   in (each check returns a list of violations, empty when all is well);
 * - an **emulator host** in a child process (`fork` of this file), so that the CPU and memory of
 *   the waiters can be measured without the emulator's;
 *
 * Only loopback: every emulator listens on 127.0.0.1.
 *
 * @packageDocumentation
 */

import { mulberry32 } from "../../provider/testing/emulator/support";
import { ChildProcess, fork } from "node:child_process";
import { JobApiError, JobCancelledError, JobFailedError, JobTimeoutError } from "../../provider/errors";
import {
    EmulatedJobDefinition,
    EmulatedService,
    EmulatorOptions,
    EmulatorRequestRecord,
    FaultKind,
    FaultSpec,
    JobApiEmulator,
} from "../../provider/testing/emulator";
import { waitForJob, WaitForJobOptions } from "../../provider/waiter";
import { instanceFor, JobHome } from "./jobs";

// ------------------------------------------------------------------ credentials and ids

/** AK/SK accepted by every emulator started here (every request is really signed and verified). */
export const ACCESS_KEY = "STORMAK00000000000001";
export const SECRET_KEY = "storm-secret-key-never-printed-0001";
/** The project (and ROMA instance) of every storm job. */
const STORM_HOME: JobHome = { projectId: "05f2cff45100d5112f4bc00b794ea08e", instanceId: "roma-storm-instance" };

/** Scheduling allowance on top of "deadline + one request timeout" (timers and callbacks run late on a busy machine). */
export const SLACK_MS = 200;
/** Timer granularity allowance for "not before the Retry-After" (Date.now vs the loop's ms clock). */
export const TIMER_TOLERANCE_MS = 2;

/** The four job APIs, in the order jobs are assigned to them. */
export const SERVICES: readonly EmulatedService[] = ["dws", "ddm", "roma", "cfw"];

/** Progress curves cycled through by the plans (string curves only: they cross process boundaries). */
export const CURVES = ["linear", "none", "stuck90", "jumpy"] as const;

/** Options of `waitForJob` for a job on `endpoint`, authenticated with the storm's AK/SK. */
export function waiterOptions(endpoint: string, service: EmulatedService, jobId: string, extra: Partial<WaitForJobOptions>): WaitForJobOptions {
    return {
        service,
        jobId,
        projectId: STORM_HOME.projectId,
        instanceId: instanceFor(STORM_HOME, service),
        endpoint,
        allowInsecureLoopback: true,
        accessKey: ACCESS_KEY,
        secretKey: SECRET_KEY,
        env: {},
        ...extra,
    };
}

/** A job definition with the storm's project (and instance for ROMA). */
export function jobDefinition(def: Omit<EmulatedJobDefinition, "projectId">): EmulatedJobDefinition {
    return { projectId: STORM_HOME.projectId, instanceId: instanceFor(STORM_HOME, def.service), ...def };
}

/** Emulator options with the storm's credentials. */
export function emulatorOptions(extra: EmulatorOptions = {}): EmulatorOptions {
    return { accessKeys: { [ACCESS_KEY]: SECRET_KEY }, ...extra };
}

// ------------------------------------------------------------------ random numbers

/** Deterministic PRNG (the emulator's mulberry32), values in [0, 1). */
export const seeded = mulberry32;

/** Uniform in [lo, hi], rounded to a whole ms. */
function between(rng: () => number, [lo, hi]: readonly [number, number]): number {
    return Math.round(lo + rng() * (hi - lo));
}

// ------------------------------------------------------------------ the emulator, in or out of process

/** The request-log fields the checks use (also what crosses the process boundary). */
export interface LogRecord {
    at: number;
    jobId?: string;
    status: number;
    fault?: EmulatorRequestRecord["fault"];
    state?: EmulatorRequestRecord["state"];
    clientAborted?: boolean;
}

function compact(r: EmulatorRequestRecord): LogRecord {
    const out: LogRecord = { at: r.at, status: r.status };
    if (r.jobId !== undefined) out.jobId = r.jobId;
    if (r.fault !== undefined) out.fault = r.fault;
    if (r.state !== undefined) out.state = r.state;
    if (r.clientAborted) out.clientAborted = true;
    return out;
}

/** What the storm needs from an emulator, wherever it runs. */
export interface EmulatorPort {
    /** Base URL of the emulator. */
    readonly endpoint: string;
    /**
     * Define jobs. `definedAt` is a time taken just before the definition (never after the
     * emulator's own definition time), so `definedAt + durationMs` never exceeds the real end.
     */
    define(defs: EmulatedJobDefinition[]): Promise<{ jobId: string; definedAt: number }[]>;
    /** The request log, oldest first. */
    log(): Promise<LogRecord[]>;
}

/** An {@link EmulatorPort} over an emulator in this process. */
export function inProcess(emulator: JobApiEmulator): EmulatorPort {
    return {
        endpoint: emulator.endpoint,
        async define(defs) {
            return defs.map((def) => {
                const definedAt = Date.now();
                return { jobId: emulator.defineJob(def), definedAt };
            });
        },
        async log() {
            return emulator.requests.map(compact);
        },
    };
}

/** Messages to the emulator child. */
type ChildRequest =
    | { id: number; op: "start"; name: string; options: EmulatorOptions }
    | { id: number; op: "define"; name: string; defs: EmulatedJobDefinition[] }
    | { id: number; op: "log"; name: string }
    | { id: number; op: "count"; name: string; jobId: string }
    | { id: number; op: "usage" }
    | { id: number; op: "close" };

/** `Omit<T, "id">` for each member of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

type ChildReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** CPU and memory of the emulator child. */
export interface ChildUsage {
    cpu: NodeJS.CpuUsage;
    rssBytes: number;
}

/**
 * Emulators in a child process (this file, forked with `--emulator-child`): the parent keeps only
 * the waiters, so its CPU and memory are theirs. Several named emulators can run in the child.
 */
export class EmulatorHost {
    private nextId = 1;
    private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

    private constructor(private readonly child: ChildProcess) {
        child.on("message", (message: ChildReply) => {
            const p = this.pending.get(message.id);
            if (!p) return;
            this.pending.delete(message.id);
            if (message.ok) p.resolve(message.value);
            else p.reject(new Error(`emulator child: ${message.error}`));
        });
        child.on("exit", (code) => {
            for (const p of this.pending.values()) p.reject(new Error(`emulator child exited with code ${code}`));
            this.pending.clear();
        });
    }

    /** Fork the child. */
    static async spawn(): Promise<EmulatorHost> {
        const child = fork(__filename, ["--emulator-child"], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
        await new Promise<void>((resolve, reject) => {
            child.once("message", () => resolve());
            child.once("error", reject);
            child.once("exit", (code) => reject(new Error(`emulator child exited early with code ${code}`)));
        });
        return new EmulatorHost(child);
    }

    private call<T>(request: WithoutId<ChildRequest>): Promise<T> {
        const id = this.nextId++;
        return new Promise<T>((resolve, reject) => {
            this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
            this.child.send({ ...request, id });
        });
    }

    /** Start emulator `name` in the child. */
    async start(name: string, options: EmulatorOptions): Promise<EmulatorPort & { count(jobId: string): Promise<number> }> {
        const endpoint = await this.call<string>({ op: "start", name, options });
        return {
            endpoint,
            define: (defs) => this.call({ op: "define", name, defs }),
            log: () => this.call({ op: "log", name }),
            count: (jobId) => this.call({ op: "count", name, jobId }),
        };
    }

    /** CPU and RSS of the child so far. */
    usage(): Promise<ChildUsage> {
        return this.call({ op: "usage" });
    }

    /** Close every emulator and end the child. */
    async close(): Promise<void> {
        await this.call({ op: "close" }).catch(() => undefined);
        await new Promise<void>((resolve) => {
            if (this.child.exitCode !== null) return resolve();
            this.child.once("exit", () => resolve());
            setTimeout(() => this.child.kill(), 2000).unref();
        });
    }
}

/** The child side of {@link EmulatorHost}. */
async function emulatorChild(): Promise<void> {
    const emulators = new Map<string, JobApiEmulator>();
    const get = (name: string) => {
        const e = emulators.get(name);
        if (!e) throw new Error(`no emulator named ${name}`);
        return e;
    };
    process.on("disconnect", () => process.exit(0));
    process.on("message", async (request: ChildRequest): Promise<void> => {
        const reply = (value: unknown): void => void process.send!({ id: request.id, ok: true, value });
        try {
            switch (request.op) {
                case "start": {
                    const emulator = await JobApiEmulator.start(request.options);
                    emulators.set(request.name, emulator);
                    return reply(emulator.endpoint);
                }
                case "define":
                    return reply(await inProcess(get(request.name)).define(request.defs));
                case "log":
                    return reply(get(request.name).requests.map(compact));
                case "count":
                    return reply(get(request.name).requestCount(request.jobId));
                case "usage":
                    return reply({ cpu: process.cpuUsage(), rssBytes: process.memoryUsage().rss } satisfies ChildUsage);
                case "close":
                    await Promise.all([...emulators.values()].map((e) => e.close()));
                    reply(true);
                    process.disconnect();
                    return;
            }
        } catch (error) {
            process.send!({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) });
        }
    });
    process.send!({ ready: true });
}

// ------------------------------------------------------------------ the storm: configuration and plan

/** Everything that shapes a storm. Times in ms. */
export interface StormConfig {
    /** Number of jobs. */
    jobs: number;
    /** Probability that a request gets a random transient fault. */
    faultRate: number;
    /** Seed of the fault PRNG and of the plan. */
    seed: number;
    /** Timeout of one request (`requestTimeoutSeconds`). */
    requestTimeoutMs: number;
    /** Poll bounds. */
    minPollMs: number;
    maxPollMs: number;
    /** Shared request budget of the endpoint (set high: the storm is not a throttling test). */
    maxRequestsPerSecond: number;
    /** Durations of jobs that finish. */
    durationMs: readonly [number, number];
    /** Deadlines of jobs that never finish (they must end in JobTimeoutError). */
    neverEndsTimeoutMs: readonly [number, number];
    /** Deadline of a finishing job = the end of its job + this margin (many polls fit in it). */
    finishMarginMs: number;
    /** 404 grace for jobs that become visible late; their invisibility is drawn from `lateVisibleMs`. */
    graceMs: number;
    lateVisibleMs: readonly [number, number];
    /** 404 grace for jobs that never become visible (they must end in a 404 JobApiError). */
    neverVisibleGraceMs: number;
    /** Job starts are spread uniformly over [0, startSpreadMs]; 0 starts all at once. */
    startSpreadMs: number;
    /** The HTTP-date of random 503s is this long after the storm's fault kinds are made. */
    retryAfterDateLeadMs: number;
    /** Length of the `slow` faults beyond the request timeout, and of those within it. */
    slowBeyondMs: number;
    slowWithinMs: number;
    /** How long past `deadline + requestTimeout` a wait may go on before it is declared hung. */
    hangAfterMs: number;
}

/** What a job must end in. */
export type Expected =
    { kind: "succeeded" } | { kind: "failed"; failedCode: string | undefined } | { kind: "timeout" } | { kind: "apiError"; httpStatus?: number };

/** What a job ended in. */
export type Actual = Expected | { kind: "cancelled"; detail: string } | { kind: "hung" } | { kind: "other"; detail: string };

/** The job categories of a plan (one cycle = one of each per service). */
export const CATEGORIES = [
    "succeeds",
    "succeeds",
    "succeeds",
    "succeeds",
    "succeeds",
    "succeeds",
    "fails",
    "fails",
    "fails",
    "fails",
    "lateVisible",
    "lateVisible",
    "neverEnds",
    "neverEnds",
    "throttled",
    "permanent400",
    "permanent401",
    "permanent403",
    "malformed",
    "neverVisible",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** A `Retry-After` the waiter must honour: delta-seconds, or an absolute HTTP-date. */
export type RetryAfterRule = { seconds: number } | { dateMs: number };

/** One job of a plan. */
export interface JobPlan {
    index: number;
    service: EmulatedService;
    category: Category;
    /** When the job is defined and its wait starts, after the storm's start. */
    startOffsetMs: number;
    durationMs: number;
    outcome: "succeeded" | "failed";
    failedCode?: string;
    progress: (typeof CURVES)[number];
    notFoundForMs: number;
    timeoutMs: number;
    graceMs: number;
    /** Lead of the HTTP-date of the first scheduled 429 (category `throttled`), after the definition. */
    throttleDateLeadMs?: number;
    /** The permanent fault scheduled on the first request, if any. */
    permanent?: FaultSpec;
    /** Index (into the storm's fault kinds) of a transient fault scheduled on the first request, if any. */
    firstFault?: number;
    expected: Expected;
}

/**
 * The plan of a storm: job `i` goes to service `i mod 4` and category `⌊i/4⌋ mod 20`, so that 80
 * jobs hold every (service, category) pair exactly once; durations, deadlines and curves come from
 * the seeded PRNG.
 */
export function planStorm(cfg: StormConfig): JobPlan[] {
    const rng = seeded(cfg.seed ^ 0x5f3759df);
    const plans: JobPlan[] = [];
    let succeedsSeen = 0;
    for (let index = 0; index < cfg.jobs; index++) {
        const service = SERVICES[index % SERVICES.length];
        const category = CATEGORIES[Math.floor(index / SERVICES.length) % CATEGORIES.length];
        const startOffsetMs = cfg.startSpreadMs > 0 ? between(rng, [0, cfg.startSpreadMs]) : 0;
        const durationMs = between(rng, cfg.durationMs);
        const progress = CURVES[index % CURVES.length];
        const failedCode = `${service.toUpperCase()}.F${String(index).padStart(4, "0")}`;
        const base = {
            index,
            service,
            category,
            startOffsetMs,
            durationMs,
            progress,
            outcome: "succeeded" as const,
            notFoundForMs: 0,
            graceMs: cfg.graceMs,
            timeoutMs: durationMs + cfg.finishMarginMs,
        };
        const succeeded: Expected = { kind: "succeeded" };
        let plan: JobPlan;
        switch (category) {
            case "succeeds":
                // The first request of every "succeeds" job takes one transient kind, in turn, so
                // that each kind is served (and ridden out) whatever the random draws.
                plan = { ...base, firstFault: succeedsSeen++, expected: succeeded };
                break;
            case "fails":
                plan = {
                    ...base,
                    outcome: "failed",
                    failedCode,
                    // DDM's job API has no failure fields: the waiter can only report the state.
                    expected: { kind: "failed", failedCode: service === "ddm" ? undefined : failedCode },
                };
                break;
            case "lateVisible": {
                const notFoundForMs = between(rng, cfg.lateVisibleMs);
                const fails = index % 8 >= 4;
                plan = {
                    ...base,
                    notFoundForMs,
                    timeoutMs: Math.max(durationMs, notFoundForMs) + cfg.finishMarginMs,
                    outcome: fails ? "failed" : "succeeded",
                    failedCode: fails ? failedCode : undefined,
                    expected: fails ? { kind: "failed", failedCode: service === "ddm" ? undefined : failedCode } : succeeded,
                };
                break;
            }
            case "neverEnds":
                plan = { ...base, durationMs: 3_600_000, timeoutMs: between(rng, cfg.neverEndsTimeoutMs), expected: { kind: "timeout" } };
                break;
            case "throttled":
                plan = { ...base, throttleDateLeadMs: 1500, timeoutMs: durationMs + 3000 + cfg.finishMarginMs, expected: succeeded };
                break;
            case "permanent400":
            case "permanent401":
            case "permanent403": {
                const status = Number(category.slice(-3)) as 400 | 401 | 403;
                plan = { ...base, permanent: { kind: "status", status }, expected: { kind: "apiError", httpStatus: status } };
                break;
            }
            case "malformed":
                plan = { ...base, permanent: { kind: "malformed" }, expected: { kind: "apiError", httpStatus: 200 } };
                break;
            case "neverVisible":
                plan = {
                    ...base,
                    notFoundForMs: 3_600_000,
                    graceMs: cfg.neverVisibleGraceMs,
                    timeoutMs: cfg.neverVisibleGraceMs + cfg.finishMarginMs,
                    expected: { kind: "apiError", httpStatus: 404 },
                };
                break;
        }
        plans.push(plan);
    }
    return plans;
}

/** An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) at or after `ms`, on a whole second. */
export function httpDateAtOrAfter(ms: number): { text: string; ms: number } {
    const whole = Math.ceil(ms / 1000) * 1000;
    return { text: new Date(whole).toUTCString(), ms: whole };
}

/** The random fault kinds of a storm, with the Retry-After each status carries. */
export interface StormFaults {
    kinds: FaultKind[];
    /** Retry-After of a random `status` fault, by HTTP status (the same for every kind with that status). */
    retryAfterByStatus: ReadonlyMap<number, RetryAfterRule>;
    /** The HTTP-date the random 503s carry. */
    retryAfterDate: { text: string; ms: number };
}

/**
 * Transient fault kinds only: 429 with `Retry-After: 1`; 503 (JSON and HTML) with an HTTP-date
 * `retryAfterDateLeadMs` after `nowMs` (honoured until then, in the past afterwards); 500, 502,
 * 504; the HTML gateway page; a dropped connection; a slow answer beyond the request timeout and
 * one within it; a body trickled a byte at a time after prompt headers. Each status carries one Retry-After only, so the request log tells which applied.
 */
export function stormFaults(cfg: StormConfig, nowMs: number): StormFaults {
    const date = httpDateAtOrAfter(nowMs + cfg.retryAfterDateLeadMs);
    const kinds: FaultKind[] = [
        { kind: "status", status: 429, retryAfter: "1" },
        { kind: "status", status: 503, retryAfter: date.text },
        { kind: "status", status: 503, retryAfter: date.text, body: "html" },
        { kind: "status", status: 500 },
        { kind: "status", status: 502 },
        { kind: "status", status: 504 },
        { kind: "html" },
        { kind: "drop" },
        { kind: "slow", delayMs: cfg.slowBeyondMs },
        { kind: "slow", delayMs: cfg.slowWithinMs },
        // Headers at once, then the body at 10 bytes/s: tens of seconds, far beyond any request timeout.
        { kind: "trickle", intervalMs: 100 },
    ];
    return {
        kinds,
        retryAfterByStatus: new Map<number, RetryAfterRule>([
            [429, { seconds: 1 }],
            [503, { dateMs: date.ms }],
        ]),
        retryAfterDate: date,
    };
}

/** The Retry-After a fault kind carries, as a rule (undefined when none). */
export function retryRuleOf(kind: FaultKind): RetryAfterRule | undefined {
    if (kind.kind !== "status" || kind.retryAfter === undefined) return undefined;
    if (/^\d+(\.\d+)?$/.test(kind.retryAfter.trim())) return { seconds: Number(kind.retryAfter) };
    const ms = Date.parse(kind.retryAfter);
    return Number.isFinite(ms) ? { dateMs: ms } : undefined;
}

/** Emulator options for a storm: credentials plus the seeded random faults. */
export function stormEmulatorOptions(cfg: StormConfig, faults: StormFaults): EmulatorOptions {
    return emulatorOptions({ randomFaults: { rate: cfg.faultRate, kinds: faults.kinds, seed: cfg.seed }, logCapacity: 1_000_000 });
}

// ------------------------------------------------------------------ the storm: running

/** One job of a run: its plan, what happened, and when (ms since the epoch). */
export interface JobRun {
    plan: JobPlan;
    jobId: string;
    /** Taken just before the job was defined (≤ the emulator's definition time). */
    definedAt: number;
    /** When the job becomes terminal *and* visible, per the emulator's rules. */
    jobEndAt: number;
    /** Just before `waitForJob` was called. */
    startAt: number;
    /** `startAt + timeoutMs` (the loop's own deadline is never earlier). */
    deadlineAt: number;
    /** When the wait settled (or was declared hung). */
    endAt: number;
    actual: Actual;
    /** Requests the waiter counted (from its result or error), if known. */
    polls?: number;
    /** Retry-Afters of the faults scheduled on this job's first requests, in order (undefined: none). */
    scheduled: (RetryAfterRule | undefined)[];
}

/** A finished storm. */
export interface StormRun {
    cfg: StormConfig;
    faults: StormFaults;
    startedAt: number;
    finishedAt: number;
    jobs: JobRun[];
    log: LogRecord[];
}

function classify(error: unknown): { actual: Actual; polls?: number } {
    if (error instanceof JobFailedError) return { actual: { kind: "failed", failedCode: error.failedCode }, polls: error.polls };
    if (error instanceof JobTimeoutError) return { actual: { kind: "timeout" }, polls: error.polls };
    if (error instanceof JobApiError) return { actual: { kind: "apiError", httpStatus: error.httpStatus } };
    if (error instanceof JobCancelledError) return { actual: { kind: "cancelled", detail: error.message }, polls: error.polls };
    return { actual: { kind: "other", detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } };
}

/** Define one planned job on the emulator and wait for it; never rejects. */
async function runJob(cfg: StormConfig, port: EmulatorPort, plan: JobPlan, storm: StormFaults): Promise<JobRun> {
    const scheduled: (RetryAfterRule | undefined)[] = [];
    const faults: FaultSpec[] = [];
    const now = Date.now();
    if (plan.firstFault !== undefined) {
        const kind = storm.kinds[plan.firstFault % storm.kinds.length];
        faults.push(kind);
        scheduled.push(retryRuleOf(kind));
    }
    if (plan.throttleDateLeadMs !== undefined) {
        const date = httpDateAtOrAfter(now + plan.throttleDateLeadMs);
        faults.push({ kind: "status", status: 429, retryAfter: date.text }, { kind: "status", status: 429, retryAfter: "1" });
        scheduled.push({ dateMs: date.ms }, { seconds: 1 });
    }
    if (plan.permanent) {
        faults.push(plan.permanent);
        scheduled.push(undefined);
    }
    const [{ jobId, definedAt }] = await port.define([
        jobDefinition({
            service: plan.service,
            durationMs: plan.durationMs,
            outcome: plan.outcome,
            failedCode: plan.failedCode,
            failedDetail: plan.failedCode ? `Injected failure ${plan.failedCode}.` : undefined,
            progress: plan.progress,
            notFoundForMs: plan.notFoundForMs,
            faults,
        }),
    ]);
    const jobEndAt = definedAt + Math.max(plan.durationMs, plan.notFoundForMs);
    const options = waiterOptions(port.endpoint, plan.service, jobId, {
        timeoutSeconds: plan.timeoutMs / 1000,
        minPollIntervalSeconds: cfg.minPollMs / 1000,
        maxPollIntervalSeconds: cfg.maxPollMs / 1000,
        requestTimeoutSeconds: cfg.requestTimeoutMs / 1000,
        notFoundGraceSeconds: plan.graceMs / 1000,
        maxRequestsPerSecond: cfg.maxRequestsPerSecond,
    });
    const controller = new AbortController();
    options.signal = controller.signal;
    const startAt = Date.now();
    const deadlineAt = startAt + plan.timeoutMs;
    let watchdog: NodeJS.Timeout | undefined;
    const hung = new Promise<"hung">((resolve) => {
        watchdog = setTimeout(() => resolve("hung"), plan.timeoutMs + cfg.requestTimeoutMs + cfg.hangAfterMs);
    });
    const settled = waitForJob(options).then(
        (done) => ({ actual: { kind: "succeeded" } as Actual, polls: done.polls }),
        (error: unknown) => classify(error),
    );
    const outcome = await Promise.race([settled, hung]);
    const endAt = Date.now();
    clearTimeout(watchdog);
    if (outcome === "hung") {
        controller.abort(new Error("declared hung by the storm's watchdog"));
        await settled;
        return { plan, jobId, definedAt, jobEndAt, startAt, deadlineAt, endAt, actual: { kind: "hung" }, scheduled };
    }
    return { plan, jobId, definedAt, jobEndAt, startAt, deadlineAt, endAt, actual: outcome.actual, polls: outcome.polls, scheduled };
}

/** Run every planned job (concurrently, each from its start offset) and collect the emulator's log. */
export async function runStorm(cfg: StormConfig, port: EmulatorPort, faults: StormFaults, plans = planStorm(cfg)): Promise<StormRun> {
    const startedAt = Date.now();
    const jobs = await Promise.all(
        plans.map(async (plan) => {
            if (plan.startOffsetMs > 0) await new Promise((r) => setTimeout(r, plan.startOffsetMs));
            return runJob(cfg, port, plan, faults);
        }),
    );
    const finishedAt = Date.now();
    // Let the emulator settle the records of aborted slow answers before reading the log.
    await new Promise((r) => setTimeout(r, 20));
    return { cfg, faults, startedAt, finishedAt, jobs, log: await port.log() };
}

// ------------------------------------------------------------------ the storm: checks

function describeOutcome(x: Actual): string {
    switch (x.kind) {
        case "succeeded":
        case "timeout":
        case "hung":
            return x.kind;
        case "failed":
            return `failed(${x.failedCode ?? "no code"})`;
        case "apiError":
            return `apiError(HTTP ${x.httpStatus})`;
        case "cancelled":
        case "other":
            return `${x.kind}(${x.detail})`;
    }
}

function sameOutcome(expected: Expected, actual: Actual): boolean {
    if (expected.kind !== actual.kind) return false;
    if (expected.kind === "failed") return (actual as { failedCode?: string }).failedCode === expected.failedCode;
    if (expected.kind === "apiError") return (actual as { httpStatus?: number }).httpStatus === expected.httpStatus;
    return true;
}

function label(j: JobRun): string {
    return `#${j.plan.index} ${j.plan.service}/${j.plan.category} ${j.jobId}`;
}

/** Outcome verdicts: every wrong outcome, and the false failures / successes among them. */
export interface OutcomeReport {
    wrong: string[];
    /** Expected success, ended otherwise. */
    falseFailures: number;
    /** Ended in success, expected otherwise. */
    falseSuccesses: number;
    hung: number;
}

/** Compare every job's outcome with its expected one. */
export function checkOutcomes(run: StormRun): OutcomeReport {
    const report: OutcomeReport = { wrong: [], falseFailures: 0, falseSuccesses: 0, hung: 0 };
    for (const j of run.jobs) {
        if (j.actual.kind === "hung") report.hung++;
        if (sameOutcome(j.plan.expected, j.actual)) continue;
        if (j.plan.expected.kind === "succeeded") report.falseFailures++;
        if (j.actual.kind === "succeeded") report.falseSuccesses++;
        report.wrong.push(`${label(j)}: expected ${describeOutcome(j.plan.expected)}, got ${describeOutcome(j.actual)}`);
    }
    return report;
}

/**
 * Time bounds, with `slackMs` for event-loop scheduling:
 * - no wait ends later than its deadline plus one request timeout;
 * - a timeout never comes before the deadline;
 * - a terminal job is never reported before the emulator made it terminal (and visible);
 * - a 404 past the grace is not reported before the grace;
 * - a permanent error ends the wait within one request timeout.
 */
export function checkTiming(run: StormRun, slackMs: number): string[] {
    const v: string[] = [];
    const { requestTimeoutMs } = run.cfg;
    for (const j of run.jobs) {
        const overshoot = j.endAt - j.deadlineAt;
        if (overshoot > requestTimeoutMs + slackMs) v.push(`${label(j)}: ended ${overshoot} ms after its deadline (limit ${requestTimeoutMs} + ${slackMs})`);
        const waited = j.endAt - j.startAt;
        switch (j.actual.kind) {
            case "timeout":
                if (waited < j.plan.timeoutMs) v.push(`${label(j)}: timed out after ${waited} ms, before its ${j.plan.timeoutMs} ms deadline`);
                break;
            case "succeeded":
            case "failed":
                if (j.endAt < j.jobEndAt) v.push(`${label(j)}: reported ${j.actual.kind} ${j.jobEndAt - j.endAt} ms before the job ended`);
                break;
            case "apiError":
                if (j.plan.category === "neverVisible" && waited < j.plan.graceMs) {
                    v.push(`${label(j)}: 404 reported after ${waited} ms, inside its ${j.plan.graceMs} ms grace`);
                }
                if (j.plan.permanent && waited > requestTimeoutMs) v.push(`${label(j)}: permanent error took ${waited} ms, not "at once"`);
                break;
        }
    }
    return v;
}

/** The request log of every job, by job ID, in arrival order. */
export function requestsByJob(log: readonly LogRecord[]): Map<string, LogRecord[]> {
    const byJob = new Map<string, LogRecord[]>();
    for (const r of log) {
        if (r.jobId === undefined) continue;
        const list = byJob.get(r.jobId);
        if (list) list.push(r);
        else byJob.set(r.jobId, [r]);
    }
    return byJob;
}

/** Result of {@link checkRetryAfter}. */
export interface RetryAfterReport {
    violations: string[];
    /** Faults with a Retry-After followed by another request of the same job. */
    checked: number;
    /** Of those, how many were cut short by the deadline (the waiter must not sleep past it). */
    cappedByDeadline: number;
    /** Smallest (next request − earliest allowed) seen, ms; negative means early. */
    minMarginMs: number;
}

/**
 * Retry-After is honoured: after an answer carrying `Retry-After`, the job's next request arrives
 * no earlier than the Retry-After instant (delta-seconds after the answer, or the HTTP-date) — or
 * the deadline, if that comes first (the final check happens at the deadline). `toleranceMs`
 * covers timer granularity.
 */
export function checkRetryAfter(run: StormRun, toleranceMs: number): RetryAfterReport {
    const report: RetryAfterReport = { violations: [], checked: 0, cappedByDeadline: 0, minMarginMs: Infinity };
    const byJob = requestsByJob(run.log);
    for (const j of run.jobs) {
        const records = byJob.get(j.jobId) ?? [];
        for (let k = 0; k + 1 < records.length; k++) {
            const r = records[k];
            let rule: RetryAfterRule | undefined;
            if (k < j.scheduled.length) rule = j.scheduled[k];
            else if (r.fault === "status") rule = run.faults.retryAfterByStatus.get(r.status);
            if (!rule) continue;
            const wanted = "seconds" in rule ? r.at + rule.seconds * 1000 : rule.dateMs;
            if (wanted <= r.at) continue; // an HTTP-date already past: nothing to honour
            const earliest = Math.min(wanted, j.deadlineAt);
            if (earliest < wanted) report.cappedByDeadline++;
            report.checked++;
            const margin = records[k + 1].at - earliest;
            report.minMarginMs = Math.min(report.minMarginMs, margin);
            if (margin < -toleranceMs) {
                report.violations.push(
                    `${label(j)}: request ${k + 1} (HTTP ${r.status}, Retry-After ${"seconds" in rule ? `${rule.seconds} s` : new Date(rule.dateMs).toUTCString()}) ` +
                        `was followed ${records[k + 1].at - r.at} ms later, ${-margin} ms too early`,
                );
            }
        }
    }
    return report;
}

/** Permanent errors: exactly one request, answered with the scheduled fault. */
export function checkPermanent(run: StormRun): string[] {
    const v: string[] = [];
    const byJob = requestsByJob(run.log);
    for (const j of run.jobs) {
        if (!j.plan.permanent) continue;
        const records = byJob.get(j.jobId) ?? [];
        if (records.length !== 1) v.push(`${label(j)}: ${records.length} requests for a permanent error, expected exactly 1`);
        else if (records[0].fault !== j.plan.permanent.kind) v.push(`${label(j)}: the one request got fault ${records[0].fault}, not ${j.plan.permanent.kind}`);
    }
    return v;
}

/** The name of a served fault, from a log record. */
export function faultLabel(r: LogRecord): string | undefined {
    switch (r.fault) {
        case undefined:
            return undefined;
        case "status":
            return `HTTP ${r.status}${r.status === 429 ? " + Retry-After: 1" : r.status === 503 ? " + Retry-After: HTTP-date" : ""}`;
        case "html":
            return "HTML gateway page (502)";
        case "slow":
            return r.clientAborted ? "slow, beyond the request timeout" : "slow, within the request timeout";
        case "trickle":
            return "body trickled after prompt headers";
        case "drop":
            return "dropped connection";
        case "malformed":
            return "malformed 200";
    }
}

/** Faults served at random (not scheduled on a job), by label, and how many requests they hit. */
export function randomFaultStats(run: StormRun): { requests: number; faulted: number; byLabel: Map<string, number> } {
    const byJob = requestsByJob(run.log);
    let requests = 0;
    let faulted = 0;
    const byLabel = new Map<string, number>();
    for (const j of run.jobs) {
        const records = byJob.get(j.jobId) ?? [];
        records.forEach((r, k) => {
            if (k < j.scheduled.length) return; // scheduled, not random
            requests++;
            const name = faultLabel(r);
            if (name === undefined) return;
            faulted++;
            byLabel.set(name, (byLabel.get(name) ?? 0) + 1);
        });
    }
    return { requests, faulted, byLabel };
}

/** Detection lag of every job that ended terminal as expected: wait end − job end, ms. */
export function detectionLags(run: StormRun): number[] {
    return run.jobs
        .filter((j) => (j.actual.kind === "succeeded" || j.actual.kind === "failed") && sameOutcome(j.plan.expected, j.actual))
        .map((j) => j.endAt - j.jobEndAt);
}

if (require.main === module && process.argv.includes("--emulator-child")) void emulatorChild();
