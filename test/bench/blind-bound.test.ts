/**
 * The bound on what one progress-blind schedule can do on several priors at once
 * (bench/blind-bound.ts): the mixture it rests on, and the bound's claim — no schedule pays less
 * on all the priors — tried against schedules of every kind.
 */
import { expect } from "chai";
import { WorstCaseBound, blindWorstCaseBound, mixturePrior, ratioOn, weightedOptimum } from "../../bench/blind-bound";
import { HELD_OUT_PRIORS } from "../../bench/policy-bench";
import { DEFAULT_BOUNDS, DEFAULT_DURATION_PRIOR } from "../../provider/polling/policy";
import { logUniformPrior, optimalSchedule } from "../../provider/polling/schedule";
import { mulberry32 } from "../../provider/testing/emulator/support";

const C = 1_000;
const CONSTRAINTS = { callCostMs: C, ...DEFAULT_BOUNDS };
const PRIORS = [DEFAULT_DURATION_PRIOR, ...HELD_OUT_PRIORS];
const END_MS = Math.max(...PRIORS.map((p) => p.highMs));

/** Looks from 0 with the gap `gapAt(t)` after a look at t, until every prior has ended. */
function looks(gapAt: (t: number) => number): number[] {
    const times = [0];
    while (times[times.length - 1] < END_MS) times.push(times[times.length - 1] + gapAt(times[times.length - 1]));
    return times;
}

describe("bench: the worst case of one blind schedule over several priors", () => {
    let optima: number[];
    let bound: WorstCaseBound;
    before(() => {
        optima = PRIORS.map((p) => optimalSchedule(p, CONSTRAINTS).expectedCostMs);
        bound = blindWorstCaseBound(PRIORS, CONSTRAINTS);
    });

    for (const [weights, expected] of [
        [[1, 0], "the first prior"],
        [[0, 3], "the second prior"],
        [[1, 1], "their average"],
    ] as const) {
        it(`a mixture weighted ${weights.join(":")} is ${expected}`, () => {
            const [a, b] = [logUniformPrior(10_000, 600_000), logUniformPrior(60_000, 3_600_000)];
            const m = mixturePrior([a, b], weights);
            const share = weights[0] / (weights[0] + weights[1]);
            for (const t of [5_000, 30_000, 300_000, 1_000_000, 4_000_000]) {
                expect(m.cdf(t)).to.be.closeTo(share * a.cdf(t) + (1 - share) * b.cdf(t), 1e-12);
                expect(m.partialMean(t)).to.be.closeTo(share * a.partialMean(t) + (1 - share) * b.partialMean(t), 1e-6);
            }
            expect([m.lowMs, m.highMs]).to.deep.equal([10_000, 3_600_000]);
        });
    }

    it("a prior's own optimal schedule pays 1 × its optimum, and a schedule that stops before the prior's end is not priced", () => {
        const own = optimalSchedule(HELD_OUT_PRIORS[0], CONSTRAINTS);
        expect(ratioOn(HELD_OUT_PRIORS[0], own.timesMs, C, own.expectedCostMs)).to.be.closeTo(1, 1e-12);
        expect(() => ratioOn(HELD_OUT_PRIORS[1], own.timesMs, C, optima[2])).to.throw("before the prior's end");
    });

    it("for one prior (twice over) the bound is 1: its own schedule is the optimum", () => {
        const single = blindWorstCaseBound([HELD_OUT_PRIORS[2], HELD_OUT_PRIORS[2]], CONSTRAINTS);
        expect(single.lowerBound).to.be.closeTo(1, 1e-9);
    });

    it("its weights are a distribution, and the schedule they give brackets the best worst case from above, within 1 %", () => {
        expect(bound.weights.every((w) => w >= 0)).to.equal(true);
        expect(bound.weights.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-9);
        const worst = Math.max(...bound.mixtureRatios);
        expect(worst).to.be.at.least(bound.lowerBound);
        expect(worst).to.be.below(1.01 * bound.lowerBound);
    });

    /** The largest ratio of `times` over the four priors, and the ratios, for the message. */
    const worstOf = (times: readonly number[]) => {
        const ratios = PRIORS.map((p, i) => ratioOn(p, times, C, optima[i]));
        return { worst: Math.max(...ratios), ratios: ratios.map((r) => r.toFixed(4)).join(" / ") };
    };
    /** The optimal looks for the priors mixed with `weights` on their ratios, optionally on `gridMs`. */
    const optimalFor = (weights: readonly number[], gridMs?: number[]) => weightedOptimum(PRIORS, optima, weights, { ...CONSTRAINTS, gridMs });

    // Schedules near the best worst case, each within the policy's bounds: none pays less than the
    // bound on all four priors.
    it("the optimal schedules for 12 random weightings of the four ratios each pay at least the bound on one prior", () => {
        const random = mulberry32(14);
        for (let k = 0; k < 12; k++) {
            const weights = PRIORS.map(() => random());
            const { worst, ratios } = worstOf(optimalFor(weights));
            expect(worst, ratios).to.be.at.least(bound.lowerBound);
        }
    });

    it("jittered copies of the bound's own schedule (each look moved by up to ±20 % of its gap) pay at least the bound on one prior", () => {
        const times = optimalFor(bound.weights);
        const random = mulberry32(7);
        for (let k = 0; k < 12; k++) {
            const moved = times.map((t, i) => (i === 0 || i === times.length - 1 ? t : t + 0.2 * (2 * random() - 1) * (t - times[i - 1])));
            const { worst, ratios } = worstOf(moved);
            expect(worst, ratios).to.be.at.least(bound.lowerBound);
        }
    });

    it("on a grid twice as fine, the best schedule for the bound's weights pays no less than the bound (within 0.05 %): the grid does not hide a better one", () => {
        const grid = [0];
        while (grid[grid.length - 1] < END_MS) {
            const t = grid[grid.length - 1];
            grid.push(Math.min(END_MS, t + Math.min(1_000, Math.max(50, t * 0.0025))));
        }
        const ratios = PRIORS.map((p, i) => ratioOn(p, optimalFor(bound.weights, grid), C, optima[i]));
        const weighted = ratios.reduce((acc, r, i) => acc + bound.weights[i] * r, 0);
        expect(weighted).to.be.at.least(bound.lowerBound * (1 - 5e-4));
    });

    it("the policy's own blind optimum (its longest gap beyond 4 h) pays at least the bound on one prior", () => {
        const own = optimalSchedule(DEFAULT_DURATION_PRIOR, CONSTRAINTS).timesMs;
        const longest = Math.max(...own.slice(1).map((t, k) => t - own[k]));
        const { worst, ratios } = worstOf([...own, ...looks(() => longest).filter((t) => t > own[own.length - 1])]);
        expect(worst, ratios).to.be.at.least(bound.lowerBound);
    });

    it("the bound says what the bench and README claim: no blind schedule is within 5 % of all four optima", () => {
        expect(bound.lowerBound).to.be.above(1.05);
    });
});
