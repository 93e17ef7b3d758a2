/**
 * The cost-optimal inspection schedule for a job whose only observable is "done / not yet".
 *
 * A waiter pays, per job, J = detection lag + c · calls, where c (`callCostMs`) is the lag one
 * request is worth. For a prior F on the time T from the first call (at 0) to the job's end, and
 * inspection times 0 = t₀ < t₁ < …, a job ending in (tₖ₋₁, tₖ] is noticed at tₖ after k + 1
 * calls (the waiter stops at the end), so
 *
 *     E[J] = c + Σₖ≥₁ [ c · S(tₖ₋₁) + ∫ over (tₖ₋₁, tₖ] of (tₖ − x) dF(x) ],   S = 1 − F.
 *
 * Each term depends only on two consecutive looks, so the schedule that minimises E[J] over the
 * times of a grid is a shortest path, found exactly by dynamic programming backwards from the
 * prior's upper end (where S = 0 and nothing is left to pay): V(i) = minⱼ c·S(gᵢ) + lag(gᵢ, gⱼ) +
 * V(j). The lag term is integrated exactly from the prior's partial mean, so the only
 * approximation is that looks fall on grid points; the grid is fine where the optimal gaps are
 * short (the start) and never coarser than a small fraction of the gap the bounds allow.
 *
 * @packageDocumentation
 */

import { ConfigError } from "../errors";

/** A prior on the time from the waiter's first call to the job's end. */
export interface DurationPrior {
    /** No job ends before this (ms). */
    readonly lowMs: number;
    /** Every job has ended by this (ms). */
    readonly highMs: number;
    /** P(T ≤ t). */
    cdf(tMs: number): number;
    /** ∫₀ᵗ x dF(x), in ms: the part of the mean duration contributed by jobs ending by t. */
    partialMean(tMs: number): number;
}

/** Log-uniform on [lowMs, highMs]: every decade of durations is equally likely. */
export function logUniformPrior(lowMs: number, highMs: number): DurationPrior {
    if (!(lowMs > 0 && highMs > lowMs))
        throw new ConfigError({ field: "prior", value: `[${lowMs}, ${highMs}] ms`, allowed: "a log-uniform prior with 0 < low < high" });
    const span = Math.log(highMs / lowMs);
    const clampT = (t: number) => Math.min(highMs, Math.max(lowMs, t));
    return {
        lowMs,
        highMs,
        cdf: (t) => Math.log(clampT(t) / lowMs) / span,
        partialMean: (t) => (clampT(t) - lowMs) / span,
    };
}

/** Uniform on [lowMs, highMs] (the prior with a closed-form optimal schedule). */
export function uniformPrior(lowMs: number, highMs: number): DurationPrior {
    if (!(lowMs >= 0 && highMs > lowMs))
        throw new ConfigError({ field: "prior", value: `[${lowMs}, ${highMs}] ms`, allowed: "a uniform prior with 0 ≤ low < high" });
    const width = highMs - lowMs;
    const clampT = (t: number) => Math.min(highMs, Math.max(lowMs, t));
    return {
        lowMs,
        highMs,
        cdf: (t) => (clampT(t) - lowMs) / width,
        partialMean: (t) => (clampT(t) ** 2 - lowMs ** 2) / (2 * width),
    };
}

/** A log-normal's mass beyond this many σ above its median is below 1e-15: where {@link logNormalPrior} ends by default. */
export const LOG_NORMAL_CUTOFF_SIGMAS = 8;

/**
 * Log-normal with median `medianMs` and log-spread σ (σ of ln T), conditioned on [lowMs, highMs]
 * (default: 0 to the median · e^({@link LOG_NORMAL_CUTOFF_SIGMAS} σ)): the law of a stage whose
 * length is log-normal, given what is known of its bounds.
 */
export function logNormalPrior(
    medianMs: number,
    logSpread: number,
    lowMs = 0,
    highMs = medianMs * Math.exp(LOG_NORMAL_CUTOFF_SIGMAS * logSpread),
): DurationPrior {
    if (!(medianMs > 0 && logSpread > 0 && lowMs >= 0 && highMs > lowMs)) {
        throw new ConfigError({
            field: "prior",
            value: `log-normal median ${medianMs} ms, σ ${logSpread} on [${lowMs}, ${highMs}] ms`,
            allowed: "median > 0, σ > 0, 0 ≤ low < high",
        });
    }
    const mu = Math.log(medianMs);
    const z = (t: number) => (t > 0 ? (Math.log(t) - mu) / logSpread : Number.NEGATIVE_INFINITY);
    const phi = (x: number) => normalTail(-x);
    const zLo = z(lowMs);
    const zHi = z(highMs);
    const mass = phi(zHi) - phi(zLo);
    const meanAll = medianMs * Math.exp((logSpread * logSpread) / 2);
    const clampT = (t: number) => Math.min(highMs, Math.max(lowMs, t));
    return {
        lowMs,
        highMs,
        cdf: (t) => (phi(z(clampT(t))) - phi(zLo)) / mass,
        // ∫ x dF over [low, t] of a log-normal is its mean times Φ(z − σ) between the ends.
        partialMean: (t) => (meanAll * (phi(z(clampT(t)) - logSpread) - phi(zLo - logSpread))) / mass,
    };
}

/** P(Z > z) for a standard normal Z (Abramowitz–Stegun 7.1.26, absolute error < 1.5e-7). */
export function normalTail(z: number): number {
    if (z === Number.POSITIVE_INFINITY) return 0;
    if (z === Number.NEGATIVE_INFINITY) return 1;
    const x = Math.abs(z) / Math.SQRT2;
    const t = 1 / (1 + 0.3275911 * x);
    const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
    return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** From this z on, {@link logNormalTail} uses the continued fraction (below it, {@link normalTail}'s relative error is under 1e-5)… */
const MILLS_FROM_Z = 2;
/** … with this many terms: machine precision from z = 2 on. */
const MILLS_TERMS = 100;

/**
 * ln P(Z > z), precise in relative terms far into the tail, where P itself loses its digits to
 * {@link normalTail}'s absolute error and then underflows: from {@link MILLS_FROM_Z} on,
 * ln φ(z) + ln of the Mills ratio, by its continued fraction 1 / (z + 1 / (z + 2 / (z + …))).
 */
export function logNormalTail(z: number): number {
    if (!(z >= MILLS_FROM_Z)) return Math.log(normalTail(z));
    let f = z;
    for (let k = MILLS_TERMS; k >= 1; k--) f = z + k / f;
    return -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - Math.log(f);
}

/** ∫ over (a, b] of (b − x) dF(x): the lag, weighted by probability, of the jobs the look at b catches. */
export function lagBetween(prior: DurationPrior, aMs: number, bMs: number): number {
    return bMs * (prior.cdf(bMs) - prior.cdf(aMs)) - (prior.partialMean(bMs) - prior.partialMean(aMs));
}

/**
 * E[J] in ms of lag for the looks at `timesMs` (ascending, the first at 0; the last at or after
 * the prior's upper end, or the jobs still running then count no lag and no further calls).
 */
export function expectedCost(prior: DurationPrior, timesMs: readonly number[], callCostMs: number): number {
    let cost = callCostMs;
    for (let k = 1; k < timesMs.length; k++) {
        cost += callCostMs * (1 - prior.cdf(timesMs[k - 1])) + lagBetween(prior, timesMs[k - 1], timesMs[k]);
    }
    return cost;
}

/** What {@link optimalSchedule} finds. */
export interface InspectionSchedule {
    /** The looks, ascending: 0, then the optimal times up to the prior's upper end. */
    timesMs: number[];
    /** E[J] of that schedule, in ms of lag. */
    expectedCostMs: number;
}

/** Options of {@link optimalSchedule}. */
export interface ScheduleConstraints {
    /** Lag one call is worth, ms. */
    callCostMs: number;
    /** No two looks closer than this (ms). Default 0. */
    minIntervalMs?: number;
    /** No two looks further apart than this (ms). Default: unlimited. */
    maxIntervalMs?: number;
    /** Candidate look times (ascending, starting at 0, ending at or after the prior's upper end). Default {@link inspectionGrid}. */
    gridMs?: readonly number[];
}

/** Grid spacing: this fraction of the elapsed time, … */
const GRID_RELATIVE_STEP = 0.005;
/** … at least this (ms) … */
const GRID_MIN_STEP_MS = 100;
/** … at most this (ms), and at most this fraction of the longest allowed gap … */
const GRID_MAX_STEP_MS = 2_000;
const GRID_STEPS_PER_MAX_GAP = 16;
/**
 * … and never finer than the prior's upper end over this many points, whatever the two bounds
 * above say: the grid of a day-long prior with a 10 ms maximum gap would otherwise hold 864,000
 * points (and the DP's time and memory grow with them).
 */
export const GRID_MAX_POINTS = 300_000;
/** Marks a point whose last look is the minimum gap past it (see {@link optimalSchedule}). */
const LAST_LOOK_AFTER_MIN = -1;

/**
 * Candidate look times for `prior`: 0, then steps growing with elapsed time (0.5 % of it, 0.1–2 s),
 * up to its upper end; at most {@link GRID_MAX_POINTS} steps. `steps` changes the relative step and
 * the 2 s cap (a coarser grid far out, for a bench that solves one DP per job).
 */
export function inspectionGrid(
    prior: Pick<DurationPrior, "highMs">,
    maxIntervalMs = Number.POSITIVE_INFINITY,
    steps: { relative?: number; maxMs?: number } = {},
): number[] {
    const relative = steps.relative ?? GRID_RELATIVE_STEP;
    const floor = Math.max(GRID_MIN_STEP_MS, prior.highMs / GRID_MAX_POINTS);
    const maxStep = Math.max(floor, Math.min(steps.maxMs ?? GRID_MAX_STEP_MS, maxIntervalMs / GRID_STEPS_PER_MAX_GAP));
    const grid = [0];
    for (let t = 0; t < prior.highMs;) {
        t = Math.min(prior.highMs, t + Math.min(maxStep, Math.max(floor, t * relative)));
        grid.push(t);
    }
    return grid;
}

/**
 * The E[J]-minimising looks on a grid, by dynamic programming (see the module documentation).
 * Gaps outside [minIntervalMs, maxIntervalMs] are not considered; when the grid offers no gap in
 * that range from a point, its nearest point beyond the minimum is taken, and where the grid ends
 * sooner than the minimum the last look is the minimum gap later.
 */
export function optimalSchedule(prior: DurationPrior, constraints: ScheduleConstraints): InspectionSchedule {
    const c = constraints.callCostMs;
    const minGap = constraints.minIntervalMs ?? 0;
    const maxGap = constraints.maxIntervalMs ?? Number.POSITIVE_INFINITY;
    const grid = constraints.gridMs ?? inspectionGrid(prior, maxGap);
    const n = grid.length - 1;
    const value = new Float64Array(n + 1); // V(n) = 0: every job has ended by the last point
    // next[i]: the look after grid point i; LAST_LOOK_AFTER_MIN: one last look the minimum gap
    // later, past the grid's end (the grid's end is nearer than the minimum).
    const next = new Int32Array(n + 1).fill(n);
    // F and the partial mean at every grid point, once: lagBetween on two grid points from them.
    const cdfAt = Float64Array.from(grid, (t) => prior.cdf(t));
    const meanAt = Float64Array.from(grid, (t) => prior.partialMean(t));
    for (let i = n - 1; i >= 0; i--) {
        const callTerm = c * (1 - cdfAt[i]);
        let first = i + 1;
        while (first < n && grid[first] - grid[i] < minGap) first++;
        if (grid[first] - grid[i] < minGap) {
            value[i] = callTerm + lagBetween(prior, grid[i], grid[i] + minGap);
            next[i] = LAST_LOOK_AFTER_MIN;
            continue;
        }
        let best = Number.POSITIVE_INFINITY;
        for (let j = first; j <= n; j++) {
            if (j > first && grid[j] - grid[i] > maxGap) break;
            const paid = callTerm + grid[j] * (cdfAt[j] - cdfAt[i]) - (meanAt[j] - meanAt[i]);
            // The lag term only grows with j and V ≥ 0: no later j can do better.
            if (paid >= best) break;
            const v = paid + value[j];
            if (v < best) {
                best = v;
                next[i] = j;
            }
        }
        value[i] = best;
    }
    const timesMs = [grid[0]];
    for (let i = 0; i < n;) {
        if (next[i] === LAST_LOOK_AFTER_MIN) {
            timesMs.push(grid[i] + minGap);
            break;
        }
        i = next[i];
        timesMs.push(grid[i]);
    }
    return { timesMs, expectedCostMs: c + value[0] };
}
