/**
 * The polling loop: ask, classify, wait as the policy says, ask again, until the job is terminal,
 * the deadline passes (after one final check exactly at the deadline) or the caller aborts.
 * Retrying is p-retry's job; when to ask next is the policy's; time is the {@link Clock}'s.
 *
 * @packageDocumentation
 */

import pRetry, { AbortError } from "p-retry";
import { JobCancelledError, JobFailedError, JobTimeoutError } from "../errors";
import type { JobStatus } from "../services/types";
import { Clock, systemClock } from "./clock";
import { estimateRemainingMs } from "./forecast";
import { DEFAULT_BOUNDS, OutcomeClass, PollBounds, PollPolicy, progressAwarePolicy } from "./policy";
import { ProgressSample } from "./progress";

/** What one poll produced, already classified (see `classifyAnswer` in `http/classify`). */
export type PollOutcome =
    /** A readable job status (running, succeeded or failed). */
    | { kind: "status"; status: JobStatus }
    /**
     * Worth retrying: 5xx, network failure, request timeout, gateway page (`transient`) or
     * throttling (`throttled`). `hostNotFound`: the job API's host name does not resolve
     * (`ENOTFOUND`). Until a status has been read that is tolerated for `notFoundGraceMs`, as a 404
     * is, and then fails the wait: a mistyped region or cloud never resolves. Once a status has
     * been read, it is a DNS outage, retried until the deadline. `notSent`: no request went out
     * (the request budget had no slot in time), so the poll is not counted in `polls`.
     */
    | { kind: "transient" | "throttled"; error: Error; retryAfterMs?: number; hostNotFound?: boolean; notSent?: boolean }
    /** The job is not (yet) visible: tolerated until `notFoundGraceMs` has passed. */
    | { kind: "notFound"; error: Error }
    /** Retrying cannot help (400/401/403, unreadable 200 body): the wait fails at once with `error`. */
    | { kind: "permanent"; error: Error };

/** A status read as `onStatus` sees it. */
export interface StatusUpdate extends JobStatus {
    /**
     * Expected remaining time of a running job, ms: the median of the forecast its progress gives
     * (the policy's `estimateRemainingMs`, else the default forecast's). Absent when progress gives
     * none, and on terminal reads.
     */
    estimatedRemainingMs?: number;
}

/** A poll that read no status, as `onRetry` sees it: the loop asks again after `nextPollInMs`. */
export interface RetryUpdate {
    /** The job waited on. */
    jobId: string;
    /** What the poll got: a temporary failure (5xx, no answer, timeout), throttling, or not found (yet). */
    kind: "transient" | "throttled" | "notFound";
    /** The poll's error (text from the server filtered). */
    error: Error;
    /** Polls in a row that read no status, this one included. */
    consecutiveErrors: number;
    /** Time since the wait started, ms. */
    elapsedMs: number;
    /** Time until the next poll, ms. */
    nextPollInMs: number;
}

/** Options of {@link pollUntilTerminal}. */
export interface PollLoopOptions {
    /** The job waited on (for messages). */
    jobId: string;
    /** Deadline in ms after the start; the last poll happens exactly then. */
    timeoutMs: number;
    /** Poll interval bounds. Default {@link DEFAULT_BOUNDS}. */
    bounds?: PollBounds;
    /** Delay policy. Default {@link progressAwarePolicy}. */
    policy?: PollPolicy;
    /** How long after the start a 404, or a host name that does not resolve before any status was read, is waited out, in ms. Default 30 000. */
    notFoundGraceMs?: number;
    /** Time source. Default {@link systemClock}. */
    clock?: Clock;
    /** Random source for jitter, values in [0, 1). Default `Math.random`. */
    random?: () => number;
    /** Aborting stops the wait at once (the in-flight request too) with `JobCancelledError`. */
    signal?: AbortSignal;
    /**
     * Called with (a copy of) every status read, terminal ones included, with the forecast
     * remaining time while there is one. Not awaited: what it throws, or a promise it returns
     * rejects with, is ignored.
     */
    onStatus?: (status: StatusUpdate) => unknown;
    /**
     * Called after every poll that read no status and is retried (not after the one that ends the
     * wait), so that an outage is seen while it lasts. Not awaited, like `onStatus`.
     */
    onRetry?: (retry: RetryUpdate) => unknown;
}

/** The result of a successful wait. */
export interface PollResult {
    /** The terminal status (state `succeeded`). */
    status: JobStatus;
    /** Requests sent (a poll stopped while its request was under way counts). */
    polls: number;
    /** Time from start to the answer that showed success, in ms. */
    elapsedMs: number;
}

/** Default grace for 404 answers after the start: 30 s. */
export const DEFAULT_NOT_FOUND_GRACE_MS = 30_000;

/** How many progress samples the loop keeps for the policy (runs of equal readings count as two). */
export const MAX_SAMPLES = 32;

/**
 * Add a reading to the policy's history. A run of equal readings keeps only its first (the
 * leading edge, when the level was first seen) and its latest (how long it has been flat):
 * the window holds level changes rather than polls, so a long plateau cannot push the earlier
 * movement out of the history.
 */
export function recordSample(samples: ProgressSample[], sample: ProgressSample): void {
    const n = samples.length;
    if (n >= 2 && samples[n - 1].progress === sample.progress && samples[n - 2].progress === sample.progress) {
        samples[n - 1] = sample;
    } else {
        samples.push(sample);
        if (samples.length > MAX_SAMPLES) samples.shift();
    }
}

/**
 * What a poll function throws when the caller's signal stopped it before its request went out
 * (it was still waiting for a request slot): the wait is cancelled, and the poll is not counted
 * in `polls`.
 */
export class PollNotSent extends Error {
    constructor(readonly reason: unknown) {
        super("cancelled before the request was sent");
        this.name = "PollNotSent";
    }
}

/** Thrown inside p-retry's attempt for a non-terminal outcome: "ask again". */
class NotDoneYet extends Error {
    constructor(readonly outcome: Exclude<PollOutcome, { kind: "permanent" }>) {
        super("job not terminal yet");
    }
}

/**
 * Poll `fetchOnce` until the job is terminal.
 *
 * Resolves with the succeeded status. Rejects with `JobFailedError` (job failed),
 * `JobTimeoutError` (still not terminal at the deadline check), the outcome's error for a
 * `permanent` outcome, a 404 past the grace window or a host name that still does not resolve
 * then (no status read yet), or `JobCancelledError` (signal aborted). A `fetchOnce` stopped by
 * the signal before its request went out throws {@link PollNotSent}: that poll is not counted.
 * An outcome decided before the signal aborted (a terminal status read, a permanent error, the
 * deadline) stands: a hook that aborts on the terminal status does not turn it into a cancel.
 */
export async function pollUntilTerminal(fetchOnce: (signal: AbortSignal | undefined) => Promise<PollOutcome>, options: PollLoopOptions): Promise<PollResult> {
    const clock = options.clock ?? systemClock;
    const random = options.random ?? Math.random;
    const bounds = options.bounds ?? DEFAULT_BOUNDS;
    const policy = options.policy ?? progressAwarePolicy;
    const eta = policy.estimateRemainingMs ?? estimateRemainingMs;
    const graceMs = options.notFoundGraceMs ?? DEFAULT_NOT_FOUND_GRACE_MS;
    const { signal, jobId, timeoutMs } = options;

    const start = clock.now();
    const elapsed = () => clock.now() - start;
    const samples: ProgressSample[] = [];
    let polls = 0;
    let consecutiveErrors = 0;
    let lastStatus: JobStatus | undefined;
    /** The wait's outcome is known (what it throws is that outcome, not the signal's doing). */
    let decided = false;
    const decide = (error: Error) => {
        decided = true;
        return new AbortError(error);
    };

    const attempt = async (): Promise<PollResult> => {
        const askedAt = elapsed();
        polls++;
        const outcome = await fetchOnce(signal).catch((error: unknown) => {
            if (error instanceof PollNotSent) polls--;
            throw error;
        });
        if ((outcome.kind === "transient" || outcome.kind === "throttled") && outcome.notSent === true) polls--;
        switch (outcome.kind) {
            case "permanent":
                throw decide(outcome.error);
            case "notFound":
                if (askedAt >= graceMs) throw decide(outcome.error);
                consecutiveErrors++;
                throw new NotDoneYet(outcome);
            case "transient":
            case "throttled":
                if (outcome.hostNotFound === true && lastStatus === undefined && askedAt >= graceMs) throw decide(outcome.error);
                consecutiveErrors++;
                throw new NotDoneYet(outcome);
            case "status": {
                const status = outcome.status;
                lastStatus = status;
                consecutiveErrors = 0;
                if (status.progress !== undefined) recordSample(samples, { atMs: askedAt, progress: status.progress });
                if (options.onStatus) notify(options.onStatus, status, status.state === "running" ? () => eta(samples, askedAt) : undefined);
                if (status.state === "succeeded") return { status, polls, elapsedMs: elapsed() };
                if (status.state === "failed") throw decide(new JobFailedError({ status, polls }));
                throw new NotDoneYet(outcome);
            }
        }
    };

    const waitBeforeNextPoll = async (outcome: NotDoneYet["outcome"]) => {
        const remaining = timeoutMs - elapsed();
        if (remaining <= 0) {
            decided = true;
            throw new JobTimeoutError({
                jobId,
                elapsedMs: elapsed(),
                polls,
                lastStatus,
                timeoutSeconds: timeoutMs / 1000,
                lastError: outcome.kind === "status" ? undefined : outcome.error,
            });
        }
        const lastOutcome: OutcomeClass = outcome.kind;
        const delay = policy(
            {
                elapsedMs: elapsed(),
                timeoutMs,
                polls,
                samples,
                lastOutcome,
                consecutiveErrors,
                retryAfterMs: "retryAfterMs" in outcome ? outcome.retryAfterMs : undefined,
            },
            bounds,
            random,
        );
        // A custom policy may return anything: NaN, a negative number or no number at all would
        // make a virtual clock spin and a real one poll as fast as it can, so they count as "the
        // minimum interval" (Infinity is "until the deadline").
        const minimum = Number.isFinite(bounds.minIntervalMs) ? bounds.minIntervalMs : DEFAULT_BOUNDS.minIntervalMs;
        const planned = typeof delay === "number" && delay >= 0 ? delay : minimum;
        const sleepMs = Math.min(planned, remaining);
        if (outcome.kind !== "status" && options.onRetry) {
            const { kind, error } = outcome;
            callHook(options.onRetry, { jobId, kind, error, consecutiveErrors, elapsedMs: elapsed(), nextPollInMs: sleepMs });
        }
        await clock.sleep(sleepMs, signal);
    };

    try {
        // The signal is not p-retry's: the poll and the sleep between polls stop on it, and p-retry
        // would also throw away a result read just before it aborted (and needs throwIfAborted,
        // which signal-like objects of older libraries lack).
        return await pRetry(attempt, {
            retries: Number.POSITIVE_INFINITY,
            minTimeout: 0,
            maxTimeout: 0,
            shouldRetry: ({ error }) => error instanceof NotDoneYet,
            onFailedAttempt: async ({ error }) => {
                if (error instanceof NotDoneYet) await waitBeforeNextPoll(error.outcome);
            },
        });
    } catch (error) {
        if (signal?.aborted && !decided) throw cancelledError(jobId, signal, polls);
        throw error;
    }
}

/** Whether `ms` can be shown as a remaining time: a positive finite number (a custom forecast may return anything). */
export function isRemainingTime(ms: number | undefined): ms is number {
    return ms !== undefined && Number.isFinite(ms) && ms > 0;
}

/**
 * Tell `onStatus` about a read, with the forecast remaining time `remaining()` gives when it is a
 * positive finite number. The callback gets a copy (what it changes is not what the wait returns,
 * nor what another waiter of the same request reads); nothing it or the forecast does — throw,
 * reject the promise it returns — changes the outcome of the wait.
 */
function notify(onStatus: (status: StatusUpdate) => unknown, status: JobStatus, remaining: (() => number | undefined) | undefined): void {
    let remainingMs: number | undefined;
    try {
        remainingMs = remaining?.();
    } catch {
        remainingMs = undefined;
    }
    const update: StatusUpdate = structuredClone(status);
    if (isRemainingTime(remainingMs)) update.estimatedRemainingMs = remainingMs;
    callHook(onStatus, update);
}

/** Call a caller's hook without awaiting it: what it throws, or a promise it returns rejects with, does not change the outcome of the wait. */
function callHook<T>(hook: (value: T) => unknown, value: T): void {
    try {
        const returned: unknown = hook(value);
        // Any thenable (a promise of another realm too): its rejection is handled, and ignored.
        if (typeof (returned as PromiseLike<unknown> | undefined)?.then === "function") Promise.resolve(returned).catch(() => undefined);
    } catch {
        // A failing hook must not change the outcome of the wait.
    }
}

/** The `JobCancelledError` of a wait on `jobId` that `signal` stopped after `polls` requests, its abort reason as text. */
export function cancelledError(jobId: string, signal: AbortSignal, polls: number): JobCancelledError {
    const reason: unknown = signal.reason;
    const text = reason instanceof Error ? reason.message || reason.name : typeof reason === "string" && reason ? reason : "aborted";
    return new JobCancelledError({ jobId, reason: text, polls });
}
