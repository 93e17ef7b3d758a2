/**
 * The bound on what one progress-blind schedule can do on several priors at once
 * (bench/blind-bound.ts): the mixture it rests on, and the bound's claim — no schedule pays less
 * on all the priors — tried against schedules of every kind.
 */
import { expect } from "chai";
import { WorstCaseBound, blindWorstCaseBound, mixturePrior, ratioOn } from "../../bench/blind-bound";
import { HELD_OUT_PRIORS } from "../../bench/policy-bench";
import { DEFAULT_BOUNDS, DEFAULT_DURATION_PRIOR } from "../../provider/polling/policy";
import { logUniformPrior, optimalSchedule } from "../../provider/polling/schedule";

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

    // Schedules of every kind, each within the policy's bounds: none does better on all four
    // priors than the bound says any can.
    const own = optimalSchedule(DEFAULT_DURATION_PRIOR, CONSTRAINTS).timesMs;
    const ownLongestGap = Math.max(...own.slice(1).map((t, k) => t - own[k]));
    for (const [name, times] of [
        ["the policy's own blind optimum (its longest gap beyond 4 h)", [...own, ...looks(() => ownLongestGap).filter((t) => t > own[own.length - 1])]],
        ["every 10 s", looks(() => 10_000)],
        ["every 60 s", looks(() => 60_000)],
        ["gaps of a fifth of the elapsed time (2–600 s)", looks((t) => Math.min(600_000, Math.max(2_000, t / 5)))],
        ["gaps of half the elapsed time (20–600 s)", looks((t) => Math.min(600_000, Math.max(20_000, t / 2)))],
    ] as const) {
        it(`${name} pays at least the bound on one of the four priors`, () => {
            const ratios = PRIORS.map((p, i) => ratioOn(p, times, C, optima[i]));
            expect(Math.max(...ratios), ratios.join(" / ")).to.be.at.least(bound.lowerBound);
        });
    }

    it("the bound says what the bench and README claim: no blind schedule is within 5 % of all four optima", () => {
        expect(bound.lowerBound).to.be.above(1.05);
    });
});
