/**
 * When to ask again: the poll-delay policy.
 *
 * The policy is a pure function of what the loop has observed so far (elapsed time, poll count,
 * the progress samples, the class of the last answer) and returns the delay before the next poll.
 * It minimises one cost per job, **J = detection lag + c · calls**, where c = `callCostMs` is the
 * lag one request is worth (default 1 s):
 *
 * - **Without usable progress** (no progress field, progress that never moved or stalled,
 *   progress stuck at 100 while the job runs on, or progress whose predictions have not held) it
 *   follows the inspection schedule that minimises E[J] for a prior on job durations (log-uniform
 *   over the tuning's `shortestJobMs` – `longestJobMs`, by default 10 s – 4 h), computed exactly
 *   by dynamic programming (`schedule.ts`) for the policy's c and the caller's bounds, once per
 *   bounds: the gap at elapsed t is the optimal schedule's gap there. Short jobs are looked at
 *   often (by default the first looks at ≈ 23 s, 40 s, 63 s), long ones rarely (≈ 100 s gaps after
 *   an hour); a job outliving the prior keeps the schedule's longest gap.
 * - **With usable progress** (`progress.ts` analyses it, `forecast.ts` forecasts the end) it fits
 *   a robust line through the recent *leading edges* — the reads at which a new, higher level was
 *   first seen — using weighted Theil–Sen (one bad read cannot move it); isolated glitches are
 *   dropped and a confirmed drop of more than 5 points starts a new phase. The fit predicts the
 *   remaining time R: to where the line reaches 100, or, for a job behind its line (one that slows
 *   down), at the fitted rate from its last rise. Beside the line, the recent pace (the median
 *   rate of the rises over the last 5 points, where they are at least three) predicts R too,
 *   from the last rise; it follows progress that changes its pace, which the line averages away,
 *   and a stall is declared at the slower of the two. How far each prediction can be
 *   trusted is measured on the job's own history: every earlier prefix of it predicted when the
 *   level now reached would be reached, and those errors (on a log scale) give its bias and
 *   spread, shrunk towards an untested spread while there are few of them; the two are pooled
 *   by inverse variance, their disagreement widening the result. The forecast is
 *   log-normal, counted from the read at which progress last rose and conditioned on the end not
 *   having come since (so an overdue forecast thins its looks out instead of promising the end
 *   "σ from now" forever). Progress that moves in jumps is forecast as a renewal process instead:
 *   the end comes with the last of the jumps still needed to reach 100, each after an interval
 *   like those seen so far (milestone schemes report stages done, not work done); from two mean
 *   jumps short of 100 on, a read that shows no new jump puts the end, on average, at least a
 *   whole interval past it. Mixed with the blind prior (weight `BLIND_SHARE`, the case "the model
 *   is wrong") and, for smooth progress not in doubt (below), an end uniformly distributed before
 *   the forecast's median (weight `SILENT_END_SHARE`, the case "the job ends while its progress
 *   reads short of 100"), the forecast's hazard h(t) gives the J-optimal look density √(h / 2c)
 *   (Barlow–Proschan), and the next look is where that density has accumulated one look. Far from
 *   a sharp predicted end that is a long sleep, near it dense looks; a vague forecast gives looks
 *   spread over its width. A forecast whose spread exceeds `POOR_FORECAST_SPREAD` is no forecast:
 *   blind schedule. Jumps read so sparsely that each rise looks like the fitted rate's show
 *   themselves by a read with no change where that rate would have moved `JUMP_POINTS`; a stall
 *   looks the same, so their forecast is mixed with the blind prior at `DOUBTFUL_BLIND_SHARE`, as
 *   is the forecast from progress the server has revised down (an estimate wrong once already);
 *   that share covers a silent end too.
 * - **After an error** (transient, throttled, not found) it never polls sooner than the plan above
 *   and backs off exponentially per consecutive error; a server `Retry-After` is honoured even
 *   above `maxIntervalMs`.
 *
 * Every decision draws one random factor u in [1 − {@link JITTER_FRACTION}, 1 + it] and places the
 * next look where the look density has accumulated u looks (for the blind schedule: u times its
 * gap), so that waiters started together drift apart; then the user's bounds apply, and they
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

import { ConfigError, outOfOrderError } from "../errors";
import { printable } from "../services";
import { EndForecast, estimateRemainingMs, FINEST_STEP_MS, forecastEnd } from "./forecast";
import { DEFAULT_MODEL_RISK, ProgressSample } from "./progress";
import { DurationPrior, logUniformPrior, normalTail, optimalSchedule } from "./schedule";

/** Class of a poll's answer, as the policy sees it. */
export type OutcomeClass = "status" | "transient" | "throttled" | "notFound";

/** Everything the policy may base its decision on. */
export interface PollObservation {
    /** Elapsed ms since the wait started. */
    elapsedMs: number;
    /** The deadline, as elapsed ms (the final check happens then). */
    timeoutMs: number;
    /** Requests sent so far (polls that found no request slot sent none). */
    polls: number;
    /** Successful reads that carried progress, oldest first. The loop keeps the last `MAX_SAMPLES` (loop.ts), a run of equal readings as its first and latest only. */
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
 * Default bounds: 1 s – 600 s.
 *
 * - 1 s floor: a job status read is a cheap GET, and near a sharply predicted end a 1 s gap keeps
 *   the lag of short jobs around a second; anything faster buys nothing measurable.
 * - 600 s ceiling: reached only while progress says the end is far (the hedges of the plan
 *   keep looks going meanwhile); without usable progress the default blind schedule stays below
 *   it on its own (its longest gap is ≈ 100 s at c = 1 s). A lower ceiling costs calls on every
 *   long job with honest progress: at 120 s, linear jobs of 1–4 h pay 1.5 × the J they pay at
 *   600 s (78.8 s against 52.2 s, on 115 such jobs of 600 linear jobs drawn from the prior;
 *   1.48–1.50 × at three other seeds).
 */
export const DEFAULT_BOUNDS: PollBounds = Object.freeze({ minIntervalMs: 1_000, maxIntervalMs: 600_000 });

/**
 * The delay before the next poll, in ms. Pure and deterministic for a given `random` (values in
 * [0, 1)). Never below `bounds.minIntervalMs`, never above `bounds.maxIntervalMs` — except a server
 * Retry-After, which is honoured even above the maximum, and (for {@link progressAwarePolicy}) the
 * delay that ends exactly at the deadline, which may be shorter than the minimum. The loop also
 * caps every wait at the deadline, so a custom policy need not.
 */
export interface PollPolicy {
    (obs: PollObservation, bounds: PollBounds, random: () => number): number;
    /**
     * The remaining time (ms) the policy expects from these samples at `nowMs`, where it has a
     * forecast: the ETA of progress lines and `onStatus`. A policy without it gets the default
     * forecast's ({@link estimateRemainingMs}).
     */
    estimateRemainingMs?: (samples: readonly ProgressSample[], nowMs: number) => number | undefined;
}

/**
 * Each decision places the next look where the look density has accumulated u looks, u drawn from
 * [1 − JITTER_FRACTION, 1 + JITTER_FRACTION] (for the blind schedule: u times its gap).
 */
export const JITTER_FRACTION = 0.2;

/**
 * The trade-offs of the progress-aware policy, for {@link createProgressAwarePolicy}. Every field
 * is optional; {@link DEFAULT_TUNING} gives the defaults.
 */
export interface PolicyTuning {
    /**
     * The exchange rate of the cost J = lag + callCostMs · calls: one request is worth this much
     * detection lag, in ms. Larger means fewer calls and later detection, everywhere (the blind
     * schedule is recomputed for it). Default 1 000, at most an hour.
     */
    callCostMs?: number;
    /**
     * Relative uncertainty of the remaining time that no fit removes, because progress is rarely
     * linear (0.1 = 10 %): the least spread a forecast has, however well its history checks out.
     * Default 0.1, at most 10.
     */
    modelRisk?: number;
    /**
     * The durations (ms, from the first poll) the blind schedule is planned for: log-uniform
     * between `shortestJobMs` and `longestJobMs`, every decade equally likely. A job outside the
     * range still ends the wait; it only costs more than it would with the range set for it.
     * Defaults 10 s and 4 h ({@link DEFAULT_DURATION_PRIOR}); `shortestJobMs` from 100 ms,
     * `longestJobMs` from 1 s, both up to a day.
     */
    shortestJobMs?: number;
    /** See {@link PolicyTuning.shortestJobMs}; greater than it. */
    longestJobMs?: number;
}

/**
 * Defaults of {@link PolicyTuning}: a call is worth 1 s of lag, 10 % model risk, jobs of 10 s – 4 h.
 * Huawei's job APIs serve operations from seconds-long switchovers to cluster creations; the
 * Huawei Terraform provider's timeouts for them run from 3 min to 180 min (bench/README.md gives
 * the sources).
 */
export const DEFAULT_TUNING: Readonly<Required<PolicyTuning>> = Object.freeze({
    callCostMs: 1_000,
    modelRisk: DEFAULT_MODEL_RISK,
    shortestJobMs: 10_000,
    longestJobMs: 4 * 3_600_000,
});

/**
 * The range of each {@link PolicyTuning} field: beyond it a setting stops meaning anything
 * sensible. Durations: from the shortest step of the blind schedule's grid to a day (a longer
 * range makes its computation slower and its cached schedules larger; a job outliving the range
 * keeps the schedule's longest gap).
 */
export const TUNING_RANGES: Readonly<Record<keyof PolicyTuning, { min: number; max: number }>> = Object.freeze({
    callCostMs: { min: 0, max: 3_600_000 },
    modelRisk: { min: 0, max: 10 },
    shortestJobMs: { min: 100, max: 86_400_000 },
    longestJobMs: { min: 1_000, max: 86_400_000 },
});

/** The prior on job durations (from the first poll) that the default blind schedule is optimal for: log-uniform over 10 s – 4 h. */
export const DEFAULT_DURATION_PRIOR: DurationPrior = logUniformPrior(DEFAULT_TUNING.shortestJobMs, DEFAULT_TUNING.longestJobMs);

/** The look-density integration steps in log-time, resolving the forecast's log-spread in this many parts, never finer than 50 ms. */
const STEPS_PER_SPREAD = 6;
/** Blind schedules kept per policy (one per pair of bounds), and policies kept by {@link policyForTuning} (one per tuning). */
const CACHED_SCHEDULES = 4;
export const CACHED_POLICIES = 8;
/** Error backoff bases (doubling per consecutive error), and the cap of transient-error backoff. */
const TRANSIENT_BASE_MS = 1_000;
const THROTTLED_BASE_MS = 5_000;
const TRANSIENT_CAP_MS = 60_000;

/** The blind schedule for one pair of bounds, as a gap function of elapsed time. */
interface BlindSchedule {
    /** Gap (ms) the optimal schedule leaves after a look at elapsed `t`. */
    gapAt(t: number): number;
}

function blindSchedule(prior: DurationPrior, callCostMs: number, min: number, max: number): BlindSchedule {
    const { timesMs } = optimalSchedule(prior, { callCostMs, minIntervalMs: min, maxIntervalMs: max });
    const gaps = timesMs.slice(1).map((t, k) => t - timesMs[k]);
    const knots = timesMs.slice(0, -1);
    const beyond = gaps.reduce((a, b) => Math.max(a, b), 0);
    return {
        gapAt(t) {
            if (!(t < knots[knots.length - 1])) return t < prior.highMs ? gaps[gaps.length - 1] : beyond;
            let lo = 0;
            let hi = knots.length - 1;
            while (hi - lo > 1) {
                const mid = (lo + hi) >> 1;
                if (knots[mid] <= t) lo = mid;
                else hi = mid;
            }
            const w = Math.max(0, (t - knots[lo]) / (knots[hi] - knots[lo]));
            return gaps[lo] + w * (gaps[hi] - gaps[lo]);
        },
    };
}

/**
 * Where the J-optimal look density √(h / 2c) of the forecast mixed with the blind prior and a
 * silent end has accumulated `looks` looks after `now` (ms from now), at most `maxMs`. The blind
 * prior's hazard at elapsed t is the one its optimal gap g(t) answers, 2c / g(t)²; the silent end
 * is uniform over the forecast's median remaining time.
 */
function forecastDelay(f: EndForecast, now: number, blind: BlindSchedule, callCostMs: number, looks: number, maxMs: number): number {
    if (!(callCostMs > 0)) return 0;
    const logMedian = Math.log(f.medianMs);
    const relativeStep = Math.min(f.logSpread, 1) / STEPS_PER_SPREAD;
    // The forecast's law given that T has passed `sinceMs`.
    const survivedSince = f.sinceMs > 0 ? Math.max(normalTail((Math.log(f.sinceMs) - logMedian) / f.logSpread), Number.MIN_VALUE) : 1;
    const forecastShare = 1 - f.blindShare - f.silentShare;
    let blindSurvival = 1;
    let accumulated = 0;
    for (let t = 0, step = FINEST_STEP_MS; t < maxMs; t += step, step = Math.max(FINEST_STEP_MS, t * relativeStep)) {
        const mid = t + step / 2;
        const fromOrigin = f.sinceMs + mid;
        const z = (Math.log(fromOrigin) - logMedian) / f.logSpread;
        const forecastDensity = Math.exp(-0.5 * z * z) / (Math.sqrt(2 * Math.PI) * f.logSpread * fromOrigin * survivedSince);
        const forecastSurvival = normalTail(z) / survivedSince;
        const blindHazard = (2 * callCostMs) / blind.gapAt(now + mid) ** 2;
        const survivalMid = blindSurvival * Math.exp(-blindHazard * (step / 2));
        const silentDensity = mid < f.remainingMs ? 1 / f.remainingMs : 0;
        const silentSurvival = Math.max(0, 1 - mid / f.remainingMs);
        const density = forecastShare * forecastDensity + f.blindShare * blindHazard * survivalMid + f.silentShare * silentDensity;
        const survival = forecastShare * forecastSurvival + f.blindShare * survivalMid + f.silentShare * silentSurvival;
        const rate = Math.sqrt(density / Math.max(survival, Number.MIN_VALUE) / (2 * callCostMs));
        if (accumulated + rate * step >= looks) return t + (looks - accumulated) / rate;
        accumulated += rate * step;
        blindSurvival *= Math.exp(-blindHazard * step);
    }
    return maxMs;
}

/**
 * A progress-aware policy (see the module documentation) with its trade-offs set by `tuning`;
 * {@link progressAwarePolicy} is this with {@link DEFAULT_TUNING}. The returned function's
 * `bounds` defaults to {@link DEFAULT_BOUNDS} and `random` to `Math.random`, so a simulation can
 * call it with an observation alone.
 *
 * @throws ConfigError naming the field when a tuning value is not a finite number in its range,
 *   `shortestJobMs` is not below `longestJobMs`, or the key is not a {@link PolicyTuning} field.
 */
export function createProgressAwarePolicy(tuning: PolicyTuning = {}): ProgressAwarePolicy {
    const { callCostMs, modelRisk, shortestJobMs, longestJobMs } = resolveTuning(tuning);
    const prior = logUniformPrior(shortestJobMs, longestJobMs);
    const schedules = recentlyUsed<BlindSchedule>(CACHED_SCHEDULES);
    const scheduleFor = (min: number, max: number) => schedules(`${min}|${max}`, () => blindSchedule(prior, callCostMs, min, max));
    const policy = (obs: PollObservation, bounds = DEFAULT_BOUNDS, random = Math.random) => {
        const min = finiteOr(bounds.minIntervalMs, DEFAULT_BOUNDS.minIntervalMs);
        const max = Math.max(min, finiteOr(bounds.maxIntervalMs, Number.MAX_SAFE_INTEGER));
        const now = Math.max(0, finiteOr(obs.elapsedMs, 0));
        // One draw per decision: u looks in [1 − J, 1 + J].
        const looks = 1 + JITTER_FRACTION * (2 * clamp01(random()) - 1);
        const blind = scheduleFor(min, max);

        // 1. The plan from progress, or the blind schedule where progress gives no forecast.
        // A caller outside TypeScript (a simulator) may leave samples out: that is "no progress field".
        const samples = Array.isArray(obs.samples) ? obs.samples : [];
        const forecast = forecastEnd(samples, now, modelRisk);
        let delay = forecast === undefined ? looks * blind.gapAt(now) : forecastDelay(forecast, now, blind, callCostMs, looks, max);

        // 2. Errors: never sooner than planned, back off per consecutive error.
        if (obs.lastOutcome !== "status" && obs.consecutiveErrors > 0) {
            const n = obs.consecutiveErrors;
            const base = obs.lastOutcome === "throttled" ? THROTTLED_BASE_MS : TRANSIENT_BASE_MS;
            const errCap = obs.lastOutcome === "throttled" ? max : Math.min(max, TRANSIENT_CAP_MS);
            delay = Math.max(delay, Math.min(base * 2 ** (n - 1) * looks, errCap));
        }

        // 3. The user's bounds win.
        delay = Math.min(max, Math.max(min, Number.isFinite(delay) ? delay : min));

        // 4. A server Retry-After wins over everything, even the maximum (never below the minimum).
        if (obs.retryAfterMs !== undefined && Number.isFinite(obs.retryAfterMs) && obs.retryAfterMs > 0) {
            delay = Math.max(delay, obs.retryAfterMs);
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
    return Object.assign(policy, {
        estimateRemainingMs: (samples: readonly ProgressSample[], nowMs: number) => estimateRemainingMs(samples, nowMs, modelRisk),
    });
}

/** What {@link createProgressAwarePolicy} returns: a {@link PollPolicy} whose `bounds` and `random` may be left out, with the ETA of its own forecast. */
export interface ProgressAwarePolicy extends PollPolicy {
    (obs: PollObservation, bounds?: PollBounds, random?: () => number): number;
    estimateRemainingMs: (samples: readonly ProgressSample[], nowMs: number) => number | undefined;
}

/** The progress-aware policy with {@link DEFAULT_TUNING}: what every waiter uses unless told otherwise. */
export const progressAwarePolicy = createProgressAwarePolicy();

/** The tuning a wait's settings give: the call cost and the range of durations. */
type WaitTuning = Required<Pick<PolicyTuning, "callCostMs" | "shortestJobMs" | "longestJobMs">>;

const tuningKey = (t: WaitTuning) => `${t.callCostMs}|${t.shortestJobMs}|${t.longestJobMs}`;
const DEFAULT_TUNING_KEY = tuningKey(DEFAULT_TUNING);
const policiesByTuning = recentlyUsed<PollPolicy>(CACHED_POLICIES);

/**
 * The default policy with a wait's tuning: one instance per tuning (the last
 * {@link CACHED_POLICIES} used are kept), so that each computes its blind schedules once.
 */
export function policyForTuning(tuning: WaitTuning): PollPolicy {
    const key = tuningKey(tuning);
    if (key === DEFAULT_TUNING_KEY) return progressAwarePolicy;
    const { callCostMs, shortestJobMs, longestJobMs } = tuning;
    return policiesByTuning(key, () => createProgressAwarePolicy({ callCostMs, shortestJobMs, longestJobMs }));
}

/**
 * A cache of the `capacity` most recently used values by key, `make` computing a missing one: a
 * caller that varies its settings from wait to wait cannot grow it without end.
 */
function recentlyUsed<V>(capacity: number): (key: string, make: () => V) => V {
    const entries = new Map<string, V>();
    return (key, make) => {
        const value = entries.has(key) ? entries.get(key)! : make();
        entries.delete(key);
        entries.set(key, value);
        if (entries.size > capacity) entries.delete(entries.keys().next().value!);
        return value;
    };
}

const TUNING_FIELDS = Object.keys(DEFAULT_TUNING) as (keyof PolicyTuning)[];

function resolveTuning(tuning: PolicyTuning): Required<PolicyTuning> {
    if (tuning === null || typeof tuning !== "object") {
        throw new ConfigError({ field: "tuning", value: printable(tuning), allowed: `an object with any of ${TUNING_FIELDS.join(", ")}` });
    }
    const resolved = { ...DEFAULT_TUNING };
    for (const [key, value] of Object.entries(tuning)) {
        const field = TUNING_FIELDS.find((f) => f === key);
        if (field === undefined)
            throw new ConfigError({ field: `tuning.${key}`, value: printable(value), allowed: `no such field; valid fields are ${TUNING_FIELDS.join(", ")}` });
        if (value === undefined) continue;
        const { min, max } = TUNING_RANGES[field];
        if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
            throw new ConfigError({
                field: `tuning.${field}`,
                value: printable(value),
                allowed: `a finite number from ${min} to ${max} (default ${DEFAULT_TUNING[field]})`,
            });
        }
        resolved[field] = value;
    }
    if (!(resolved.shortestJobMs < resolved.longestJobMs)) {
        const setting = (key: "shortestJobMs" | "longestJobMs") => ({ field: `tuning.${key}`, value: String(resolved[key]), given: tuning[key] !== undefined });
        throw outOfOrderError(setting("shortestJobMs"), setting("longestJobMs"), { below: "smaller than", above: "greater than" });
    }
    return resolved;
}

function finiteOr(x: number, fallback: number): number {
    return Number.isFinite(x) && x >= 0 ? x : fallback;
}

function clamp01(x: number): number {
    return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0.5;
}
