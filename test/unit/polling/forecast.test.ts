import { expect } from "chai";
import { BLIND_SHARE, DOUBTFUL_BLIND_SHARE, forecastEnd, pooled, residualInterval, SILENT_END_SHARE } from "../../../provider/polling/forecast";
import { DEFAULT_BOUNDS, DEFAULT_TUNING, progressAwarePolicy } from "../../../provider/polling/policy";
import { analyseProgress, ProgressSample } from "../../../provider/polling/progress";
import { logNormalTail } from "../../../provider/polling/schedule";
import { constant, D, droppedTo, flatAt, hedgedGapMs, linearSamples, obs, sparseMilestones } from "./fixtures";

describe("forecast: when the job ends", () => {
    it("a longer history that its own predictions confirm gives a sharper forecast", () => {
        const short = forecastEnd(linearSamples(D, [0, 120_000, 240_000]), 240_000)!;
        const long = forecastEnd(linearSamples(D, [0, 120_000, 240_000, 360_000, 480_000, 600_000, 720_000, 840_000, 960_000, 1_080_000]), 1_080_000)!;
        expect(long.logSpread).to.be.below(short.logSpread);
        expect(long.remainingMs).to.be.closeTo(D - 1_080_000, 0.05 * (D - 1_080_000));
    });

    it("a history whose predictions came true late moves the forecast later (ever slower progress)", () => {
        const times = [0, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000, 420_000, 480_000, 540_000, 600_000];
        const samples = times.map((t) => ({ atMs: t, progress: Math.floor((100 * Math.log1p((20 * t) / D)) / Math.log(21)) }));
        const fitted = analyseProgress(samples, 600_000).completionMs! - 600_000;
        expect(forecastEnd(samples, 600_000)!.remainingMs).to.be.above(fitted);
    });

    it("step-wise progress one jump from 100 ends with its next jump: the ETA is the typical interval between jumps, less the time since the last", () => {
        // Milestones 10/30/60/90 every 100 s, each first seen 5 s after it arrived (45 s after the
        // read before): each arrival is put at the middle of that gap, 17.5 s before it was seen.
        const samples: ProgressSample[] = [];
        [0, 10, 30, 60, 90].forEach((level, k) => {
            if (k > 0) samples.push({ atMs: k * 100_000 - 40_000, progress: [0, 10, 30, 60, 90][k - 1] });
            samples.push({ atMs: k * 100_000 + 5_000, progress: level });
        });
        const f = forecastEnd(samples, 420_000)!;
        expect(f.sinceMs).to.be.closeTo(420_000 - 382_500, 1);
        // Intervals 77.5 s (from the first read at 0 %) and 100 s three times: geometric mean ≈ 93.8 s.
        // The median sits a little below it: the jumps are unequal (10 to 30 points), so the last
        // 10 points may still take two jumps, which widens the law around the same mean.
        expect(f.medianMs).to.be.within(0.95 * 93_830, 93_830);
        expect(f.remainingMs).to.be.within(f.medianMs - 37_500, 70_000); // given T > 37.5 s, a little past the median
    });

    // Equal jumps of 20 points every 100 s, each seen 5 s after it came (the read before 45 s
    // earlier, so the arrival is put 22.5 s before the read that saw it): the end needs
    // (100 − level) / 20 more jumps, each after about 100 s.
    const jumpsOf20 = (level: number, quietMs = 0): ProgressSample[] => {
        const samples: ProgressSample[] = [{ atMs: 5_000, progress: 0 }];
        for (let p = 20, t = 100_000; p <= level; p += 20, t += 100_000) {
            samples.push({ atMs: t - 40_000, progress: p - 20 }, { atMs: t + 5_000, progress: p });
        }
        if (quietMs > 0) samples.push({ atMs: samples[samples.length - 1].atMs + quietMs, progress: level });
        return samples;
    };
    const arrivalOf = (level: number) => (level / 20) * 100_000 - 17_500;
    for (const [level, jumpsLeft] of [
        [20, 4],
        [40, 3],
        [60, 2],
        [80, 1],
    ] as const) {
        it(`step-wise progress at ${level} % after jumps of 20: ETA ≈ ${jumpsLeft} intervals after the last jump`, () => {
            const f = forecastEnd(jumpsOf20(level), arrivalOf(level) + 30_000)!;
            // Progress in jumps ends with a jump: no silent end beside the forecast.
            expect([f.blindShare, f.silentShare]).to.deep.equal([BLIND_SHARE, 0]);
            // One jump left: the end may come with it, so the forecast counts from that jump's
            // arrival. More: none came by the read that saw the last one (22.5 s after it), and
            // the end is the rest of that interval plus whole ones, counted from that read.
            const originMs = jumpsLeft === 1 ? arrivalOf(level) : arrivalOf(level) + 22_500;
            expect(f.sinceMs).to.be.closeTo(arrivalOf(level) + 30_000 - originMs, 1);
            // The first interval counts from the first read: 77.5 s, then 100 s each.
            const typical = jumpsLeft * 100_000;
            const fromArrival = f.medianMs + originMs - arrivalOf(level);
            expect(fromArrival).to.be.within(0.8 * typical, 1.05 * typical);
            expect(f.remainingMs).to.be.within(0.7 * typical - 30_000, 1.2 * typical - 30_000);
        });
    }

    it("two jumps short of 100, a read that shows none keeps the end more than a typical interval away", () => {
        // 160 s after the jump to 60 % (an interval is ≈ 100 s), a read still at 60 %: the next
        // jump is late, and the end needs it and one more.
        const quiet = forecastEnd(jumpsOf20(60, 160_000 - 22_500), arrivalOf(60) + 160_000)!;
        // The intervals seen: 77.5 s from the first read, then 100 s twice (geometric mean 91.8 s).
        expect(quiet.remainingMs).to.be.above(Math.cbrt(77_500 * 100_000 * 100_000));
        // One jump from 100, the same silence says the end itself is late: it may come any moment.
        const last = forecastEnd(jumpsOf20(80, 160_000 - 22_500), arrivalOf(80) + 160_000)!;
        expect(last.remainingMs).to.be.below(0.6 * quiet.remainingMs);
    });

    it("sparse milestones: after the flat read, the end is forecast with the next jump, and the plan stays mostly blind", () => {
        const f = forecastEnd(flatAt(33_000), 33_000)!;
        // Arrivals at the middles of their gaps: 12.5 s and 27.5 s; intervals 12.5 s and 15 s.
        expect(f.sinceMs).to.equal(33_000 - 27_500);
        expect(f.medianMs).to.be.within(12_500, 15_000);
        expect([f.blindShare, f.silentShare]).to.deep.equal([DOUBTFUL_BLIND_SHARE, 0]);
        // Before it the line gave the end at 31.6 s, with the usual blind share.
        expect(forecastEnd(sparseMilestones, 30_000)!.blindShare).to.equal(BLIND_SHARE);
        // The next look comes before the blind schedule's (20.3 s at 33 s) and after the median end.
        const next = progressAwarePolicy(obs({ elapsedMs: 33_000, samples: flatAt(33_000) }), DEFAULT_BOUNDS, constant(0.5));
        const blind = progressAwarePolicy(obs({ elapsedMs: 33_000 }), DEFAULT_BOUNDS, constant(0.5));
        expect(next).to.be.within(27_500 + f.medianMs - 33_000, 0.6 * blind);
    });

    it("progress revised down: the forecast keeps the plan mostly blind; after a restart from near 0 it has the usual hedges", () => {
        const revised = forecastEnd(droppedTo(60), 1_000_000)!;
        const restarted = forecastEnd(droppedTo(2), 1_000_000)!;
        expect(revised.blindShare).to.equal(DOUBTFUL_BLIND_SHARE);
        expect(restarted.blindShare).to.equal(BLIND_SHARE);
        expect(revised.silentShare).to.equal(0);
        expect(restarted.silentShare).to.equal(SILENT_END_SHARE);
        // Both forecast a sharp end far beyond the next look (300 s and 880 s at 0.1 point/s), so
        // the look comes where the hedges' hazard has accumulated one look (g = 74 s at 1 000 s).
        const next = (samples: ProgressSample[]) => progressAwarePolicy(obs({ elapsedMs: 1_000_000, samples }), DEFAULT_BOUNDS, constant(0.5));
        const blindGapMs = progressAwarePolicy(obs({ elapsedMs: 1_000_000 }), DEFAULT_BOUNDS, constant(0.5));
        const callCostMs = DEFAULT_TUNING.callCostMs;
        expect(next(droppedTo(60)) / hedgedGapMs({ ...revised, blindGapMs, callCostMs })).to.be.closeTo(1, 0.02);
        expect(next(droppedTo(2)) / hedgedGapMs({ ...restarted, blindGapMs, callCostMs })).to.be.closeTo(1, 0.02);
    });

    // The rest X − s of a log-normal interval (median 100 s) that has lasted s, against numerical
    // integration of its survival P(X > x | X > s) = Q(z(x)) / Q(z(s)): the mean ∫ₛ^∞ P dx and
    // the second moment 2 ∫ₛ^∞ (x − s) P dx, from a young interval to one far overdue (z = 20,
    // where Q is 3e-89) and for narrow and wide spreads.
    for (const [spread, z] of [
        [0.5, -5],
        [0.5, 0],
        [0.5, 1],
        [0.5, 3],
        [0.1, 5],
        [0.5, 5],
        [0.8, 5],
        [0.1, 8],
        [0.8, 8],
        [0.5, 20],
    ] as const) {
        it(`the rest of a log-normal interval (σ ${spread}) that has lasted until z = ${z}: its mean and variance`, () => {
            const meanLog = Math.log(100_000);
            const sinceMs = Math.exp(meanLog + spread * z);
            const logTailAt = (x: number) => logNormalTail((Math.log(x) - meanLog) / spread);
            const from = logTailAt(sinceMs);
            // In u = ln(x / s), finer than the survival's decay (rate ≈ max(z, 1) / σ per unit of u).
            const du = spread / (400 * Math.max(1, z));
            let mean = 0;
            let second = 0;
            for (let u = du / 2; ; u += du) {
                const x = sinceMs * Math.exp(u);
                const survival = Math.exp(logTailAt(x) - from);
                if (survival < 1e-15) break;
                mean += survival * x * du;
                second += 2 * (x - sinceMs) * survival * x * du;
            }
            const rest = residualInterval(meanLog, spread ** 2, sinceMs);
            expect(rest.mean).to.be.closeTo(mean, 0.002 * mean);
            expect(rest.variance).to.be.closeTo(second - mean ** 2, 0.01 * (second - mean ** 2));
        });
    }

    it("a wait that starts mid-stage does not take its first, cut-short interval for a whole one", () => {
        // Reads at 0 s and 50 s at `first` %, then a jump of 60 points seen at 100 s (less than
        // two jumps from 100: the next may be the end, so a jump forecast counts from the arrival).
        const jumpOf60From = (first: number) =>
            forecastEnd(
                [0, 50_000, 100_000].map((atMs, i) => ({ atMs, progress: first + (i === 2 ? 60 : 0) })),
                130_000,
            )!;
        // Seen from the start (first read at 0 %), the first interval is a stage: the next jump is
        // forecast from the estimated arrival of the last one (the middle of the gap that saw it).
        expect(jumpOf60From(0).sinceMs).to.be.closeTo(130_000 - 75_000, 1);
        // Re-attached at 20 %: the time before the first jump is only part of a stage, so no jump
        // forecast; the fitted rate forecasts from the read that saw the rise.
        expect(jumpOf60From(20).sinceMs).to.equal(30_000);
    });

    it("the backtests are those of the regime the fit is in: an S-curve's slow start does not pull its fast middle's forecast early", () => {
        // A logistic S-curve of 1,328 s (slow start, fast middle, slow end), read as a waiter read
        // it, up to 66 % at 755 s. The fit (the last 30 points: 37 % at 596 s on) gives the end at
        // 963 s. Prefixes from the slow start predicted the fast middle far too late; their errors
        // would shorten the forecast to 90 s with a log-spread of 1.0 (looks every 25 s).
        const logistic = (x: number) => 1 / (1 + Math.exp(-10 * (x - 0.5)));
        const progressAt = (t: number) => Math.floor((100 * (logistic(t / 1_328_000) - logistic(0))) / (logistic(1) - logistic(0)));
        const reads = [0, 18, 34, 58, 86, 116, 148, 286, 436, 596, 648, 677, 701, 730, 755].map((s) => s * 1000);
        const samples = reads.map((atMs) => ({ atMs, progress: progressAt(atMs) }));
        expect(samples.map((r) => r.progress).slice(-6)).to.deep.equal([37, 46, 52, 57, 62, 66]);
        const lineRemaining = analyseProgress(samples, 755_000).completionMs! - 755_000;
        expect(lineRemaining).to.be.closeTo(208_000, 1_000);
        const f = forecastEnd(samples, 755_000)!;
        expect(f.remainingMs).to.be.within(0.75 * lineRemaining, lineRemaining);
        expect(f.logSpread).to.be.below(0.5);
    });

    it("progress whose pace fell threefold: the line's backtests, from prefixes before the change, mislead; the recent pace's hold, and the forecast follows them", () => {
        // 0.1 point/s to 60 % at 600 s, then 1/30 point/s to 100 % at 1 800 s; read every 30 s, up
        // to 80 % at 1 200 s (600 s left). The line's own rate is right by then, but its backtests
        // from prefixes that straddle the change saw the job go slower than predicted, and their
        // bias alone made the forecast 998 s; the recent pace's backtests have no error.
        const progressAt = (t: number) => Math.floor(t < 600_000 ? t / 10_000 : 60 + (t - 600_000) / 30_000);
        const samples = Array.from({ length: 41 }, (_, k) => ({ atMs: 30_000 * k, progress: progressAt(30_000 * k) }));
        expect(samples[samples.length - 1]).to.deep.equal({ atMs: 1_200_000, progress: 80 });
        expect(forecastEnd(samples, 1_200_000)!.remainingMs).to.be.closeTo(600_000, 0.2 * 600_000);
    });

    // Worked by hand: weights 1/σ², in ln T. Equal estimates pool to themselves; medians 100 and
    // 400 s with σ 0.3 and 0.6 weigh 0.8 / 0.2, so the median is 100 · 4^0.2 = 131.95 s and the
    // variance 0.8 · (0.09 + (0.2 ln 4)²) + 0.2 · (0.36 + (0.8 ln 4)²) = 0.4515 (σ 0.6719).
    for (const [name, estimates, medianMs, logSpread] of [
        [
            "equal estimates",
            [
                { medianMs: 300_000, logSpread: 0.4 },
                { medianMs: 300_000, logSpread: 0.4 },
            ],
            300_000,
            0.4,
        ],
        [
            "equal medians, σ 0.3 and 0.6 (weights 0.8 / 0.2): σ √(0.8 · 0.09 + 0.2 · 0.36), nearer the sharper",
            [
                { medianMs: 300_000, logSpread: 0.3 },
                { medianMs: 300_000, logSpread: 0.6 },
            ],
            300_000,
            0.37947,
        ],
        [
            "two that disagree",
            [
                { medianMs: 100_000, logSpread: 0.3 },
                { medianMs: 400_000, logSpread: 0.6 },
            ],
            131_951,
            0.67193,
        ],
    ] as const) {
        it(`two paces pooled: ${name}`, () => {
            const p = pooled(estimates);
            expect(p.medianMs).to.be.closeTo(medianMs, 1);
            expect(p.logSpread).to.be.closeTo(logSpread, 1e-5);
        });
    }

    it("pooling nothing is an error, not a confident forecast", () => {
        expect(() => pooled([])).to.throw(RangeError, "no estimate");
    });

    it("a forecast is counted from the last rise, given that the end has not come since", () => {
        const samples = [...linearSamples(D, [0, 600_000, 1_200_000, 1_500_000]), { atMs: 1_530_000, progress: Math.floor((100 * 1_500_000) / D) }];
        const f = forecastEnd(samples, 1_530_000)!;
        expect(f.sinceMs).to.equal(30_000);
        expect(f.remainingMs).to.be.closeTo(D - 1_530_000, 0.1 * (D - 1_530_000));
    });
});
