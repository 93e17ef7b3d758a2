/**
 * When the job will end, from its progress: the forecast the progress-aware policy (`policy.ts`)
 * plans its looks for.
 *
 * Smooth progress has two estimates of its pace, a line through the last 30 points and the recent
 * pace; each prediction is checked against the job's own history (backtests), which set its bias
 * and spread, and the two are pooled by how well they held. Progress in jumps is forecast as a
 * renewal process. Either way the forecast is a log-normal time from an origin (the last rise or
 * jump, or the last read), given that the end has not come since, with the weights the plan gives
 * the blind prior and a silent end beside it.
 *
 * @packageDocumentation
 */

import { analyseProgress, DEFAULT_MODEL_RISK, FIT_SPAN_POINTS, JUMP_POINTS, PaceFit, ProgressAnalysis, ProgressSample } from "./progress";
import { logNormalTail, normalTail } from "./schedule";

/** The finest time step of a forecast, ms: intervals and predicted times are never taken as shorter. */
export const FINEST_STEP_MS = 50;

/**
 * Weight of "the forecast is wrong" in the end-time distribution the policy plans for: the blind
 * prior (given the elapsed time), mixed in with this share. It keeps looks going, sparsely, while a
 * forecast says the end is far: a job that ends much sooner than its progress says is still seen.
 */
export const BLIND_SHARE = 0.1;

/**
 * The blind prior's weight instead, where progress has given reason to doubt what the fit makes of
 * it (see {@link analyseProgress}); the plan stays mostly blind, with looks added where the
 * forecast puts the end:
 * - progress is taken to move in jumps only because a read showed no change: its rises, read
 *   sparsely, each matched the fitted rate, so the flat read is as much what smooth progress that
 *   stopped looks like (a stall, or progress stuck short of 100 while the job runs on) as what
 *   jumps look like;
 * - the server revised its progress down (85 → 60 %): it is an estimate that has been wrong once,
 *   and a job whose estimate runs long ends while progress reads well short of 100.
 */
export const DOUBTFUL_BLIND_SHARE = 0.8;

/**
 * Weight of "the job ends before its smooth progress says, without warning" in the plan: an end
 * uniformly distributed between now and the forecast's median end. Progress that is an estimate
 * (a bar that goes from 80 % straight to done) ends so; with the blind share alone, such a job is
 * seen only by its sparse looks (1.36 × the blind optimum on the bench's ends-early shape, 1.00 ×
 * with this). Progress in jumps ends with a jump, which its own forecast covers: there it is 0,
 * as it is where the plan is mostly blind already ({@link DOUBTFUL_BLIND_SHARE}).
 */
export const SILENT_END_SHARE = 0.05;

/** A forecast whose log-spread exceeds this (a factor e either way, at one σ) is no better than the blind prior. */
const POOR_FORECAST_SPREAD = 2;

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
    /** Weight of the blind prior in the plan ({@link BLIND_SHARE} or {@link DOUBTFUL_BLIND_SHARE}). */
    blindShare: number;
    /** Weight of an end uniformly distributed over the next `remainingMs` ({@link SILENT_END_SHARE} or 0). */
    silentShare: number;
}

/**
 * The forecast of the job's end from its progress samples, or `undefined` when progress gives none
 * (see {@link analyseProgress}) or its predictions have not held (spread above
 * {@link POOR_FORECAST_SPREAD}). Each estimate of the pace (the fitted line, the recent pace) has
 * its median corrected by the bias its own earlier predictions showed, and its spread widened by
 * their scatter (see the module documentation); the two are then pooled ({@link pooled}).
 */
export function forecastEnd(samples: readonly ProgressSample[], nowMs: number, modelRisk = DEFAULT_MODEL_RISK): EndForecast | undefined {
    const a = analyseProgress(samples, nowMs, modelRisk);
    if (a.kind !== "estimate") return undefined;
    const jump = nextJumpForecast(a, nowMs);
    if (jump !== undefined) return jump;
    // The fit knows what it knew when progress last rose: the end is forecast from then, and
    // given that it has not come by now, so a forecast overdue by much has a falling hazard
    // (its looks thin out) instead of an end always "σ from now".
    const originMs = Math.min(nowMs, a.lastChangeMs!);
    const errors = backtestErrors(samples, a, modelRisk);
    const checked = PACES.flatMap((paceOf, m) => {
        const pace = paceOf(a);
        return pace === undefined ? [] : [checkedEstimate(pace, originMs, errors[m])];
    });
    const { medianMs, logSpread } = pooled(checked);
    if (!(logSpread <= POOR_FORECAST_SPREAD)) return undefined;
    return conditionedForecast(medianMs, logSpread, nowMs - originMs, hedgesOf(a, "smooth"));
}

/** The estimates of the pace of smooth progress: the fitted line, and the recent pace (see `ProgressAnalysis.recent`). */
const PACES: readonly ((a: ProgressAnalysis) => PaceFit | undefined)[] = [
    (a) => ({ completionMs: a.completionMs!, sigmaMs: a.sigmaMs!, ratePerMs: a.ratePerMs! }),
    (a) => a.recent,
];

/** A log-normal estimate of the time T from the origin to the end: its median (ms) and σ of ln T. */
export interface LogNormalEstimate {
    medianMs: number;
    logSpread: number;
}

/**
 * One pace's prediction, from `originMs`, corrected by the bias of its backtests' log-errors and
 * with the spread of the fit widened by their scatter (both shrunk towards an untested spread
 * while there are few).
 */
function checkedEstimate(pace: PaceFit, originMs: number, errors: readonly number[]): LogNormalEstimate {
    const fitted = Math.max(pace.completionMs - originMs, pace.sigmaMs, FINEST_STEP_MS);
    const fitSpread = pace.sigmaMs / fitted;
    const n = errors.length;
    const bias = errors.reduce((acc, e) => acc + e, 0) / (n + UNTESTED_WEIGHT);
    const scatter = errors.reduce((acc, e) => acc + (e - bias) ** 2, 0);
    const testedSpread = Math.sqrt((scatter + UNTESTED_WEIGHT * UNTESTED_SPREAD ** 2) / (n + UNTESTED_WEIGHT));
    return { medianMs: fitted * Math.exp(-bias), logSpread: Math.hypot(fitSpread, testedSpread) };
}

/**
 * The estimates (at least one, each with a log-spread above 0) pooled into one log-normal: the
 * mixture of them with weights in inverse proportion to their variances, matched in ln T (its
 * mean the weighted mean of theirs, its variance their weighted variance plus the spread of their
 * means). Where the two paces agree it has their median and a spread between theirs, nearer the
 * sharper; where they disagree (progress changing its pace), it widens between them instead of
 * trusting either. Exported for tests.
 *
 * @throws RangeError when given no estimate.
 */
export function pooled(estimates: readonly LogNormalEstimate[]): LogNormalEstimate {
    if (estimates.length === 0) throw new RangeError("pooled: no estimate to pool");
    const weights = estimates.map((e) => 1 / e.logSpread ** 2);
    const total = weights.reduce((acc, w) => acc + w, 0);
    const meanLog = estimates.reduce((acc, e, i) => acc + (weights[i] / total) * Math.log(e.medianMs), 0);
    const variance = estimates.reduce((acc, e, i) => acc + (weights[i] / total) * (e.logSpread ** 2 + (Math.log(e.medianMs) - meanLog) ** 2), 0);
    return { medianMs: Math.exp(meanLog), logSpread: Math.sqrt(variance) };
}

/** The weights of the blind prior and of a silent end beside a forecast. */
type Hedges = Pick<EndForecast, "blindShare" | "silentShare">;

/**
 * The hedges of a forecast from `a`: where progress gave reason to doubt it, the plan is mostly
 * blind ({@link DOUBTFUL_BLIND_SHARE}); otherwise {@link BLIND_SHARE}, and for smooth progress
 * {@link SILENT_END_SHARE}.
 */
function hedgesOf(a: ProgressAnalysis, progress: "smooth" | "jumps"): Hedges {
    if (a.jumpsFromFlatRead || a.revisedDown) return { blindShare: DOUBTFUL_BLIND_SHARE, silentShare: 0 };
    return { blindShare: BLIND_SHARE, silentShare: progress === "smooth" ? SILENT_END_SHARE : 0 };
}

/** The forecast "T log-normal (median, spread) from an origin `sinceMs` ago, given T > sinceMs", with its conditional median as the ETA. */
function conditionedForecast(medianMs: number, logSpread: number, sinceMs: number, hedges: Hedges): EndForecast {
    if (!(sinceMs > 0)) return { remainingMs: medianMs, medianMs, sinceMs: 0, logSpread, ...hedges };
    // The median of T given T > since: the point with half the remaining tail beyond it.
    const tail = normalTail((Math.log(sinceMs) - Math.log(medianMs)) / logSpread);
    const remainingMs = Math.max(FINEST_STEP_MS, medianMs * Math.exp(logSpread * normalQuantileAbove(tail / 2)) - sinceMs);
    return { remainingMs, medianMs, sinceMs, logSpread, ...hedges };
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
    return conditionedForecast(mean * Math.exp(-sumLogVar / 2), spread, nowMs - originMs, hedgesOf(a, "jumps"));
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
 * How well each pace ({@link PACES}) has predicted this job lately: for up to
 * {@link MAX_BACKTESTS} earlier prefixes of the current phase (latest first) whose last read lies
 * within the fit's span (`FIT_SPAN_POINTS` below the level now reached), ln(predicted / actual)
 * time from the prefix's last read to the first read of that level; one list per pace. Positive:
 * the pace was pessimistic (the job went faster). Older prefixes saw another regime: the slow
 * start of an S-curve predicted its fast middle far too late, and their errors would pull the
 * forecast of its slow end far too early.
 */
function backtestErrors(samples: readonly ProgressSample[], now: ProgressAnalysis, modelRisk: number): number[][] {
    const errors: number[][] = PACES.map(() => []);
    const level = now.levelPoints!;
    const reachedAt = now.lastChangeMs!;
    for (let k = samples.length - 1, tested = 0; k >= 2 && tested < MAX_BACKTESTS; k--) {
        const last = samples[k - 1];
        if (last.atMs < now.phaseStartMs!) break;
        const riseSince = level - last.progress;
        if (last.atMs >= reachedAt || riseSince < MIN_BACKTEST_RISE_POINTS || riseSince > FIT_SPAN_POINTS) continue;
        const then = analyseProgress(samples.slice(0, k), last.atMs, modelRisk);
        if (then.kind !== "estimate" || then.phaseStartMs !== now.phaseStartMs) continue;
        tested++;
        const actual = reachedAt - last.atMs;
        PACES.forEach((paceOf, m) => {
            const pace = paceOf(then);
            if (pace === undefined) return;
            const predicted = pace.completionMs - (100 - level) / pace.ratePerMs - last.atMs;
            const error = Math.log(Math.max(predicted, FINEST_STEP_MS) / actual);
            errors[m].push(Math.max(-MAX_LOG_ERROR, Math.min(MAX_LOG_ERROR, error)));
        });
    }
    return errors;
}

/**
 * Expected remaining time of the job, in ms, when its progress gives a forecast (the median of
 * {@link forecastEnd}); `undefined` otherwise. What progress lines and `onProgress` show as ETA.
 */
export function estimateRemainingMs(samples: readonly ProgressSample[], nowMs: number, modelRisk = DEFAULT_MODEL_RISK): number | undefined {
    return forecastEnd(samples, nowMs, modelRisk)?.remainingMs;
}
