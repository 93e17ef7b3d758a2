import { expect } from "chai";
import { mulberry32 } from "../../../provider/testing/emulator/support";
import { analyseProgress, ProgressSample } from "../../../provider/polling/progress";

/** When the analysis says progress reaches 100 (elapsed ms), where it says so. */
function estimateCompletionMs(samples: readonly ProgressSample[], nowMs: number): number | undefined {
    const a = analyseProgress(samples, nowMs);
    return a.kind === "estimate" || a.kind === "reached" ? a.completionMs : undefined;
}
import { D, FAR as far, NEAR as near, droppedTo, flatAt, linearSamples } from "./fixtures";

/** A seeded PRNG (the emulator's mulberry32). */
const seeded = mulberry32;

describe("progress: reads that show no change", () => {
    for (const { reads, kind, step, fromFlat } of [
        { reads: [], kind: "estimate", step: 1, fromFlat: false },
        { reads: [33_000], kind: "estimate", step: 9.5, fromFlat: true },
        { reads: [33_000, 74_000], kind: "estimate", step: 47.5, fromFlat: true },
        { reads: [33_000, 76_000], kind: "stalled", step: undefined, fromFlat: undefined },
    ]) {
        it(`sparse milestones, flat reads at [${reads.map((t) => t / 1000).join(", ")}] s: ${kind}, steps of ${step ?? "—"} points`, () => {
            const samples = flatAt(...reads);
            const a = analyseProgress(samples, samples[samples.length - 1].atMs);
            expect(a.kind).to.equal(kind);
            expect(a.ratePerMs! * 1000).to.be.closeTo(95 / 30, 1e-9);
            if (step === undefined) return;
            expect(a.typicalStepPoints).to.be.closeTo(step, 1e-9);
            expect(a.jumpsFromFlatRead).to.equal(fromFlat);
        });
    }
});

describe("progress: drops", () => {
    // A restart whose first read after the drop (2 %) the glitch filter takes for an isolated dip:
    // the phase starts at 45 %, but the drop went down to 2 %.
    const restartWithGlitch = [...droppedTo(2).slice(0, 6), { atMs: 950_000, progress: 45 }, { atMs: 1_000_000, progress: 50 }];
    for (const { name, samples, revised, phaseStartMs } of [
        { name: "no drop", samples: droppedTo(86), revised: false, phaseStartMs: 0 },
        { name: "85 → 60 %: a revised estimate", samples: droppedTo(60), revised: true, phaseStartMs: 900_000 },
        { name: "85 → 43 %: just over half kept, still a revision", samples: droppedTo(43), revised: true, phaseStartMs: 900_000 },
        { name: "85 → 42 %: less than half kept, a restart", samples: droppedTo(42), revised: false, phaseStartMs: 900_000 },
        { name: "85 → 2 %: the work restarted", samples: droppedTo(2), revised: false, phaseStartMs: 900_000 },
        { name: "85 → 2 → 45 %: a restart whose 2 % read is dropped as a glitch", samples: restartWithGlitch, revised: false, phaseStartMs: 950_000 },
    ]) {
        it(`${name}: revisedDown ${revised}`, () => {
            const a = analyseProgress(samples, 1_000_000);
            expect(a.kind).to.equal("estimate");
            expect(a.revisedDown).to.equal(revised);
            // After a drop the phase starts over at its first read the glitch filter keeps.
            expect(a.phaseStartMs).to.equal(phaseStartMs);
        });
    }
});

describe("analyseProgress: completionMs", () => {
    it("needs two samples with movement", () => {
        expect(estimateCompletionMs([], 0)).to.equal(undefined);
        expect(estimateCompletionMs([{ atMs: 0, progress: 40 }], 1_000)).to.equal(undefined);
        expect(
            estimateCompletionMs(
                [
                    { atMs: 0, progress: 40 },
                    { atMs: 0, progress: 41 },
                ],
                0,
            ),
        ).to.equal(undefined);
    });

    const accuracy: [string, ProgressSample[], number, number, number][] = [
        ["linear, sparse", linearSamples(D, [0, 120_000, 400_000, 900_000]), 900_000, D, 0.03],
        ["linear, dense near the end", linearSamples(D, [0, 600_000, 1_200_000, 1_700_000, 1_720_000, 1_740_000, 1_760_000]), 1_760_000, D, 0.01],
        [
            "linear, wait started at 37 %",
            linearSamples(D, [666_000, 800_000, 1_000_000, 1_200_000]).map((s) => ({ ...s, atMs: s.atMs - 666_000 })),
            534_000,
            D - 666_000,
            0.03,
        ],
        ["fractional progress", [0, 100_000, 200_000, 300_000].map((t) => ({ atMs: t, progress: (100 * t) / 1_000_000 })), 300_000, 1_000_000, 0.01],
    ];
    for (const [name, samples, now, truth, tolerance] of accuracy) {
        it(`${name}: within ${tolerance * 100} %`, () => {
            const e = estimateCompletionMs(samples, now)!;
            expect(e).to.be.a("number");
            expect(Math.abs(e - truth) / truth).to.be.below(tolerance);
        });
    }

    it("robust to outliers: a read glitching to 0 and one spiking to 95", () => {
        const clean = linearSamples(D, [0, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000, 700_000, 800_000]);
        const dirty = clean.map((s) => (s.atMs === 300_000 ? { ...s, progress: 0 } : s.atMs === 500_000 ? { ...s, progress: 95 } : s));
        const e = estimateCompletionMs(dirty, 800_000)!;
        expect(Math.abs(e - D) / D).to.be.below(0.03);
    });

    it("robust to noise of a few points", () => {
        const rnd = seeded(7);
        const samples = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((k) => {
            const t = k * 100_000;
            return { atMs: t, progress: Math.max(0, Math.floor((100 * t) / D + (rnd() - 0.5) * 6)) };
        });
        const e = estimateCompletionMs(samples, 1_100_000)!;
        expect(Math.abs(e - D) / D).to.be.below(0.08);
    });

    it("a trailing glitch (one low read) is ignored until a second read confirms it", () => {
        const samples = [...linearSamples(D, [0, 300_000, 600_000, 900_000]), { atMs: 1_000_000, progress: 2 }];
        const e = estimateCompletionMs(samples, 1_000_000)!;
        expect(Math.abs(e - D) / D).to.be.below(0.03);
    });

    it("progress that goes back to 0 for good starts a new phase", () => {
        // Phase 1 ran 0→98 over 500 s; phase 2 runs 0→100 over 500 s starting at 500 s.
        const samples = [
            ...[0, 100_000, 200_000, 400_000].map((t) => ({ atMs: t, progress: Math.floor((98 * t) / 500_000) })),
            ...[520_000, 600_000, 700_000].map((t) => ({ atMs: t, progress: Math.floor((100 * (t - 500_000)) / 500_000) })),
        ];
        const e = estimateCompletionMs(samples, 700_000)!;
        expect(Math.abs(e - 1_000_000) / 1_000_000).to.be.below(0.05);
    });

    it("non-linear (slowing) progress: the estimate follows the recent rate", () => {
        // 50 % in the first 100 s, then 50 % more over 900 s.
        const p = (t: number) => (t < 100_000 ? t / 2_000 : 50 + (t - 100_000) / 18_000);
        const samples = [0, 20_000, 50_000, 100_000, 300_000, 500_000, 700_000].map((t) => ({ atMs: t, progress: Math.floor(p(t)) }));
        const e = estimateCompletionMs(samples, 700_000)!;
        expect(Math.abs(e - 1_000_000) / 1_000_000).to.be.below(0.06);
    });

    // Worked by hand. Edges (0 s, 0), (100 s, 60), (200 s, 70), (300 s, 80). Pairwise slopes in
    // points/s with their Δt weights in s: 0.6 (100), 0.35 (200), 0.8/3 (300), and 0.1 three times
    // (100, 200, 100); the weighted median is 0.8/3. The intercepts p − rate·t are 0, 100/3, 50/3
    // and 0, median 25/3, so the line reaches 100 at 343.75 s; from the last rise at that rate the
    // 20 points left take 75 s more: 375 s.
    const slowing = [
        { atMs: 0, progress: 0 },
        { atMs: 100_000, progress: 60 },
        { atMs: 200_000, progress: 70 },
        { atMs: 300_000, progress: 80 },
    ];
    const behindTheLine: [string, ProgressSample[], number][] = [
        ["just after its last rise", slowing, 300_000],
        ["with a flat read since (short of a stall: three 1-point steps at that rate take 11.25 s)", [...slowing, { atMs: 310_000, progress: 80 }], 310_000],
    ];
    for (const [name, samples, now] of behindTheLine) {
        it(`a job behind its fitted line goes on at the fitted rate from its last rise, not due at the line's crossing: ${name}`, () => {
            const a = analyseProgress(samples, now);
            expect(a.kind).to.equal("estimate");
            expect(a.ratePerMs! * 1_000).to.be.closeTo(0.8 / 3, 1e-12);
            expect(a.completionMs!).to.be.closeTo(375_000, 1e-6);
        });
    }

    // The recent pace: the median rate of the rises in the window of the last 5 points and the
    // rise into them. A job that slows down, read at each new point: 70 % at 200 s, then 76, 77, 78,
    // 79, 80 % at 300, 340, 390, 450, 520 s. The window's rises run at 0.06, 0.025, 0.02, 0.0167 and
    // 0.0143 point/s, median 0.02, so the 20 points left take 1 000 s more from 520 s. After a stall
    // that just ended (50 % from 500 to 900 s, linear at 0.1 point/s before and after) the window
    // holds six rises, five of them at 0.1 point/s: the long gap does not set the pace.
    const slowingByPoints = [
        { atMs: 0, progress: 0 },
        ...[70, 76, 77, 78, 79, 80].map((level, k) => ({ atMs: [200_000, 300_000, 340_000, 390_000, 450_000, 520_000][k], progress: level })),
    ];
    const stallJustOver = [
        ...Array.from({ length: 51 }, (_, k) => ({ atMs: 10_000 * k, progress: k })),
        { atMs: 900_000, progress: 50 },
        ...[51, 52, 53].map((level, k) => ({ atMs: 910_000 + 10_000 * k, progress: level })),
    ];
    const recentPaces: [string, ProgressSample[], number, number][] = [
        ["a job that slows down", slowingByPoints, 0.02, 1_520_000],
        ["a stall just over", stallJustOver, 0.1, 930_000 + 470_000],
    ];
    for (const [name, samples, pointsPerSecond, completionMs] of recentPaces) {
        it(`the recent pace follows the last rises: ${name}`, () => {
            const a = analyseProgress(samples, samples[samples.length - 1].atMs);
            expect(a.kind).to.equal("estimate");
            expect(a.recent!.ratePerMs * 1_000).to.be.closeTo(pointsPerSecond, 1e-12);
            expect(a.recent!.completionMs).to.be.closeTo(completionMs, 1e-6);
        });
    }

    // Coarse progress has no recent pace: 10-point jumps every 60 s to 40 % at 240 s, stuck until
    // 50 % at 840 s, then flat (reads every 60 s). The window of the last 5 points holds one rise,
    // the one across the stall (1/60 point/s); taken as the pace, it would put the next stall
    // 1 800 s after the last rise. At the line's rate (1/24 point/s) three 10-point steps take 720 s.
    const jumpsThenFlat = (nowMs: number) => [
        ...Array.from({ length: 14 }, (_, k) => ({ atMs: 60_000 * k, progress: Math.min(40, 10 * k) })),
        ...Array.from({ length: (nowMs - 840_000) / 60_000 + 1 }, (_, k) => ({ atMs: 840_000 + 60_000 * k, progress: 50 })),
    ];
    for (const [nowMs, kind] of [
        [1_560_000, "estimate"],
        [1_620_000, "stalled"],
    ] as const) {
        it(`coarse jumps after a stall: no recent pace, so the next stall comes at the line's rate (${nowMs / 1000} s: ${kind})`, () => {
            const a = analyseProgress(jumpsThenFlat(nowMs), nowMs);
            expect(a.kind).to.equal(kind);
            expect(a.ratePerMs! * 1_000).to.be.closeTo(1 / 24, 1e-12);
            expect(a.recent).to.equal(undefined);
        });
    }

    it("reports the uncertainty, shrinking as the end approaches", () => {
        const a = analyseProgress(far.samples, far.elapsedMs);
        const b = analyseProgress(near.samples, near.elapsedMs);
        expect(a.kind).to.equal("estimate");
        expect(b.kind).to.equal("estimate");
        expect(b.sigmaMs!).to.be.below(a.sigmaMs!);
    });
});
