/**
 * What a job's progress says: the analysis behind the progress-aware policy (`policy.ts`).
 *
 * From the progress samples of one wait it keeps the current phase (glitches dropped, a restart
 * of the counter forgotten), fits a robust line through the reads at which a new level was first
 * seen (weighted Theil–Sen), measures the recent pace beside it, and says whether progress moves
 * smoothly or in jumps, has stalled, or reads 100 while the job runs on. Pure functions of the
 * samples.
 *
 * @packageDocumentation
 */

/** The default of `PolicyTuning.modelRisk` (in `policy.ts`): 10 % of the remaining time, however good the fit. */
export const DEFAULT_MODEL_RISK = 0.1;

/** One successful read that carried progress. */
export interface ProgressSample {
    /** Elapsed ms since the wait started when the request was sent. */
    atMs: number;
    /** Progress in percent, 0..100. */
    progress: number;
}

/** Progress that typically moves at least this many points at once moves in jumps (see `forecastEnd` in `forecast.ts`). */
export const JUMP_POINTS = 5;

/** The fit uses the samples covering the last this-many percentage points of progress (its backtests too, see `forecast.ts`). */
export const FIT_SPAN_POINTS = 30;

/**
 * The recent pace is measured over the rises of the last this-many points of progress and the
 * rise into them (see {@link ProgressAnalysis.recent}) …
 */
const RECENT_SPAN_POINTS = 5;

/**
 * … and only where they are at least this many: their median is then not set by one long gap
 * (a stall just over). Coarser progress (a few big steps) has no recent pace.
 */
const MIN_RECENT_RISES = 3;

/** The median absolute deviation times this estimates the standard deviation of normal noise. */
const MAD_TO_SIGMA = 1.4826;

/** Finest granularity assumed for reported progress (integer percent): ±0.5 point. */
const QUANTUM_POINTS = 0.5;

/** A drop of more than this many points starts a new phase (the job restarted its counter or revised its estimate): older samples are ignored. */
const RESET_DROP_POINTS = 5;

/**
 * A drop that keeps at least this share of the level it fell from (85 → 60 %) is a revision of an
 * estimate, not a restart of the work (60 → 2 %): see {@link ProgressAnalysis.revisedDown}.
 */
const REVISION_KEEPS_SHARE = 0.5;

/** Progress is stalled when reads show no change for this many of its typical steps (at the slower of the fitted rate and the recent pace). */
const STALL_STEPS = 3;

/** A prediction of when progress reaches 100, from one estimate of its pace. */
export interface PaceFit {
    /** Predicted elapsed ms at which progress reaches 100. */
    completionMs: number;
    /** Standard uncertainty of `completionMs`, in ms. */
    sigmaMs: number;
    /** The pace, in percentage points per ms. */
    ratePerMs: number;
}

/** What {@link analyseProgress} makes of the samples. */
export interface ProgressAnalysis {
    /**
     * `estimate`: a fitted prediction; `stalled`: progress moved before but not for several of its
     * typical steps; `reached`: progress is at 100 but the job is still running; `none`: no usable
     * progress (no samples, a single sample, or progress that never moved).
     */
    kind: "estimate" | "stalled" | "reached" | "none";
    /**
     * Predicted elapsed ms at which progress reaches 100 by the fitted line (`estimate`), or when
     * it did (`reached`).
     */
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
     * True when the current phase began with a drop that kept at least half the level it fell
     * from, every read of the drop counted (a low one the glitch filter dropped too): the server's
     * progress is an estimate (of elapsed / total time, say) that it has revised, not work
     * restarted from 0, so it may be revised again, and the end may come while it reads well
     * short of 100 (`estimate` only).
     */
    revisedDown?: boolean;
    /**
     * When each level of the current phase arrived, estimated as the middle of the gap in which it
     * was first seen; the first is the phase's first sample (`estimate` only).
     */
    arrivalsMs?: number[];
    /** The level (percent) that arrived at each of {@link ProgressAnalysis.arrivalsMs} (`estimate` only). */
    arrivalLevelsPoints?: number[];
    /** Elapsed ms of the phase's last read (`estimate` only). */
    lastReadMs?: number;
    /**
     * The second estimate beside the line: the recent pace, the median rate of the rises over the
     * last {@link RECENT_SPAN_POINTS} points (and the rise into them), progress going on at it
     * from its last rise. The line through the last `FIT_SPAN_POINTS` points averages over what
     * the job did minutes or hours ago, and is too fast for progress that slows down (the tail of
     * an S-curve, a slower stage); the recent pace follows such changes, and is noisier.
     * `forecast.ts` weighs the two by how well each predicted this job so far (`estimate` only,
     * when the window holds at least three rises).
     */
    recent?: PaceFit;
}

/**
 * What the progress samples say at `nowMs` (see {@link ProgressAnalysis}): the forecast's input.
 * Its `completionMs` is when progress reaches 100 — for an `estimate`, or for progress that
 * already reads 100 (`reached`, the time it was first seen there); there is none for fewer than
 * two usable samples, progress that never moved, moved backwards for good, or stalled.
 * `modelRisk`: see `PolicyTuning.modelRisk`.
 */
export function analyseProgress(samples: readonly ProgressSample[], nowMs: number, modelRisk = DEFAULT_MODEL_RISK): ProgressAnalysis {
    const { phase, drop } = currentPhase(samples);
    if (phase.length === 0) return { kind: "none" };
    const last = phase[phase.length - 1];

    // Leading edges: the samples at which a new (higher) level was first seen, with the time of
    // the sample before (the level was reached in between). Flat stretches add no points — they
    // say nothing about the rate, and fitting through them would drag the slope towards zero;
    // only the time since the last edge matters (stall detection below).
    const edges: Edge[] = [{ t: phase[0].t, p: phase[0].p, gap: 0, rise: 0 }];
    for (let i = 1; i < phase.length; i++) {
        const top = edges[edges.length - 1];
        if (phase[i].p > top.p) edges.push({ t: phase[i].t, p: phase[i].p, gap: phase[i].t - phase[i - 1].t, rise: phase[i].p - top.p });
    }
    const lastChangeMs = edges[edges.length - 1].t;

    if (last.p >= 100) {
        const firstAt100 = phase.find((s) => s.p >= 100)!;
        return { kind: "reached", completionMs: firstAt100.t, lastChangeMs: firstAt100.t };
    }

    const top = edges[edges.length - 1].p;
    const win = edges.slice(windowStart(edges, FIT_SPAN_POINTS));
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
    const scatter = MAD_TO_SIGMA * median(win.map((s) => Math.abs(s.p - (intercept + rate * s.t))));
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
    const noisePoints = readNoisePoints(scatter, typicalStep);

    // The recent pace: the median rate of the rises in the window of the last RECENT_SPAN_POINTS
    // points, where it holds at least MIN_RECENT_RISES of them.
    const recentWin = edges.slice(windowStart(edges, RECENT_SPAN_POINTS));
    const riseRates = recentWin.slice(1).flatMap((e, k) => (e.t > recentWin[k].t ? [e.rise / (e.t - recentWin[k].t)] : []));
    const recentRate = riseRates.length >= MIN_RECENT_RISES ? median(riseRates) : undefined;

    // Stall: no increase for several typical steps at the fitted rate, or at the recent pace where
    // that is slower (progress that slows down has not stalled).
    // Evidence of a stall is a read that shows no change, not merely time passing without reads.
    const stallRate = Math.min(rate, recentRate ?? rate);
    if (last.t - lastChangeMs > (STALL_STEPS * typicalStep) / stallRate) return { kind: "stalled", ratePerMs: rate, lastChangeMs };

    // Completion: where the fitted line reaches 100 — or sooner, if the job is ahead of the line.
    // A job behind the line goes on at the fitted rate from the read at which it last rose: being
    // behind is what a slowing job looks like (a decelerating curve, a slower stage), and the
    // line's crossing, which assumes that it catches up, comes too soon, often already past.
    const lineCrossingMs = (100 - intercept) / rate;
    const fromLastRiseMs = lastChangeMs + (100 - top) / rate;
    const completionMs = fromLastRiseMs > lineCrossingMs ? fromLastRiseMs : Math.min(lineCrossingMs, nowMs + (100 - last.p) / rate);
    const remainingMs = Math.max(0, completionMs - nowMs);

    const sigmaMs = completionSigmaMs(noisePoints, rate, rate * (win[win.length - 1].t - win[0].t), remainingMs, modelRisk);

    // The recent pace from the last rise, its noise the scatter about it of the window's earlier
    // edges (the last one lies on it by construction).
    let recent: PaceFit | undefined;
    if (recentRate !== undefined) {
        const recentCompletionMs = lastChangeMs + (100 - top) / recentRate;
        const recentScatter = MAD_TO_SIGMA * median(recentWin.slice(0, -1).map((e) => Math.abs(e.p - (top - recentRate * (lastChangeMs - e.t)))));
        const recentNoise = readNoisePoints(recentScatter, typicalStep);
        const recentRemainingMs = Math.max(0, recentCompletionMs - nowMs);
        const recentSigmaMs = completionSigmaMs(recentNoise, recentRate, top - recentWin[0].p, recentRemainingMs, modelRisk);
        recent = { completionMs: recentCompletionMs, sigmaMs: recentSigmaMs, ratePerMs: recentRate };
    }
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
        revisedDown: drop !== undefined && drop.toPoints >= REVISION_KEEPS_SHARE * drop.fromPoints,
        arrivalsMs,
        arrivalLevelsPoints: edges.map((e) => e.p),
        lastReadMs: last.t,
        recent,
    };
}

/** A leading edge: the sample at which a new, higher level was first seen (`gap`: since the sample before; `rise`: above the level before). */
interface Edge {
    t: number;
    p: number;
    gap: number;
    rise: number;
}

/**
 * Index of the first of the edges that cover the last `spanPoints` points of progress, plus the
 * one just before them, so that the window spans at least that much when the history allows.
 */
function windowStart(edges: readonly Edge[], spanPoints: number): number {
    const top = edges[edges.length - 1].p;
    let from = edges.length - 1;
    while (from > 0 && top - edges[from - 1].p <= spanPoints) from--;
    return Math.max(0, from - 1);
}

/** Noise of the reads, in points: the scatter about a fit, and never less than the quantum or half a typical step. */
function readNoisePoints(scatterPoints: number, typicalStepPoints: number): number {
    return Math.hypot(scatterPoints, Math.max(QUANTUM_POINTS, typicalStepPoints / 2));
}

/**
 * Standard uncertainty (ms) of a completion predicted at `ratePerMs` from a window spanning
 * `spanPoints`, `remainingMs` ahead: the read noise in time, the rate's error carried over the
 * remaining time, and the model risk.
 */
function completionSigmaMs(noisePoints: number, ratePerMs: number, spanPoints: number, remainingMs: number, modelRisk: number): number {
    const relRateError = (Math.SQRT2 * noisePoints) / Math.max(spanPoints, noisePoints);
    return Math.sqrt((noisePoints / ratePerMs) ** 2 + (remainingMs * relRateError) ** 2 + (remainingMs * modelRisk) ** 2);
}

/**
 * The samples of the current phase, cleaned: non-finite values dropped, progress clamped to
 * 0..100, isolated glitches (one sample far above or below both neighbours) dropped, a trailing
 * drop not yet confirmed by a second sample ignored, and everything before a confirmed drop of
 * more than RESET_DROP_POINTS (the job restarted its counter or revised its estimate) forgotten;
 * with that drop, if there was one: the level it fell from and the lowest read after it, up to the
 * phase's first (a read the glitch filter dropped included: 60, 2, 35 % is a restart).
 */
function currentPhase(samples: readonly ProgressSample[]): { phase: { t: number; p: number }[]; drop?: { fromPoints: number; toPoints: number } } {
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
    const phase = kept.slice(start);
    if (start === 0) return { phase };
    const from = pts.indexOf(kept[start - 1]);
    const to = pts.indexOf(kept[start]);
    return { phase, drop: { fromPoints: pts[from].p, toPoints: Math.min(...pts.slice(from + 1, to + 1).map((s) => s.p)) } };
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
