/**
 * The blind schedule's dynamic program must find the exact E[J] optimum: checked against brute
 * force over every schedule of a small grid, and against the closed form for a uniform prior.
 */
import { expect } from "chai";
import {
    expectedCost,
    GRID_MAX_POINTS,
    inspectionGrid,
    lagBetween,
    logNormalPrior,
    logNormalTail,
    logUniformPrior,
    normalTail,
    optimalSchedule,
    uniformPrior,
} from "../../../provider/polling/schedule";

describe("schedule: the E[J]-optimal blind inspection schedule", () => {
    it("lagBetween is ∫(b − x) dF: for a uniform prior over the gap, half the gap times its mass", () => {
        const p = uniformPrior(0, 100_000);
        expect(lagBetween(p, 20_000, 60_000)).to.be.closeTo((40_000 / 2) * 0.4, 1e-6);
    });

    for (const [name, prior, c] of [
        ["log-uniform 10–100 s, c = 1 s", logUniformPrior(10_000, 100_000), 1_000],
        ["log-uniform 10–100 s, c = 10 s", logUniformPrior(10_000, 100_000), 10_000],
        ["uniform 0–100 s, c = 3 s", uniformPrior(0, 100_000), 3_000],
    ] as const) {
        it(`${name}: the DP's schedule is the best of all 2^9 schedules on an 11-point grid`, () => {
            const grid = Array.from({ length: 11 }, (_, i) => i * 10_000);
            let best = Number.POSITIVE_INFINITY;
            for (let mask = 0; mask < 1 << 9; mask++) {
                const times = [0, ...grid.slice(1, 10).filter((_, i) => mask & (1 << i)), 100_000];
                best = Math.min(best, expectedCost(prior, times, c));
            }
            const dp = optimalSchedule(prior, { callCostMs: c, gridMs: grid });
            expect(dp.expectedCostMs).to.be.closeTo(best, 1e-6);
            expect(expectedCost(prior, dp.timesMs, c)).to.be.closeTo(dp.expectedCostMs, 1e-6);
        });
    }

    it("uniform prior: matches the closed form (gaps shrinking by c each look, the best number of looks)", () => {
        const T = 600_000;
        const c = 5_000;
        const prior = uniformPrior(0, T);
        // With n gaps Δₖ = Δ₁ − (k − 1)·c summing to T (the first-order condition of E[J]).
        let closed = Number.POSITIVE_INFINITY;
        for (let n = 1; n * (n - 1) * c < 2 * T; n++) {
            const first = T / n + (c * (n - 1)) / 2;
            const times = [0];
            for (let k = 0; k < n; k++) times.push(times[k] + first - k * c);
            closed = Math.min(closed, expectedCost(prior, times, c));
        }
        const dp = optimalSchedule(prior, { callCostMs: c, gridMs: Array.from({ length: T / 100 + 1 }, (_, i) => i * 100) });
        expect(dp.expectedCostMs / closed).to.be.within(1 - 1e-9, 1.001);
        const gaps = dp.timesMs.slice(1).map((t, k) => t - dp.timesMs[k]);
        for (let k = 1; k < gaps.length; k++) expect(gaps[k - 1] - gaps[k], `gap ${k}`).to.be.closeTo(c, 200); // grid steps of 100 ms
    });

    it("normalTail is the standard normal's upper tail (table values)", () => {
        for (const [z, tail] of [
            [0, 0.5],
            [1, 0.158655254],
            [1.959964, 0.025],
            [-1, 0.841344746],
            [3, 0.001349898],
        ] as const) {
            expect(normalTail(z), `z = ${z}`).to.be.closeTo(tail, 2e-7);
        }
    });

    // ln P(Z > z) from 0.5 · erfc(z / √2) (Python's math.erfc, relative precision to z ≈ 37), from
    // below the switch to the continued fraction to far past where the tail underflows:
    // ln Q(40) = −800 − ln(40 √(2π)) + ln(1 − 1/40² + 3/40⁴ − …) from the asymptotic series.
    for (const [z, logTail] of [
        [-1, Math.log(0.841344746068543)],
        [1, -1.8410216450092634],
        [1.999, Math.log(0.022804176932658883)],
        [2, -3.783184333682031],
        [3, -6.607726221510348],
        [5, -15.064998393988724],
        [10, -53.23128515051246],
        [37, -689.0305855768905],
        [40, -800 - Math.log(40 * Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / 1600 + 3 / 1600 ** 2)],
    ] as const) {
        it(`logNormalTail(${z}) = ${logTail.toFixed(6)}`, () => {
            expect(logNormalTail(z)).to.be.closeTo(logTail, z < 2 ? 1e-5 : 1e-9 * Math.abs(logTail));
        });
    }

    for (const [median, spread, lo, hi] of [
        [60_000, 0.6, 0, undefined],
        [600_000, 0.3, 400_000, 2_000_000],
        [5_000, 1.2, 10_000, 50_000],
    ] as const) {
        it(`logNormalPrior(median ${median} ms, σ ${spread}, on [${lo}, ${hi ?? "∞"}]): cdf and partial mean agree with integrating its density`, () => {
            const p = logNormalPrior(median, spread, lo, hi);
            const density = (t: number) => Math.exp(-0.5 * ((Math.log(t) - Math.log(median)) / spread) ** 2) / (t * spread * Math.sqrt(2 * Math.PI));
            // Midpoint rule in log-time over the support, normalised by the same integral.
            const a = Math.max(p.lowMs, median * Math.exp(-9 * spread));
            const steps = 200_000;
            const h = Math.log(p.highMs / a) / steps;
            let mass = 0;
            const checks = [0.1, 0.5, 0.9].map((q) => a * Math.exp(q * Math.log(p.highMs / a)));
            const atChecks: { f: number; m: number }[] = [];
            let m1 = 0;
            for (let k = 0; k < steps; k++) {
                const t = a * Math.exp((k + 0.5) * h);
                const w = density(t) * t * h;
                for (let c = atChecks.length; c < checks.length && t > checks[c]; c++) atChecks.push({ f: mass, m: m1 });
                mass += w;
                m1 += w * t;
            }
            checks.forEach((t, c) => {
                expect(p.cdf(t), `cdf at ${t.toFixed(0)}`).to.be.closeTo(atChecks[c].f / mass, 1e-5);
                expect(p.partialMean(t) / p.partialMean(p.highMs), `partial mean at ${t.toFixed(0)}`).to.be.closeTo(atChecks[c].m / m1, 1e-5);
            });
            expect(p.cdf(p.highMs)).to.be.closeTo(1, 1e-12);
            expect(p.partialMean(p.highMs) / 1000).to.be.closeTo(m1 / mass / 1000, 1e-3 * (m1 / mass / 1000));
        });
    }

    it("the default prior's first look (≈ 23 s) is a true minimum: moving it and re-optimising the rest costs more", () => {
        const prior = logUniformPrior(10_000, 14_400_000);
        const bounds = { callCostMs: 1_000, minIntervalMs: 1_000, maxIntervalMs: 600_000 };
        const best = optimalSchedule(prior, bounds);
        expect(best.timesMs[1]).to.be.within(20_000, 26_000);
        const grid = inspectionGrid(prior, bounds.maxIntervalMs);
        for (const first of [10_000, 15_000, best.timesMs[1] - 3_000, best.timesMs[1] + 3_000, 40_000]) {
            const rest = optimalSchedule(prior, { ...bounds, gridMs: [first, ...grid.filter((t) => t > first)] });
            const forced = bounds.callCostMs + lagBetween(prior, 0, first) + rest.expectedCostMs;
            expect(forced, `first look at ${first} ms`).to.be.above(best.expectedCostMs);
        }
    });

    it("keeps every gap within the bounds it is given", () => {
        const prior = logUniformPrior(10_000, 14_400_000);
        const { timesMs } = optimalSchedule(prior, { callCostMs: 1_000, minIntervalMs: 5_000, maxIntervalMs: 60_000 });
        const gaps = timesMs.slice(1).map((t, k) => t - timesMs[k]);
        expect(Math.min(...gaps)).to.be.at.least(5_000);
        expect(Math.max(...gaps)).to.be.at.most(60_000);
    });

    it("a dearer call gives fewer looks and a higher cost", () => {
        const prior = logUniformPrior(10_000, 14_400_000);
        const cheap = optimalSchedule(prior, { callCostMs: 1_000 });
        const dear = optimalSchedule(prior, { callCostMs: 4_000 });
        expect(dear.timesMs.length).to.be.below(cheap.timesMs.length);
        expect(dear.expectedCostMs).to.be.above(cheap.expectedCostMs);
    });

    it(`the grid has at most ${GRID_MAX_POINTS} steps, however long the prior and short the longest gap`, () => {
        const grid = inspectionGrid(logUniformPrior(100, 86_400_000), 10);
        expect(grid.length - 1).to.be.at.most(GRID_MAX_POINTS);
        expect(grid[grid.length - 1]).to.equal(86_400_000);
        // The default prior's grid is not affected: its finest step stays 100 ms.
        expect(inspectionGrid(logUniformPrior(10_000, 14_400_000), 600_000)[1]).to.equal(100);
    });

    it("the grid starts at 0, ends at the prior's upper end and never steps further than a sixteenth of the longest gap", () => {
        const grid = inspectionGrid(logUniformPrior(10_000, 3_600_000), 8_000);
        expect(grid[0]).to.equal(0);
        expect(grid[grid.length - 1]).to.equal(3_600_000);
        for (let i = 1; i < grid.length; i++) expect(grid[i] - grid[i - 1]).to.be.at.most(500 + 1e-9);
    });
});
