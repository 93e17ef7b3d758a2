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
 *   follows the inspection schedule that minimises E[J] for a prior on job durations
 *   ({@link DEFAULT_DURATION_PRIOR}: log-uniform 10 s – 4 h), computed exactly by dynamic
 *   programming (`schedule.ts`) for the policy's c and the caller's bounds, once per bounds: the
 *   gap at elapsed t is the optimal schedule's gap there. Short jobs are looked at often (the first
 *   looks at ≈ 23 s, 40 s, 63 s), long ones rarely (≈ 100 s gaps after an hour); a job outliving
 *   the prior keeps the schedule's longest gap.
 * - **With usable progress** it fits a robust line through the recent *leading edges* — the reads
 *   at which a new, higher level was first seen — using weighted Theil–Sen (one bad read cannot
 *   move it); isolated glitches are dropped and a confirmed drop of more than 5 points starts a
 *   new phase. The fit predicts the remaining time R: to where the line reaches 100, or, for a job
 *   behind its line (one that slows down), at the fitted rate from its last rise. How far such
 *   predictions can be trusted is measured on the job's own history: every earlier prefix of it
 *   predicted when the level now reached would be reached, and those errors (on a log scale) give
 *   the forecast's bias and spread, shrunk towards an untested spread while there are few of them.
 *   The forecast is log-normal, counted from the read at which progress last rose and conditioned
 *   on the end not having come since (so an overdue forecast thins its looks out instead of
 *   promising the end "σ from now" forever). Progress that moves in jumps is forecast as a renewal
 *   process instead: the end comes with the last of the jumps still needed to reach 100, each
 *   after an interval like those seen so far (milestone schemes report stages done, not work
 *   done); from two mean jumps short of 100 on, a read that shows no new jump puts the end, on
 *   average, at least a whole interval past it. Jumps read so sparsely that each rise looks like
 *   the fitted rate's show themselves by a read with no change where that rate would have moved
 *   {@link JUMP_POINTS}; a stall looks the same, so that forecast keeps the blind prior at weight
 *   {@link FLAT_JUMPS_BLIND_SHARE}. Mixed with the blind prior (weight
 *   {@link BLIND_SHARE}, the case "the model is wrong"), its hazard h(t) gives the J-optimal look
 *   density √(h / 2c) (Barlow–Proschan), and the next look is where that density has accumulated
 *   one look. Far from a sharp predicted end that is a long sleep, near it dense looks; a vague
 *   forecast gives looks spread over its width. A forecast whose spread exceeds
 *   {@link POOR_FORECAST_SPREAD} is no forecast: blind schedule.
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

import { ConfigError } from "../errors";
import { printable } from "../services";
import { DurationPrior, logNormalTail, logUniformPrior, normalTail, optimalSchedule } from "./schedule";

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
 * Default bounds: 1 s – 600 s.
 *
 * - 1 s floor: a job status read is a cheap GET, and near a sharply predicted end a 1 s gap keeps
 *   the lag of short jobs around a second; anything faster buys nothing measurable.
 * - 600 s ceiling: reached only while progress says the end is far (the blind share of the plan
 *   keeps looks going meanwhile); without usable progress the blind schedule stays below it on its
 *   own (its longest gap is ≈ 100 s at c = 1 s). A lower ceiling costs calls on every long job with
 *   honest progress: at 120 s, linear jobs of 1–4 h pay 1.7 × the J they pay at 600 s (82.4 s
 *   against 47.2 s, on 115 such jobs of 600 linear jobs drawn from the prior).
 */
export const DEFAULT_BOUNDS: PollBounds = Object.freeze({ minIntervalMs: 1_000, maxIntervalMs: 600_000 });

/**
 * The delay before the next poll, in ms. Pure and deterministic for a given `random` (values in
 * [0, 1)). Never below `bounds.minIntervalMs`, never above `bounds.maxIntervalMs` — except a server
 * Retry-After, which is honoured even above the maximum, and (for {@link progressAwarePolicy}) the
 * delay that ends exactly at the deadline, which may be shorter than the minimum. The loop also
 * caps every wait at the deadline, so a custom policy need not.
 */
export type PollPolicy = (obs: PollObservation, bounds: PollBounds, random: () => number) => number;

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
     * schedule is recomputed for it). Default 1 000.
     */
    callCostMs?: number;
    /**
     * Relative uncertainty of the remaining time that no fit removes, because progress is rarely
     * linear (0.1 = 10 %): the least spread a forecast has, however well its history checks out.
     * Default 0.1.
     */
    modelRisk?: number;
}

/** Defaults of {@link PolicyTuning}: a call is worth 1 s of lag, 10 % model risk. */
export const DEFAULT_TUNING: Readonly<Required<PolicyTuning>> = Object.freeze({ callCostMs: 1_000, modelRisk: 0.1 });

/** Upper limits of {@link PolicyTuning} fields: beyond them a setting stops meaning anything sensible. */
const TUNING_LIMITS: Readonly<Required<PolicyTuning>> = Object.freeze({ callCostMs: 3_600_000, modelRisk: 10 });

/**
 * The prior on job durations (from the first poll) that the blind schedule is optimal for:
 * log-uniform over 10 s – 4 h, every decade equally likely. Huawei's job APIs serve operations
 * from seconds-long switchovers to cluster creations; the Huawei Terraform provider's timeouts for
 * them run from 3 min to 180 min (bench/README.md gives the sources).
 */
export const DEFAULT_DURATION_PRIOR: DurationPrior = logUniformPrior(10_000, 4 * 3_600_000);

/**
 * Weight of "the forecast is wrong" in the end-time distribution the policy plans for: the blind
 * prior (given the elapsed time), mixed in with this share. It keeps looks going, sparsely, while a
 * forecast says the end is far: a job that ends much sooner than its progress says is still seen.
 */
export const BLIND_SHARE = 0.1;

/**
 * The blind prior's weight instead, when progress is taken to move in jumps only because a read
 * showed no change (see {@link analyseProgress}): its rises, read sparsely, each matched the fitted
 * rate, so the flat read is as much what smooth progress that stopped looks like (a stall, or
 * progress stuck short of 100 while the job runs on) as what jumps look like. The plan stays
 * mostly blind, with looks added where the jump forecast puts the end.
 */
export const FLAT_JUMPS_BLIND_SHARE = 0.8;

/** Progress that typically moves at least this many points at once moves in jumps (see {@link forecastEnd}). */
export const JUMP_POINTS = 5;

/** A forecast whose log-spread exceeds this (a factor e either way, at one σ) is no better than the blind prior. */
export const POOR_FORECAST_SPREAD = 2;

// --- Estimation constants (generic, not fitted to any trace shape) ---

/** The fit uses the samples covering the last this-many percentage points of progress. */
const FIT_SPAN_POINTS = 30;
/** Finest granularity assumed for reported progress (integer percent): ±0.5 point. */
const QUANTUM_POINTS = 0.5;
/** A drop of more than this many points starts a new phase: older samples are ignored. */
const RESET_DROP_POINTS = 5;
/** Progress is stalled when reads show no change for this many of its typical steps (at the fitted rate). */
const STALL_STEPS = 3;
/** At most this many earlier prefixes of the history are checked against what happened since. */
const MAX_BACKTESTS = 16;
/** A backtest counts only when progress has risen at least this many points since its prefix. */
const MIN_BACKTEST_RISE_POINTS = 2;
/** Log-error of a forecast that history has not checked yet (a factor 1.65 at one σ)… */
const UNTESTED_SPREAD = 0.5;
/** … weighted like this many backtests, so that a few lucky ones do not make a forecast sharp. */
const UNTESTED_WEIGHT = 1;
/** One backtest's log-error is clamped to ±this: a prediction off by more is simply wrong. */
const MAX_LOG_ERROR = 3;
/** The look-density integration steps in log-time, resolving the forecast's log-spread in this many parts, never finer than 50 ms. */
const STEPS_PER_SPREAD = 6;
const FINEST_STEP_MS = 50;
/** Error backoff bases (doubling per consecutive error), and the cap of transient-error backoff. */
const TRANSIENT_BASE_MS = 1_000;
const THROTTLED_BASE_MS = 5_000;
const TRANSIENT_CAP_MS = 60_000;

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
    /** The progress level last read, in percent (`estimate` only). */
    levelPoints?: number;
    /**
     * How many points progress moves at once, beyond what the fitted rate explains, or as much as a
     * read that showed no change implies (≥ 1; `estimate` only).
     */
    typicalStepPoints?: number;
    /** True when only a read that showed no change says that progress moves in jumps (`estimate` only). */
    jumpsFromFlatRead?: boolean;
    /**
     * When each level of the current phase arrived, estimated as the middle of the gap in which it
     * was first seen; the first is the phase's first sample (`estimate` only).
     */
    arrivalsMs?: number[];
    /** The level (percent) that arrived at each of {@link arrivalsMs} (`estimate` only). */
    arrivalLevelsPoints?: number[];
    /** Elapsed ms of the phase's last read (`estimate` only). */
    lastReadMs?: number;
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
    const unexplainedRise = Math.max(1, median(win.slice(1).map((s) => s.rise - rate * s.gap)));
    // A read that shows no change, although the fitted rate would have moved progress JUMP_POINTS
    // since its last rise, says that it moves in steps (or stopped) whatever the rises said: every
    // rise is one the rate explains when each gap holds one jump. Such steps are as large as the
    // flat read implies, up to the mean rise.
    const flatPoints = rate * (last.t - lastChangeMs);
    const meanRise = (top - win[0].p) / (win.length - 1);
    const typicalStep = flatPoints >= JUMP_POINTS ? Math.max(unexplainedRise, Math.min(meanRise, flatPoints)) : unexplainedRise;
    const noisePoints = Math.hypot(scatter, Math.max(QUANTUM_POINTS, typicalStep / 2));

    // Stall: no increase for several typical steps at the fitted rate.
    // Evidence of a stall is a read that shows no change, not merely time passing without reads.
    if (last.t - lastChangeMs > (STALL_STEPS * typicalStep) / rate) return { kind: "stalled", ratePerMs: rate, lastChangeMs };

    // Completion: where the fitted line reaches 100 — or sooner, if the job is ahead of the line.
    // A job behind the line goes on at the fitted rate from the read at which it last rose: being
    // behind is what a slowing job looks like (a decelerating curve, a slower stage), and the
    // line's crossing, which assumes that it catches up, comes too soon, often already past.
    const lineCrossingMs = (100 - intercept) / rate;
    const fromLastRiseMs = lastChangeMs + (100 - top) / rate;
    const completionMs = fromLastRiseMs > lineCrossingMs ? fromLastRiseMs : Math.min(lineCrossingMs, nowMs + (100 - last.p) / rate);
    const remainingMs = Math.max(0, completionMs - nowMs);

    const spanPoints = rate * (win[win.length - 1].t - win[0].t);
    const relRateError = (Math.SQRT2 * noisePoints) / Math.max(spanPoints, noisePoints);
    const sigmaMs = Math.sqrt((noisePoints / rate) ** 2 + (remainingMs * relRateError) ** 2 + (remainingMs * modelRisk) ** 2);
    const arrivalsMs = edges.map((e) => e.t - e.gap / 2);
    return {
        kind: "estimate",
        completionMs,
        sigmaMs,
        ratePerMs: rate,
        lastChangeMs,
        phaseStartMs: phase[0].t,
        levelPoints: last.p,
        typicalStepPoints: typicalStep,
        jumpsFromFlatRead: unexplainedRise < JUMP_POINTS && typicalStep >= JUMP_POINTS,
        arrivalsMs,
        arrivalLevelsPoints: edges.map((e) => e.p),
        lastReadMs: last.t,
    };
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
 * What the policy expects of the job's end, from its progress: the end comes a log-normal time T
 * after an origin `sinceMs` ago, given that T > sinceMs (for a forecast from the fitted rate the
 * origin is the read at which progress last rose; for progress in jumps it is the last jump).
 */
export interface EndForecast {
    /** Median remaining time given what has been seen, ms from now (the ETA). */
    remainingMs: number;
    /** Median of T, ms from the origin. */
    medianMs: number;
    /** How long ago the origin was, ms. */
    sinceMs: number;
    /** σ of ln T: 0.1 ≈ ±10 %, 1 ≈ a factor e either way. */
    logSpread: number;
    /** Weight of the blind prior in the plan ({@link BLIND_SHARE} or {@link FLAT_JUMPS_BLIND_SHARE}). */
    blindShare: number;
}

/**
 * The forecast of the job's end from its progress samples, or `undefined` when progress gives none
 * (see {@link analyseProgress}) or its predictions have not held (spread above
 * {@link POOR_FORECAST_SPREAD}). The fit's median is corrected by the bias its own earlier
 * predictions showed, and its spread widened by their scatter (see the module documentation).
 */
export function forecastEnd(samples: readonly ProgressSample[], nowMs: number, modelRisk = DEFAULT_TUNING.modelRisk): EndForecast | undefined {
    const a = analyseProgress(samples, nowMs, modelRisk);
    if (a.kind !== "estimate") return undefined;
    const jump = nextJumpForecast(a, nowMs);
    if (jump !== undefined) return jump;
    // The fit knows what it knew when progress last rose: the end is forecast from then, and
    // given that it has not come by now, so a forecast overdue by much has a falling hazard
    // (its looks thin out) instead of an end always "σ from now".
    const originMs = Math.min(nowMs, a.lastChangeMs!);
    const fitted = Math.max(a.completionMs! - originMs, a.sigmaMs!, FINEST_STEP_MS);
    const fitSpread = a.sigmaMs! / fitted;
    const errors = backtestErrors(samples, a, modelRisk);
    const n = errors.length;
    const bias = errors.reduce((acc, e) => acc + e, 0) / (n + UNTESTED_WEIGHT);
    const scatter = errors.reduce((acc, e) => acc + (e - bias) ** 2, 0);
    const testedSpread = Math.sqrt((scatter + UNTESTED_WEIGHT * UNTESTED_SPREAD ** 2) / (n + UNTESTED_WEIGHT));
    const logSpread = Math.hypot(fitSpread, testedSpread);
    if (!(logSpread <= POOR_FORECAST_SPREAD)) return undefined;
    return conditionedForecast(fitted * Math.exp(-bias), logSpread, nowMs - originMs, BLIND_SHARE);
}

/** The forecast "T log-normal (median, spread) from an origin `sinceMs` ago, given T > sinceMs", with its conditional median as the ETA. */
function conditionedForecast(medianMs: number, logSpread: number, sinceMs: number, blindShare: number): EndForecast {
    if (!(sinceMs > 0)) return { remainingMs: medianMs, medianMs, sinceMs: 0, logSpread, blindShare };
    // The median of T given T > since: the point with half the remaining tail beyond it.
    const tail = normalTail((Math.log(sinceMs) - Math.log(medianMs)) / logSpread);
    const remainingMs = Math.max(FINEST_STEP_MS, medianMs * Math.exp(logSpread * normalQuantileAbove(tail / 2)) - sinceMs);
    return { remainingMs, medianMs, sinceMs, logSpread, blindShare };
}

/**
 * Progress that arrives in jumps (typically at least {@link JUMP_POINTS} at once) ends with a jump:
 * a milestone scheme reports stages done, not work done, so between jumps the end can only come
 * with the next one, whatever the rate between them says. As a renewal process: the intervals
 * between jumps are taken as independent log-normal, their median and spread those of the
 * intervals seen so far (the spread shrunk towards {@link UNTESTED_SPREAD} like the backtests, and
 * widened for the estimated median); the points still missing take k = (100 − level) / mean jump
 * more jumps (at least one), with the relative uncertainty CV(jumps)/√k of a renewal count (kept,
 * in proportion, when less than one mean jump is missing: unequal jumps may still need two).
 * - While fewer than two mean jumps are missing, the next jump may be the end: the end is the sum
 *   of k intervals after the last arrival, given that it has not come yet.
 * - From two on, at least one more jump comes first, and the last read showed none: the end is
 *   the rest of the current interval (given that it has lasted since the last arrival, up to that
 *   read) plus k − 1 whole ones. Knowing that no jump came is worth more than knowing that the end
 *   did not: the end is then, on average, at least a whole interval away.
 * Each sum is approximated by the log-normal of the same mean and variance (Fenton–Wilkinson).
 * Jumps that grow or shrink along the scheme (10/30/60/90) are miscounted: that is the model's
 * blind spot. `undefined` where progress does not move in jumps or no whole interval between
 * jumps was seen.
 */
function nextJumpForecast(a: ProgressAnalysis, nowMs: number): EndForecast | undefined {
    const arrivals = a.arrivalsMs!;
    const levels = a.arrivalLevelsPoints!;
    if (a.typicalStepPoints! < JUMP_POINTS) return undefined;
    // The first interval runs from the phase's first read; it is a whole stage only when that read
    // was at 0 % (a job seen from its start), not when the wait began (or the phase restarted) mid-stage.
    const from = levels[0] === 0 ? 0 : 1;
    const logs = arrivals.slice(from + 1).map((t, k) => Math.log(Math.max(FINEST_STEP_MS, t - arrivals[from + k])));
    const rises = levels.slice(1).map((p, k) => p - levels[k]);
    const n = logs.length;
    if (n === 0) return undefined;
    const meanLog = logs.reduce((acc, x) => acc + x, 0) / n;
    const scatter = logs.reduce((acc, x) => acc + (x - meanLog) ** 2, 0);
    const intervalVar = (scatter + UNTESTED_WEIGHT * UNTESTED_SPREAD ** 2) / (n - 1 + UNTESTED_WEIGHT);
    const meanInterval = Math.exp(meanLog + intervalVar / 2);
    const meanRise = rises.reduce((acc, x) => acc + x, 0) / rises.length;
    const riseCv2 = rises.reduce((acc, x) => acc + (x - meanRise) ** 2, 0) / rises.length / meanRise ** 2;
    const jumpsNeeded = (100 - a.levelPoints!) / meanRise;
    const k = Math.max(1, jumpsNeeded);
    // The renewal count's variance, in jumps² (fewer than one typical jump from 100 may still take two).
    const countVar = k * riseCv2 * Math.min(1, jumpsNeeded);
    // The sum of k intervals after the last arrival, or (from two jumps on, none seen by the last
    // read) the rest of the current one plus k − 1 whole ones after that read.
    let originMs = arrivals[arrivals.length - 1];
    let mean = k * meanInterval;
    let variance = meanInterval ** 2 * (k * (Math.exp(intervalVar) - 1) + countVar);
    const quietMs = a.lastReadMs! - originMs;
    if (jumpsNeeded >= 2 && quietMs > 0) {
        const rest = residualInterval(meanLog, intervalVar, quietMs);
        originMs = a.lastReadMs!;
        mean = rest.mean + (k - 1) * meanInterval;
        variance = rest.variance + meanInterval ** 2 * ((k - 1) * (Math.exp(intervalVar) - 1) + countVar);
    }
    // Fenton–Wilkinson, then the median's own estimation error.
    const sumLogVar = Math.log(1 + variance / mean ** 2);
    const spread = Math.sqrt(sumLogVar + intervalVar / n);
    if (!(spread <= POOR_FORECAST_SPREAD)) return undefined;
    const blindShare = a.jumpsFromFlatRead ? FLAT_JUMPS_BLIND_SHARE : BLIND_SHARE;
    return conditionedForecast(mean * Math.exp(-sumLogVar / 2), spread, nowMs - originMs, blindShare);
}

/**
 * Mean and variance (ms, ms²) of X − s given X > s, for a log-normal X (mean and variance of ln X:
 * `meanLog`, `logVar` > 0) that has lasted `sinceMs` = s > 0: the rest of an interval already
 * under way. E[X | X > s] and E[X² | X > s] are e^(μ + σ²/2) · Q(z − σ) / Q(z) and
 * e^(2μ + 2σ²) · Q(z − 2σ) / Q(z), z = (ln s − μ) / σ; the tail ratios are taken in logs
 * ({@link logNormalTail}), so that they keep their precision where the tails underflow.
 */
export function residualInterval(meanLog: number, logVar: number, sinceMs: number): { mean: number; variance: number } {
    const sd = Math.sqrt(logVar);
    const z = (Math.log(sinceMs) - meanLog) / sd;
    const survived = logNormalTail(z);
    const first = Math.exp(meanLog + logVar / 2 + logNormalTail(z - sd) - survived);
    const second = Math.exp(2 * meanLog + 2 * logVar + logNormalTail(z - 2 * sd) - survived);
    return { mean: Math.max(FINEST_STEP_MS, first - sinceMs), variance: Math.max(0, second - first * first) };
}

/** The z with P(Z > z) = q, for q in (0, 1), by bisection on {@link normalTail}. */
function normalQuantileAbove(q: number): number {
    let lo = -10;
    let hi = 10;
    for (let k = 0; k < 60; k++) {
        const mid = (lo + hi) / 2;
        if (normalTail(mid) > q) lo = mid;
        else hi = mid;
    }
    return (lo + hi) / 2;
}

/**
 * How well the fit has predicted this job so far: for up to {@link MAX_BACKTESTS} earlier prefixes
 * of the current phase (latest first), ln(predicted / actual) time from the prefix's last read to
 * the first read of the level now reached. Positive: the fit was pessimistic (the job went faster).
 */
function backtestErrors(samples: readonly ProgressSample[], now: ProgressAnalysis, modelRisk: number): number[] {
    const errors: number[] = [];
    const level = now.levelPoints!;
    const reachedAt = now.lastChangeMs!;
    for (let k = samples.length - 1; k >= 2 && errors.length < MAX_BACKTESTS; k--) {
        const last = samples[k - 1];
        if (last.atMs < now.phaseStartMs!) break;
        if (last.atMs >= reachedAt || level - last.progress < MIN_BACKTEST_RISE_POINTS) continue;
        const then = analyseProgress(samples.slice(0, k), last.atMs, modelRisk);
        if (then.kind !== "estimate" || then.phaseStartMs !== now.phaseStartMs) continue;
        const predicted = then.completionMs! - (100 - level) / then.ratePerMs! - last.atMs;
        const actual = reachedAt - last.atMs;
        const error = Math.log(Math.max(predicted, FINEST_STEP_MS) / actual);
        errors.push(Math.max(-MAX_LOG_ERROR, Math.min(MAX_LOG_ERROR, error)));
    }
    return errors;
}

/**
 * Expected remaining time of the job, in ms, when its progress gives a forecast (the median of
 * {@link forecastEnd}); `undefined` otherwise. What progress lines and `onProgress` show as ETA.
 */
export function estimateRemainingMs(samples: readonly ProgressSample[], nowMs: number): number | undefined {
    return forecastEnd(samples, nowMs)?.remainingMs;
}

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
 * Where the J-optimal look density √(h / 2c) of the forecast mixed with the blind prior has
 * accumulated `looks` looks after `now` (ms from now), at most `maxMs`. The blind prior's hazard at
 * elapsed t is the one its optimal gap g(t) answers, 2c / g(t)².
 */
function forecastDelay(f: EndForecast, now: number, blind: BlindSchedule, callCostMs: number, looks: number, maxMs: number): number {
    if (!(callCostMs > 0)) return 0;
    const logMedian = Math.log(f.medianMs);
    const relativeStep = Math.min(f.logSpread, 1) / STEPS_PER_SPREAD;
    // The forecast's law given that T has passed `sinceMs`.
    const survivedSince = f.sinceMs > 0 ? Math.max(normalTail((Math.log(f.sinceMs) - logMedian) / f.logSpread), Number.MIN_VALUE) : 1;
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
        const density = (1 - f.blindShare) * forecastDensity + f.blindShare * blindHazard * survivalMid;
        const survival = (1 - f.blindShare) * forecastSurvival + f.blindShare * survivalMid;
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
 *   or the key is not a {@link PolicyTuning} field.
 */
export function createProgressAwarePolicy(tuning: PolicyTuning = {}): (obs: PollObservation, bounds?: PollBounds, random?: () => number) => number {
    const { callCostMs, modelRisk } = resolveTuning(tuning);
    const schedules = new Map<string, BlindSchedule>();
    const scheduleFor = (min: number, max: number) => {
        const key = `${min}|${max}`;
        let s = schedules.get(key);
        if (s === undefined) {
            s = blindSchedule(DEFAULT_DURATION_PRIOR, callCostMs, min, max);
            schedules.set(key, s);
        }
        return s;
    };
    return (obs, bounds = DEFAULT_BOUNDS, random = Math.random) => {
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
            const n = Math.min(obs.consecutiveErrors, 30);
            const base = obs.lastOutcome === "throttled" ? THROTTLED_BASE_MS : TRANSIENT_BASE_MS;
            const errCap = obs.lastOutcome === "throttled" ? max : Math.min(max, TRANSIENT_CAP_MS);
            delay = Math.max(delay, Math.min(base * 2 ** (n - 1) * looks, errCap));
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

const policiesByCallCost = new Map<number, PollPolicy>([[DEFAULT_TUNING.callCostMs, progressAwarePolicy]]);

/** The default policy with `callCostMs` set: one instance per value, so that each computes its blind schedules once. */
export function policyForCallCost(callCostMs: number): PollPolicy {
    let policy = policiesByCallCost.get(callCostMs);
    if (policy === undefined) {
        policy = createProgressAwarePolicy({ callCostMs });
        policiesByCallCost.set(callCostMs, policy);
    }
    return policy;
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
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > TUNING_LIMITS[field]) {
            throw new ConfigError({
                field: `tuning.${field}`,
                value: printable(value),
                allowed: `a finite number from 0 to ${TUNING_LIMITS[field]} (default ${DEFAULT_TUNING[field]})`,
            });
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
