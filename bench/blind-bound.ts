/**
 * How close one progress-blind schedule can come to the optimum of several priors at once: a
 * lower bound, by duality, and the schedule that comes near it.
 *
 * For priors F₁…Fₙ with optimal costs J*ᵢ, a schedule s has ratios rᵢ(s) = E_Fᵢ[J(s)] / J*ᵢ. For
 * any weights λ (λᵢ ≥ 0, Σλᵢ = 1), maxᵢ rᵢ(s) ≥ Σᵢ λᵢ rᵢ(s) ≥ min over schedules of Σᵢ λᵢ rᵢ. That
 * minimum is E[J] under one prior — the mixture of the Fᵢ weighted λᵢ / J*ᵢ, since E[J] is linear
 * in the prior — so the dynamic program of `provider/polling/schedule.ts` finds it, exactly among
 * the schedules whose looks fall on its grid and keep the given bounds. Every λ thus gives a bound
 * that no such schedule beats on all the priors; it holds for a randomised (jittered) schedule too,
 * when the draws are independent of the job's end: average the inequality over them. Off the grid
 * the minimum can only be lower by the grid's error, which halving every grid step shows to be
 * below 0.01 % (test/bench/blind-bound.test.ts checks 0.05 %). The bound is concave in λ, and
 * multiplicative weights (raise the weight of the prior the current mixture schedule serves worst)
 * climb towards its maximum. The mixture's own schedule pays at most maxᵢ rᵢ, which brackets the
 * best worst case from above.
 *
 * @packageDocumentation
 */

import { DurationPrior, ScheduleConstraints, expectedCost, optimalSchedule } from "../provider/polling/schedule";

/** What {@link blindWorstCaseBound} finds. */
export interface WorstCaseBound {
    /** Every blind schedule pays at least this × the optimum on one of the priors. */
    lowerBound: number;
    /** The weights of the priors' ratios that give {@link lowerBound} (they sum to 1). */
    weights: number[];
    /** What the schedule optimal for those weights pays on each prior, × that prior's optimum. */
    mixtureRatios: number[];
}

/** Multiplicative-weights rounds, and the step of each (in units of a ratio's excess over the weighted mean). */
const ROUNDS = 40;
const STEP = 2;

/** The prior that is `priors` mixed with `weights` (which need not sum to 1). */
export function mixturePrior(priors: readonly DurationPrior[], weights: readonly number[]): DurationPrior {
    const total = weights.reduce((a, b) => a + b, 0);
    const mix = (f: (p: DurationPrior) => number) => priors.reduce((acc, p, i) => acc + weights[i] * f(p), 0) / total;
    return {
        lowMs: Math.min(...priors.map((p) => p.lowMs)),
        highMs: Math.max(...priors.map((p) => p.highMs)),
        cdf: (t) => mix((p) => p.cdf(t)),
        partialMean: (t) => mix((p) => p.partialMean(t)),
    };
}

/**
 * E[J] of the looks `timesMs` on `prior`, × that prior's optimum `optimumMs`. The looks must reach
 * the prior's upper end (see {@link expectedCost}); a schedule that stops sooner is not priced.
 */
export function ratioOn(prior: DurationPrior, timesMs: readonly number[], callCostMs: number, optimumMs: number): number {
    if (!(timesMs[timesMs.length - 1] >= prior.highMs))
        throw new Error(`the looks stop at ${timesMs[timesMs.length - 1]} ms, before the prior's end ${prior.highMs} ms`);
    return expectedCost(prior, timesMs, callCostMs) / optimumMs;
}

/** The optimal looks for `priors` mixed so as to minimise their ratios (to `optima`) weighted by `weights`. */
export function weightedOptimum(
    priors: readonly DurationPrior[],
    optima: readonly number[],
    weights: readonly number[],
    constraints: ScheduleConstraints,
): number[] {
    return optimalSchedule(
        mixturePrior(
            priors,
            weights.map((w, i) => w / optima[i]),
        ),
        constraints,
    ).timesMs;
}

/** The bound of the module documentation for `priors` under `constraints` (the call cost and the bounds every schedule keeps). */
export function blindWorstCaseBound(priors: readonly DurationPrior[], constraints: ScheduleConstraints): WorstCaseBound {
    const c = constraints.callCostMs;
    const optima = priors.map((p) => optimalSchedule(p, constraints).expectedCostMs);
    let weights = priors.map(() => 1 / priors.length);
    let best: WorstCaseBound = { lowerBound: 0, weights, mixtureRatios: [] };
    for (let round = 0; round < ROUNDS; round++) {
        const timesMs = weightedOptimum(priors, optima, weights, constraints);
        const ratios = priors.map((p, i) => ratioOn(p, timesMs, c, optima[i]));
        const value = ratios.reduce((acc, r, i) => acc + weights[i] * r, 0);
        if (value > best.lowerBound) best = { lowerBound: value, weights, mixtureRatios: ratios };
        const raised = weights.map((w, i) => w * Math.exp(STEP * (ratios[i] - value)));
        const total = raised.reduce((a, b) => a + b, 0);
        weights = raised.map((w) => w / total);
    }
    return best;
}
