/**
 * The library entry points: `waitForJob` (poll until terminal) and `getJobStatus` (one look).
 * Usable without Pulumi.
 *
 * @packageDocumentation
 */

import { createHash } from "node:crypto";
import { setMaxListeners } from "node:events";
import { ConfigError, NoRequestSlotError } from "./errors";
import { classifyAnswer, classifyTransportFailure, ClassifyContext } from "./http/classify";
import { JobClient, TransportFailure } from "./http/client";
import { Credentials, ENV_VARS, resolveSettings, secretsOf, SettingsInput } from "./http/credentials";
import { serviceEndpoint } from "./http/endpoint";
import { leaseBudget, RequestBudget } from "./polling/budget";
import { Clock } from "./polling/clock";
import { cancelledError, PollNotSent, pollUntilTerminal, PollOutcome, RetryUpdate, StatusUpdate } from "./polling/loop";
import { PollPolicy, policyForTuning } from "./polling/policy";
import { FlightStage, sharedRequest } from "./polling/sharedRequest";
import { checkKnownSettings, JobWaitSettings, POLICY_TUNING_SETTINGS, resolveWaitSettings, ResolvedWaitSettings } from "./options";
import { serverTextFilter } from "./serverText";
import { buildJobPath, printable } from "./services";
import type { JobStatus } from "./services/types";

/**
 * Options of {@link waitForJob} and {@link getJobStatus}: which job (see {@link JobWaitSettings}),
 * credentials (explicit values win; otherwise `HW_ACCESS_KEY`/`HW_SECRET_KEY`/`HW_SECURITY_TOKEN`
 * or `HW_AUTH_TOKEN` from `env`), and run-time hooks.
 */
export interface WaitForJobOptions extends JobWaitSettings, Omit<SettingsInput, "region" | "projectId"> {
    /** Aborting stops polling and the in-flight request at once (`JobCancelledError`). */
    signal?: AbortSignal;
    /**
     * Called with (a copy of) every status read (also the terminal one), with the forecast
     * remaining time while there is one. Not awaited: what it throws or rejects with is ignored.
     */
    onProgress?: (status: StatusUpdate) => unknown;
    /**
     * Called after every poll that read no status (a 5xx, no answer, throttling, not found yet)
     * and will be retried, with the error and the time to the next poll. Not awaited either.
     */
    onRetry?: (retry: RetryUpdate) => unknown;
    /**
     * More values to keep out of the text the service sends (statuses, error messages and codes):
     * `***` in their place, as for the credentials, before any text is cut short. What the waiter
     * writes itself (the job ID, project ID and endpoint given, in its messages) is not filtered.
     */
    redact?: readonly string[];
    /** Where `HW_*` variables are read from. Default `process.env`. */
    env?: NodeJS.ProcessEnv;
    /** Time source (tests and simulations). Default: the system clock. */
    clock?: Clock;
    /** Random source for jitter. Default `Math.random`. */
    random?: () => number;
    /** Delay policy. Default: the progress-aware policy, tuned by `callCostSeconds`, `shortestJobSeconds` and `longestJobSeconds` (refused beside a policy given here). */
    policy?: PollPolicy;
}

/** What a hook option must be. */
type HookKind = "function" | "object" | "signal" | "strings";

/** The options of {@link WaitForJobOptions} beyond the settings and the credentials, with what each must be (the compiler keeps this list complete). */
const HOOK_OPTIONS: Record<Exclude<keyof WaitForJobOptions, keyof JobWaitSettings | keyof SettingsInput>, HookKind> = {
    signal: "signal",
    onProgress: "function",
    onRetry: "function",
    redact: "strings",
    env: "object",
    clock: "object",
    random: "function",
    policy: "function",
};

const HOOK_RULES: Record<HookKind, { accepts: (value: unknown) => boolean; allowed: string }> = {
    function: { accepts: (value) => typeof value === "function", allowed: "a function" },
    object: { accepts: (value) => typeof value === "object" && value !== null, allowed: "an object" },
    strings: { accepts: (value) => Array.isArray(value) && value.every((item) => typeof item === "string"), allowed: "a list of strings" },
    signal: {
        accepts: (value) =>
            typeof value === "object" &&
            value !== null &&
            typeof (value as AbortSignal).aborted === "boolean" &&
            typeof (value as AbortSignal).addEventListener === "function",
        allowed: "an AbortSignal (AbortController.signal, AbortSignal.timeout(ms))",
    },
};

/** The hooks given are of their kind (checked before any of them is used). */
function checkHooks(options: WaitForJobOptions): void {
    for (const [key, kind] of Object.entries(HOOK_OPTIONS) as [keyof typeof HOOK_OPTIONS, HookKind][]) {
        const value = options[key];
        if (value !== undefined && !HOOK_RULES[kind].accepts(value)) {
            throw new ConfigError({ field: key, value: `(a value of type ${value === null ? "null" : typeof value})`, allowed: HOOK_RULES[kind].allowed });
        }
    }
}

/** A custom `policy` comes without the settings that tune the default one: it would ignore them, and the caller would believe them applied. */
function checkCustomPolicy(options: WaitForJobOptions): void {
    if (options.policy === undefined) return;
    for (const { key, resolvedAs } of POLICY_TUNING_SETTINGS) {
        if (options[key] === undefined) continue;
        throw new ConfigError({
            field: key,
            value: printable(options[key]),
            allowed: `nothing beside a custom policy, which does not read it: leave it out, or tune the policy itself (createProgressAwarePolicy({ ${resolvedAs}: … }))`,
        });
    }
}

/** Every key {@link waitForJob} and {@link getJobStatus} accept besides the settings: credentials and hooks. */
const OPTION_KEYS: readonly string[] = [...Object.keys(ENV_VARS), ...Object.keys(HOOK_OPTIONS)];

/** Added to the refusal of an unknown option that looks like a credential. */
const CREDENTIAL_HINT = ". Credentials are accessKey and secretKey (with securityToken for temporary keys), or token";

/** A finished job: its terminal status plus what the wait cost. */
export interface CompletedJob extends JobStatus {
    /** Status requests sent. */
    polls: number;
    /** Time waited, in ms. */
    waitedMs: number;
}

/** The package's own signal for a caller's signal, and how many waits use it (see {@link leaseSignal}). */
interface SignalBridge {
    signal: AbortSignal;
    users: number;
    detach(): void;
}
const signalBridges = new WeakMap<AbortSignal, SignalBridge>();

/**
 * A signal of the package's own that aborts with the caller's `signal` (and its reason), shared
 * by the waits running on that signal: each wait keeps a listener on the signal it is given while
 * it polls or sleeps, and a dozen concurrent waits on one caller's signal (a service's shutdown
 * signal) would make Node warn of a listener leak. The caller's signal carries one listener while
 * any of its waits runs, none after; `release()` when the wait is over.
 */
function leaseSignal(signal: AbortSignal | undefined): { signal?: AbortSignal; release: () => void } {
    if (signal === undefined) return { release: () => undefined };
    if (signal.aborted) return { signal: AbortSignal.abort(signal.reason), release: () => undefined };
    let bridge = signalBridges.get(signal);
    if (bridge === undefined) {
        const controller = new AbortController();
        setMaxListeners(0, controller.signal);
        const onAbort = () => controller.abort(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        const detach = () => {
            signal.removeEventListener("abort", onAbort);
            signalBridges.delete(signal);
        };
        bridge = { signal: controller.signal, users: 0, detach };
        signalBridges.set(signal, bridge);
    }
    const leased = bridge;
    leased.users++;
    return {
        signal: leased.signal,
        release: () => {
            if (--leased.users === 0) leased.detach();
        },
    };
}

/** Everything needed to ask about one job, prepared and validated once. */
interface PreparedJob {
    settings: ResolvedWaitSettings;
    fetchOnce: (signal: AbortSignal | undefined) => Promise<PollOutcome>;
    /** Release the hold on the endpoint's shared request budget: call when done asking. */
    release: () => void;
}

/**
 * Wait until the job is terminal.
 *
 * Resolves with the succeeded status. Rejects with `ConfigError` (bad options, before any
 * request), `JobFailedError` (the job failed: `failedCode`/`failedDetail`), `JobTimeoutError`
 * (not terminal at the deadline, after a final check there), `JobApiError` (permanent API
 * error, or still 404 after the grace window) or `JobCancelledError` (`signal` aborted).
 */
export async function waitForJob(options: WaitForJobOptions): Promise<CompletedJob> {
    const { settings, fetchOnce, release } = prepare(options, "wait");
    const { signal, release: releaseSignal } = leaseSignal(options.signal);
    try {
        const result = await pollUntilTerminal(fetchOnce, {
            jobId: settings.jobId,
            timeoutMs: settings.timeoutMs,
            bounds: { minIntervalMs: settings.minIntervalMs, maxIntervalMs: settings.maxIntervalMs },
            notFoundGraceMs: settings.notFoundGraceMs,
            policy: options.policy ?? policyForTuning(settings),
            clock: options.clock,
            random: options.random,
            signal,
            onStatus: options.onProgress,
            onRetry: options.onRetry,
        });
        return { ...result.status, polls: result.polls, waitedMs: result.elapsedMs };
    } finally {
        releaseSignal();
        release();
    }
}

/**
 * Ask once. Resolves with the job's status whatever its state; rejects with the classified
 * error (`JobApiError`, including 404 and transient failures), `ConfigError`, or
 * `JobCancelledError` when `signal` aborts.
 */
export async function getJobStatus(options: WaitForJobOptions): Promise<JobStatus> {
    const outcome = await lookOnce(options);
    if (outcome.kind === "status") return outcome.status;
    throw outcome.error;
}

/**
 * Ask once and say what the answer was, classified: what {@link getJobStatus} reads, for a caller
 * that treats a temporary failure (worth waiting out) apart from a permanent one, as the
 * resource's refresh does. Rejects with `ConfigError`, or `JobCancelledError` when `signal` aborts.
 */
export async function lookOnce(options: WaitForJobOptions): Promise<PollOutcome> {
    const { fetchOnce, release } = prepare(options, "once");
    const { signal, release: releaseSignal } = leaseSignal(options.signal);
    try {
        return await fetchOnce(signal);
    } catch (error) {
        if (signal?.aborted) throw cancelledError(options.jobId, signal, error instanceof PollNotSent ? 0 : 1);
        throw error;
    } finally {
        releaseSignal();
        release();
    }
}

/**
 * Validate the options and build the one-poll function: the settings, then the request (through
 * the endpoint's shared budget and shared with other waiters of the same job), then the hard stop
 * that ends every poll. The prepared job holds a lease on the endpoint's budget until `release()`.
 */
function prepare(options: WaitForJobOptions, mode: "wait" | "once"): PreparedJob {
    const { settings, credentials, cloud } = resolveOptions(options);
    const job = jobRequest(settings, credentials, cloud, options.redact ?? []);
    // The deadline plus one request timeout ("wait"), or one request timeout from now ("once").
    const hardStopAt = monotonicNow() + (mode === "wait" ? settings.timeoutMs : 0) + settings.requestTimeoutMs;
    const { budget, release } = leaseBudget(job.origin, settings.maxRequestsPerSecond);
    const noSlot = (): PollOutcome => ({
        kind: "throttled",
        notSent: true,
        error: new NoRequestSlotError({ jobId: settings.jobId, origin: job.origin, maxRequestsPerSecond: budget.ratePerSecond }),
    });
    const askOnce = budgetedRequest(job, budget, hardStopAt, noSlot);
    const fetchOnce = withHardStop(askOnce, { hardStopAt, noSlot, timedOut: () => job.timedOut(settings.requestTimeoutMs) });
    return { settings, fetchOnce, release };
}

/** The settings (an unknown key is refused) and the credentials of a wait. */
function resolveOptions(options: WaitForJobOptions): { settings: ResolvedWaitSettings; credentials: Credentials; cloud?: string } {
    if (options === null || typeof options !== "object") {
        throw new ConfigError({ field: "options", value: String(options), allowed: "an object with at least service and jobId" });
    }
    checkKnownSettings(options, OPTION_KEYS, CREDENTIAL_HINT);
    checkHooks(options);
    const env = resolveSettings(
        {
            accessKey: options.accessKey,
            secretKey: options.secretKey,
            securityToken: options.securityToken,
            token: options.token,
            cloud: options.cloud,
            region: options.region,
            projectId: options.projectId,
        },
        options.env ?? process.env,
    );
    const settings = resolveWaitSettings(options, { projectId: env.projectId, region: env.region });
    checkCustomPolicy(options);
    return { settings, credentials: env.credentials, cloud: env.cloud };
}

/** One job's status request: where it goes, how it is sent and read, and its key among shared requests. */
interface JobRequest {
    origin: string;
    /** Coalescing key: waiters share a request only for the same URL, credentials, values to redact and request timeout. */
    key: string;
    /** Send one request, stopped by `signal` and after `timeoutMs`, and classify the answer. */
    send: (signal: AbortSignal, timeoutMs: number) => Promise<PollOutcome>;
    /** The transient failure of a request stopped by the hard stop. */
    timedOut: (requestTimeoutMs: number) => PollOutcome;
}

function jobRequest(settings: ResolvedWaitSettings, credentials: Credentials, cloud: string | undefined, redact: readonly string[]): JobRequest {
    const origin = settings.endpoint ?? serviceEndpoint(settings.service.endpointService, settings.region!, cloud);
    const path = buildJobPath(settings.service, settings);
    const client = new JobClient({ origin, credentials, projectId: settings.projectId, requestTimeoutMs: settings.requestTimeoutMs });
    const ctx: Omit<ClassifyContext, "nowMs"> = {
        service: settings.service,
        jobId: settings.jobId,
        safeText: serverTextFilter([...secretsOf(credentials), ...redact]),
    };
    return {
        origin,
        key: `${origin}${path}#${identity(credentials, redact)}#${settings.requestTimeoutMs}`,
        async send(signal, timeoutMs) {
            try {
                const answer = await client.get(path, signal, timeoutMs);
                return classifyAnswer(answer, { ...ctx, nowMs: Date.now() });
            } catch (error) {
                if (error instanceof TransportFailure) {
                    return classifyTransportFailure(error.code, error.message, { ...ctx, nowMs: Date.now() });
                }
                throw error;
            }
        },
        timedOut(requestTimeoutMs) {
            const why = `no answer before this wait's hard stop (the deadline plus one request timeout, ${requestTimeoutMs} ms)`;
            return classifyTransportFailure("ETIMEDOUT", why, { ...ctx, nowMs: Date.now() });
        },
    };
}

/**
 * A request that first waits for a token of the endpoint's budget (no slot before the hard stop:
 * `noSlot()`), shared with every waiter asking the same job with the same credentials and request
 * timeout meanwhile whose hard stop is no later than this one's (see `sharedRequest`).
 */
function budgetedRequest(
    job: JobRequest,
    budget: RequestBudget,
    hardStopAt: number,
    noSlot: () => PollOutcome,
): (signal: AbortSignal, onJoin: (stage: FlightStage) => void) => Promise<PollOutcome> {
    const run = async (shared: AbortSignal, stage: FlightStage): Promise<PollOutcome> => {
        if (hardStopAt - monotonicNow() <= 0) return noSlot();
        // No timer of its own: every caller leaves by its hard stop, none later than this one
        // (`withHardStop`), and the last to leave aborts `shared`, which ends the wait for a slot.
        await budget.acquire(shared);
        const sendMs = hardStopAt - monotonicNow();
        if (sendMs <= 0) return noSlot();
        stage.sent = true;
        return job.send(shared, sendMs);
    };
    // Every waiter of a shared request reads a status of its own: one's changes are not another's.
    return async (signal, onJoin) => ownCopy(await sharedRequest(job.key, signal, run, { until: hardStopAt, onJoin }));
}

/**
 * End every poll by the hard stop, however busy the budget is, and even when the request is
 * shared with another waiter.
 *
 * A waiter joins only a shared request whose hard stop is not earlier than its own; it stops
 * waiting for it at its own hard stop (the request goes on for the others), and takes that as a
 * transient failure — or as no request slot, when the request was still waiting for one. The
 * caller's abort before the request went out is a `PollNotSent` (no request to count). The
 * caller's signal is linked by hand, not with AbortSignal.any: a composite of a long-lived signal
 * stays registered on it (Node 20 never prunes it), one per poll, for as long as that signal lives.
 */
function withHardStop(
    askOnce: (signal: AbortSignal, onJoin: (stage: FlightStage) => void) => Promise<PollOutcome>,
    stop: { hardStopAt: number; noSlot: () => PollOutcome; timedOut: () => PollOutcome },
): (signal: AbortSignal | undefined) => Promise<PollOutcome> {
    return async (signal) => {
        const leftMs = stop.hardStopAt - monotonicNow();
        if (leftMs <= 0) return stop.noSlot();
        if (signal?.aborted) throw new PollNotSent(signal.reason);
        const mine = new AbortController();
        const onCallerAbort = () => mine.abort(signal!.reason);
        signal?.addEventListener("abort", onCallerAbort, { once: true });
        let stage: FlightStage | undefined;
        let stoppedWhile: "queued" | "sent" | undefined;
        const timer = setTimeout(() => {
            stoppedWhile = stage?.sent === true ? "sent" : "queued";
            mine.abort(new Error("hard stop"));
        }, leftMs);
        try {
            return await askOnce(mine.signal, (joined) => (stage = joined));
        } catch (error) {
            if (signal?.aborted) throw stage?.sent === true ? error : new PollNotSent(signal.reason);
            if (stoppedWhile === undefined) throw error;
            return stoppedWhile === "queued" ? stop.noSlot() : stop.timedOut();
        } finally {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onCallerAbort);
        }
    };
}

/**
 * `outcome` with a status or an error object of its own: what one waiter (or its hooks, or the
 * resource's redaction) changes in it, another waiter of the same request does not see. An error
 * is copied shallowly, its class and fields kept.
 */
function ownCopy(outcome: PollOutcome): PollOutcome {
    if (outcome.kind === "status") return { ...outcome, status: structuredClone(outcome.status) };
    const { error } = outcome;
    return {
        ...outcome,
        error: Object.defineProperties(Object.create(Object.getPrototypeOf(error) as object) as Error, Object.getOwnPropertyDescriptors(error)),
    };
}

/**
 * The waiter's own time, ms: monotonic, so that a step of the wall clock (NTP, a resumed VM)
 * neither moves the hard stop nor starves the budget.
 */
const monotonicNow = () => performance.now();

/**
 * Who is asking and what they keep out of sight, without the secrets: two waiters share requests
 * only with the same credentials and the same values to redact (a shared answer is read once).
 */
function identity(credentials: Credentials, redact: readonly string[]): string {
    const secret = credentials.kind === "token" ? credentials.token : `${credentials.accessKey}:${credentials.secretKey}`;
    return createHash("sha256")
        .update(JSON.stringify([secret, [...new Set(redact)].sort()]))
        .digest("hex")
        .slice(0, 16);
}
