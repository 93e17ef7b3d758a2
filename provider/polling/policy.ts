/**
 * When to ask again: the poll-delay policy.
 *
 * The policy is a pure function of what the loop has observed so far (elapsed time, poll count,
 * the progress samples, the class of the last answer) and returns the delay before the next poll.
 * It trades API calls against detection lag (time between the job finishing and the waiter
 * noticing):
 *
 * - **With usable progress** it fits a robust line through the recent *leading edges* — the
 *   reads at which a new, higher level was first seen (flat stretches carry no rate information
 *   and would drag a fit towards zero) — using weighted Theil–Sen (the Δt-weighted median of
 *   pairwise slopes: one bad read cannot move it). Isolated glitches are dropped, a confirmed
 *   drop of more than 5 points starts a new phase. It predicts when progress reaches 100 % and
 *   how uncertain that is (σ: the progress granularity — integer rounding or the job's own step
 *   size —, scatter around the line, slope error, and a model-risk term, 10 % of the remaining
 *   time, because progress is rarely linear). Far from the predicted end it sleeps until the
 *   earliest plausible end (prediction − 2σ), capped by the user's `maxIntervalMs` and by twice
 *   the time the estimate was learned from (a rate seen for 10 s says little about the next
 *   minute). Inside the
 *   plausible window it polls every √(2·c·σ) — the inspection interval that balances one call
 *   (worth `c` = 1 s of lag) against the lag a longer gap costs (Barlow–Proschan); a sharp
 *   prediction gives dense polls, a vague one sparser polls. Past the plausible window the
 *   prediction has failed, and it backs off as below. (10 %, 2σ, 1 s and twice are the defaults of
 *   {@link PolicyTuning}; {@link createProgressAwarePolicy} sets others.)
 * - **Without usable progress** (no progress field, progress that never moved, progress that read
 *   unchanged for three of its own typical steps, or progress stuck at 100 while the job runs on)
 *   it backs off in proportion to how long nothing has changed (doubling, from 2 s; tripling from
 *   3 s when the API has no progress field at all, since those reads can only say "not yet"),
 *   capped at {@link BLIND_MAX_INTERVAL_MS} so the worst-case gap — and lag — is 60 s.
 * - **After an error** (transient, throttled, not found) it never polls sooner than the plan above
 *   and backs off exponentially per consecutive error; a server `Retry-After` is honoured even
 *   above `maxIntervalMs`.
 *
 * Every delay is multiplied by one random factor in [1 − {@link JITTER_FRACTION}, 1 + it] so that
 * waiters started together drift apart (a sleep towards the earliest plausible end is scaled so
 * that its band ends at that instant), then capped, then clamped into the user's bounds, which
 * always win. Only a server Retry-After may exceed the maximum.
 *
 * Last, **the deadline**: a delay that would reach past it is shortened to end exactly at it, so
 * the final check happens at the deadline (the one delay that may be shorter than the minimum);
 * and a poll that would land less than `minIntervalMs` before the deadline is moved onto it (when
 * that stays within `maxIntervalMs`): that poll *is* the final check, instead of being followed
 * by one sooner than the minimum allows.
 *
 * @packageDocumentation
 */

import { ConfigError } from "../errors";
import { printable } from "../services";

/** One successful read that carried progress. */
export interface ProgressSample {
    /** Elapsed ms since the wait started when the request was sent. */
    atMs: number;
    /** Progress in percent, 0..100. */
    progress: number;
}

/** Class of a poll's answer, as the policy sees it. */
export type OutcomeClass = "status" | "transient" | "throttled" | "notFound";

/** Everything the policy may base its decision on. */
export interface PollObservation {
    /** Elapsed ms since the wait started. */
    elapsedMs: number;
    /** The deadline, as elapsed ms (the final check happens then). */
    timeoutMs: number;
    /** Requests sent so far (≥ 1 when the policy is asked). */
    polls: number;
    /** Successful reads that carried progress, oldest first. The loop keeps the last 32, a run of equal readings as its first and latest only. */
    samples: readonly ProgressSample[];
    /** Class of the last poll. */
    lastOutcome: OutcomeClass;
    /** Transient / throttled / notFound outcomes in a row. */
    consecutiveErrors: number;
    /** Server-requested wait from the last answer (Retry-After), if any. */
    retryAfterMs?: number;
}

/** Bounds on the delay between two polls. */
export interface PollBounds {
    /** No delay is shorter (except none: this is a floor). */
    minIntervalMs: number;
    /** No delay is longer, except a server Retry-After. */
    maxIntervalMs: number;
}

/**
 * Default bounds: 1 s – 120 s.
 *
 * - 1 s floor: a job status read is a cheap GET, and near a sharply predicted end a 1 s gap keeps
 *   the lag of short jobs around a second; anything faster buys nothing measurable.
 * - 120 s ceiling: only reached while the progress fit says the end is far away; it is the AWS SDK
 *   waiters' default steady-state gap, so even a badly wrong prediction (a job that fails
 *   half-way) is noticed no later than an AWS waiter would. Without usable progress the policy's
 *   own cap, {@link BLIND_MAX_INTERVAL_MS} (60 s), applies instead.
 */
export const DEFAULT_BOUNDS: PollBounds = Object.freeze({ minIntervalMs: 1_000, maxIntervalMs: 120_000 });

/**
 * The delay before the next poll, in ms. Pure and deterministic for a given `random` (values in
 * [0, 1)). Never below `bounds.minIntervalMs`, never above `bounds.maxIntervalMs` — except a server
 * Retry-After, which is honoured even above the maximum, and (for {@link progressAwarePolicy}) the
 * delay that ends exactly at the deadline, which may be shorter than the minimum. The loop also
 * caps every wait at the deadline, so a custom policy need not.
 */
export type PollPolicy = (obs: PollObservation, bounds: PollBounds, random: () => number) => number;

/** Longest gap while the policy has no usable progress estimate: bounds the worst-case lag. */
export const BLIND_MAX_INTERVAL_MS = 60_000;

/**
 * Delays are multiplied by a factor drawn from [1 − JITTER_FRACTION, 1 + JITTER_FRACTION] (one
 * draw per decision) before the caps and bounds apply. A sleep towards the earliest plausible end
 * is first divided by 1 + JITTER_FRACTION, so that its jitter band ends at that instant.
 */
export const JITTER_FRACTION = 0.2;

/**
 * The three trade-offs of the progress-aware policy, for {@link createProgressAwarePolicy}. Every
 * field is optional; {@link DEFAULT_TUNING} gives the defaults.
 */
export interface PolicyTuning {
    /**
     * Exchange rate between calls and lag inside the plausible-completion window: one request is
     * worth this much detection lag, in ms. The inspection interval there is √(2 · callCostMs · σ):
     * larger means fewer calls near the predicted end and more lag. Default 1 000.
     */
    callCostMs?: number;
    /**
     * Relative uncertainty of the remaining time that no fit removes, because progress is rarely
     * linear (0.1 = 10 %). Smaller means sharper predictions: fewer calls on linear progress, later
     * detection when the job slows down. Default 0.1.
     */
    modelRisk?: number;
    /**
     * Half-width of the plausible window around the predicted end, in standard uncertainties σ:
     * the waiter sleeps until prediction − windowSigmas·σ and counts the prediction as failed after
     * prediction + windowSigmas·σ. Default 2.
     */
    windowSigmas?: number;
    /**
     * A sleep towards the predicted end is at most this many times as long as the history the
     * prediction rests on (the current phase's observed span): a rate seen for 10 s says little
     * about the next minute (a job that slowed down, restarted unseen, or is just starting).
     * Larger trusts short histories further: fewer calls on smooth jobs, late detection on the
     * others. Default 2 (the factor of the no-progress-field ramp).
     */
    maxExtrapolation?: number;
}

/** Defaults of {@link PolicyTuning}: a call is worth 1 s of lag, 10 % model risk, a ±2σ window, sleeps up to 2× the history. */
export const DEFAULT_TUNING: Readonly<Required<PolicyTuning>> = Object.freeze({ callCostMs: 1_000, modelRisk: 0.1, windowSigmas: 2, maxExtrapolation: 2 });

/** Upper limits of {@link PolicyTuning} fields: beyond them a setting stops meaning anything sensible. */
const TUNING_LIMITS: Readonly<Required<PolicyTuning>> = Object.freeze({ callCostMs: 3_600_000, modelRisk: 10, windowSigmas: 10, maxExtrapolation: 1_000 });

// --- Estimation constants (generic, not fitted to any trace shape) ---

/** The fit uses the samples covering the last this-many percentage points of progress. */
const FIT_SPAN_POINTS = 30;
/** Finest granularity assumed for reported progress (integer percent): ±0.5 point. */
const QUANTUM_POINTS = 0.5;
/** A drop of more than this many points starts a new phase: older samples are ignored. */
const RESET_DROP_POINTS = 5;
/** Progress is stalled when reads show no change for this many of its typical steps (at the fitted rate). */
const STALL_STEPS = 3;
/**
 * Blind backoff while a progress field exists but gives no estimate yet: next delay = this × time
 * since anything changed (1 = doubling). A read here can start the fit (progress begins to move), so
 * reads are worth more than bare done/not-done answers and the ramp is gentle.
 */
const BLIND_GROWTH = 1;
/** Blind backoff with a progress field never starts below this (the AWS/Smithy waiter default first delay). */
const BLIND_FIRST_DELAY_MS = 2_000;
/**
 * Blind backoff when the API reports no progress at all: every read can only say "done" or "not
 * yet", so it buys nothing but lag, and the ramp to the {@link BLIND_MAX_INTERVAL_MS} cap is
 * steeper (tripling from 3 s): it reaches the cap after about as much elapsed time as the AWS
 * waiter's jittered doubling reaches its own (≈ 1 min), instead of spending ~7 calls on the way.
 */
export const NO_FIELD_GROWTH = 2;
/** First blind delay when the API reports no progress at all, in ms (3 s; see {@link NO_FIELD_GROWTH}). */
export const NO_FIELD_FIRST_DELAY_MS = 3_000;
/** Error backoff bases (doubling per consecutive error). */
const TRANSIENT_BASE_MS = 1_000;
const THROTTLED_BASE_MS = 5_000;

/** What {@link analyseProgress} makes of the samples. */
export interface ProgressAnalysis {
    /**
     * `estimate`: a fitted prediction; `stalled`: progress moved before but not for several of its
     * typical steps; `reached`: progress is at 100 but the job is still running; `none`: no usable
     * progress (no samples, a single sample, or progress that never moved).
     */
    kind: "estimate" | "stalled" | "reached" | "none";
    /** Predicted elapsed ms at which progress reaches 100 (`estimate`), or when it did (`reached`). */
    completionMs?: number;
    /** Standard uncertainty of `completionMs` in ms (`estimate` only). */
    sigmaMs?: number;
    /** Fitted rate in percentage points per ms (`estimate` and `stalled`). */
    ratePerMs?: number;
    /** Elapsed ms at which progress was last seen to increase (or the phase's first sample). */
    lastChangeMs?: number;
    /** Elapsed ms of the current phase's first sample: the estimate rests on what was seen since (`estimate` only). */
    phaseStartMs?: number;
}

/**
 * Estimate (ms of elapsed time) when progress reaches 100, or `undefined` when the samples do not
 * support an estimate (fewer than two usable samples, progress that never moved, moved backwards
 * for good, or stalled). If progress already reads 100, the time it was first seen there.
 */
export function estimateCompletionMs(samples: readonly ProgressSample[], nowMs: number): number | undefined {
    const a = analyseProgress(samples, nowMs);
    return a.kind === "estimate" || a.kind === "reached" ? a.completionMs : undefined;
}

/**
 * The full analysis behind {@link estimateCompletionMs} (exported for tests and simulations).
 * `modelRisk`: see {@link PolicyTuning.modelRisk}.
 */
export function analyseProgress(samples: readonly ProgressSample[], nowMs: number, modelRisk = DEFAULT_TUNING.modelRisk): ProgressAnalysis {
    const phase = currentPhase(samples);
    if (phase.length === 0) return { kind: "none" };
    const last = phase[phase.length - 1];

    // Leading edges: the samples at which a new (higher) level was first seen, with the time of
    // the sample before (the level was reached in between). Flat stretches add no points — they
    // say nothing about the rate, and fitting through them would drag the slope towards zero;
    // only the time since the last edge matters (stall detection below).
    const edges: { t: number; p: number; gap: number; rise: number }[] = [{ t: phase[0].t, p: phase[0].p, gap: 0, rise: 0 }];
    for (let i = 1; i < phase.length; i++) {
        const top = edges[edges.length - 1];
        if (phase[i].p > top.p) edges.push({ t: phase[i].t, p: phase[i].p, gap: phase[i].t - phase[i - 1].t, rise: phase[i].p - top.p });
    }
    const lastChangeMs = edges[edges.length - 1].t;

    if (last.p >= 100) {
        const firstAt100 = phase.find((s) => s.p >= 100)!;
        return { kind: "reached", completionMs: firstAt100.t, lastChangeMs: firstAt100.t };
    }

    // Fit window: the edges covering the last FIT_SPAN_POINTS points of progress, plus the one
    // just before them so that the window spans at least that much when the history allows.
    const top = edges[edges.length - 1].p;
    let from = edges.length - 1;
    while (from > 0 && top - edges[from - 1].p <= FIT_SPAN_POINTS) from--;
    if (from > 0) from--;
    const win = edges.slice(from);
    if (win.length < 2 || win[win.length - 1].t - win[0].t <= 0) return { kind: "none", lastChangeMs };

    // Weighted Theil–Sen: Δt-weighted median of pairwise slopes.
    const slopes: { v: number; w: number }[] = [];
    for (let i = 0; i < win.length; i++) {
        for (let j = i + 1; j < win.length; j++) {
            const dt = win[j].t - win[i].t;
            if (dt > 0) slopes.push({ v: (win[j].p - win[i].p) / dt, w: dt });
        }
    }
    const rate = weightedMedian(slopes);
    if (!(rate > 0) || !Number.isFinite(rate)) return { kind: "none", lastChangeMs };
    const intercept = median(win.map((s) => s.p - rate * s.t));
    const scatter = 1.4826 * median(win.map((s) => Math.abs(s.p - (intercept + rate * s.t))));
    // Granularity of the reported progress: how much arrives at once beyond what the fitted rate
    // explains over the gap in which it arrived (≈ 0 for smooth progress polled sparsely, the jump
    // size for progress that moves in steps); at least 1 point (integer rounding).
    const typicalStep = Math.max(1, median(win.slice(1).map((s) => s.rise - rate * s.gap)));
    const noisePoints = Math.hypot(scatter, Math.max(QUANTUM_POINTS, typicalStep / 2));

    // Stall: no increase for several typical steps at the fitted rate.
    // Evidence of a stall is a read that shows no change, not merely time passing without reads.
    if (last.t - lastChangeMs > (STALL_STEPS * typicalStep) / rate) return { kind: "stalled", ratePerMs: rate, lastChangeMs };

    // Completion: where the fitted line reaches 100 — or sooner, if the job is ahead of the line.
    // A job behind the line is "due" at the line's crossing, possibly already in the past: the
    // policy then treats the prediction as overdue and backs off.
    const lineCrossingMs = (100 - intercept) / rate;
    const completionMs = Math.min(lineCrossingMs, nowMs + (100 - last.p) / rate);
    const remainingMs = Math.max(0, completionMs - nowMs);

    const spanPoints = rate * (win[win.length - 1].t - win[0].t);
    const relRateError = (Math.SQRT2 * noisePoints) / Math.max(spanPoints, noisePoints);
    const sigmaMs = Math.sqrt((noisePoints / rate) ** 2 + (remainingMs * relRateError) ** 2 + (remainingMs * modelRisk) ** 2);
    return { kind: "estimate", completionMs, sigmaMs, ratePerMs: rate, lastChangeMs, phaseStartMs: phase[0].t };
}

/**
 * The samples of the current phase, cleaned: non-finite values dropped, progress clamped to
 * 0..100, isolated glitches (one sample far above or below both neighbours) dropped, a trailing
 * drop not yet confirmed by a second sample ignored, and everything before a confirmed drop of
 * more than RESET_DROP_POINTS (the job restarted its counter) forgotten.
 */
function currentPhase(samples: readonly ProgressSample[]): { t: number; p: number }[] {
    const pts = samples
        .filter((s) => Number.isFinite(s.atMs) && Number.isFinite(s.progress))
        .map((s) => ({ t: s.atMs, p: Math.min(100, Math.max(0, s.progress)) }));
    const kept = pts.filter((s, i) => {
        if (i === 0 || i === pts.length - 1) return true;
        const a = pts[i - 1].p;
        const b = pts[i + 1].p;
        const isolatedDip = s.p < Math.min(a, b) - RESET_DROP_POINTS;
        const isolatedSpike = s.p > Math.max(a, b) + RESET_DROP_POINTS;
        return !isolatedDip && !isolatedSpike;
    });
    if (kept.length >= 2 && kept[kept.length - 1].p < kept[kept.length - 2].p - RESET_DROP_POINTS) kept.pop();
    let start = 0;
    for (let i = 1; i < kept.length; i++) {
        if (kept[i].p < kept[i - 1].p - RESET_DROP_POINTS) start = i;
    }
    return kept.slice(start);
}

/**
 * A progress-aware policy (see the module documentation) with its trade-offs set by `tuning`;
 * {@link progressAwarePolicy} is this with {@link DEFAULT_TUNING}. The returned function's
 * `bounds` defaults to {@link DEFAULT_BOUNDS} and `random` to `Math.random`, so a simulation can
 * call it with an observation alone.
 *
 * @throws ConfigError naming the field when a tuning value is not a finite number in its range,
 *   or the key is not a {@link PolicyTuning} field.
 */
export function createProgressAwarePolicy(tuning: PolicyTuning = {}): (obs: PollObservation, bounds?: PollBounds, random?: () => number) => number {
    const { callCostMs, modelRisk, windowSigmas, maxExtrapolation } = resolveTuning(tuning);
    return (obs, bounds = DEFAULT_BOUNDS, random = Math.random) => {
        const min = finiteOr(bounds.minIntervalMs, DEFAULT_BOUNDS.minIntervalMs);
        const max = Math.max(min, finiteOr(bounds.maxIntervalMs, Number.MAX_SAFE_INTEGER));
        const blindCap = Math.max(min, Math.min(BLIND_MAX_INTERVAL_MS, max));
        const now = Math.max(0, finiteOr(obs.elapsedMs, 0));
        // One draw per decision: factor in [1 − J, 1 + J].
        const jitter = 1 + JITTER_FRACTION * (2 * clamp01(random()) - 1);

        // 1. The plan from progress (or its absence), before jitter, and the cap that applies to it.
        // A caller outside TypeScript (a simulator) may leave samples out: that is "no progress field".
        const samples = Array.isArray(obs.samples) ? obs.samples : [];
        const a = analyseProgress(samples, now, modelRisk);
        let delay: number;
        if (a.kind === "estimate") {
            const sigma = a.sigmaMs!;
            const completion = a.completionMs!;
            const earliest = completion - windowSigmas * sigma;
            const inspect = Math.sqrt(2 * callCostMs * Math.max(sigma, 1));
            if (earliest - now > inspect) {
                // Sleep towards the earliest plausible end; scaled so that even the longest jitter
                // draw does not pass it; and never further ahead than the estimate's own history
                // allows (maxExtrapolation times the span it was learned from).
                const towardsEnd = (earliest - now) / (1 + JITTER_FRACTION);
                const trusted = Math.max(inspect, maxExtrapolation * (now - a.phaseStartMs!));
                delay = Math.min(Math.min(towardsEnd, trusted) * jitter, max);
            } else if (now <= completion + windowSigmas * sigma) {
                delay = Math.min(inspect * jitter, max); // inside the plausible window
            } else {
                // Past the plausible window: the prediction was wrong; back off from its end.
                delay = Math.min(Math.max(inspect, BLIND_GROWTH * (now - (completion + windowSigmas * sigma))) * jitter, blindCap);
            }
        } else {
            // No usable progress: back off in proportion to how long nothing has changed (more steeply
            // when there is no progress field to wait for).
            const since = a.lastChangeMs ?? 0;
            const noField = samples.length === 0;
            const first = noField ? NO_FIELD_FIRST_DELAY_MS : BLIND_FIRST_DELAY_MS;
            const growth = noField ? NO_FIELD_GROWTH : BLIND_GROWTH;
            delay = Math.min(Math.max(first, growth * (now - since)) * jitter, blindCap);
        }

        // 2. Errors: never sooner than planned, back off per consecutive error.
        if (obs.lastOutcome !== "status" && obs.consecutiveErrors > 0) {
            const n = Math.min(obs.consecutiveErrors, 30);
            const base = obs.lastOutcome === "throttled" ? THROTTLED_BASE_MS : TRANSIENT_BASE_MS;
            const errCap = obs.lastOutcome === "throttled" ? max : blindCap;
            delay = Math.max(delay, Math.min(base * 2 ** (n - 1) * jitter, errCap));
        }

        // 3. The user's bounds win.
        delay = Math.min(max, Math.max(min, Number.isFinite(delay) ? delay : min));

        // 4. A server Retry-After wins over everything, even the maximum (never below the minimum).
        if (obs.retryAfterMs !== undefined && Number.isFinite(obs.retryAfterMs) && obs.retryAfterMs > 0) {
            delay = Math.max(delay, obs.retryAfterMs, min);
        }

        // 5. The deadline: the final check happens exactly at it, and no poll lands less than the
        //    minimum before it (that poll becomes the final check). Past the deadline the wait is over:
        //    the loop ends it, and the plan above is returned unchanged.
        const remaining = obs.timeoutMs - now;
        if (Number.isFinite(remaining) && remaining > 0) {
            if (delay >= remaining) return remaining;
            if (remaining - delay < min && remaining <= max) return remaining;
        }
        return delay;
    };
}

/** The progress-aware policy with {@link DEFAULT_TUNING}: what every waiter uses unless told otherwise. */
export const progressAwarePolicy = createProgressAwarePolicy();

const TUNING_FIELDS = Object.keys(DEFAULT_TUNING) as (keyof PolicyTuning)[];

function resolveTuning(tuning: PolicyTuning): Required<PolicyTuning> {
    if (tuning === null || typeof tuning !== "object") {
        throw new ConfigError({ field: "tuning", value: printable(tuning), allowed: `an object with any of ${TUNING_FIELDS.join(", ")}` });
    }
    const resolved = { ...DEFAULT_TUNING };
    for (const [key, value] of Object.entries(tuning)) {
        const field = TUNING_FIELDS.find((f) => f === key);
        if (field === undefined) throw new ConfigError({ field: `tuning.${key}`, value: printable(value), allowed: `no such field; valid fields are ${TUNING_FIELDS.join(", ")}` });
        if (value === undefined) continue;
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > TUNING_LIMITS[field]) {
            throw new ConfigError({ field: `tuning.${field}`, value: printable(value), allowed: `a finite number from 0 to ${TUNING_LIMITS[field]} (default ${DEFAULT_TUNING[field]})` });
        }
        resolved[field] = value;
    }
    return resolved;
}

function finiteOr(x: number, fallback: number): number {
    return Number.isFinite(x) && x >= 0 ? x : fallback;
}

function clamp01(x: number): number {
    return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0.5;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function weightedMedian(items: { v: number; w: number }[]): number {
    const s = [...items].sort((a, b) => a.v - b.v);
    const total = s.reduce((acc, x) => acc + x.w, 0);
    let acc = 0;
    for (let i = 0; i < s.length; i++) {
        acc += s[i].w;
        if (acc >= total / 2) {
            // Exactly half: average with the next value (like an ordinary median).
            if (acc === total / 2 && i + 1 < s.length) return (s[i].v + s[i + 1].v) / 2;
            return s[i].v;
        }
    }
    return s[s.length - 1].v;
}
