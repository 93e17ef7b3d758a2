import { mulberry32 } from "../../../provider/testing/emulator/support";
import { expect } from "chai";
import {
    BLIND_SHARE,
    DEFAULT_BOUNDS,
    DEFAULT_DURATION_PRIOR,
    JITTER_FRACTION,
    PollBounds,
    PollObservation,
    ProgressSample,
    DEFAULT_TUNING,
    FLAT_JUMPS_BLIND_SHARE,
    analyseProgress,
    createProgressAwarePolicy,
    estimateCompletionMs,
    forecastEnd,
    progressAwarePolicy,
    residualInterval,
} from "../../../provider/polling/policy";
import { logNormalTail, optimalSchedule } from "../../../provider/polling/schedule";
import { ConfigError } from "../../../provider/errors";

/** Samples of a job that is linear from 0 at t=0 to 100 at `durationMs`, integer progress. */
function linearSamples(durationMs: number, times: number[]): ProgressSample[] {
    return times.map((t) => ({ atMs: t, progress: Math.floor((100 * t) / durationMs) }));
}

function obs(partial: Partial<PollObservation>): PollObservation {
    return {
        elapsedMs: 0,
        timeoutMs: 3_600_000,
        polls: 1,
        samples: [],
        lastOutcome: "status",
        consecutiveErrors: 0,
        ...partial,
    };
}

const constant = (x: number) => () => x;

/** A seeded PRNG (the emulator's mulberry32). */
const seeded = mulberry32;

const D = 1_800_000; // a 30-minute linear job
const far = obs({ elapsedMs: 300_000, polls: 6, samples: linearSamples(D, [0, 2_000, 60_000, 180_000, 300_000]) });
const near = obs({ elapsedMs: 1_770_000, polls: 20, samples: linearSamples(D, [0, 300_000, 900_000, 1_500_000, 1_700_000, 1_750_000, 1_770_000]) });
const stalled = obs({
    elapsedMs: 1_500_000,
    polls: 12,
    samples: [
        ...linearSamples(600_000, [0, 60_000, 180_000, 300_000, 420_000, 540_000]),
        ...[700_000, 900_000, 1_200_000, 1_500_000].map((t) => ({ atMs: t, progress: 90 })),
    ],
});
const noProgress = obs({ elapsedMs: 400_000, polls: 9, samples: [] });
const neverMoves = obs({ elapsedMs: 400_000, polls: 9, samples: [0, 100_000, 200_000, 400_000].map((t) => ({ atMs: t, progress: 0 })) });
const reached100 = obs({
    elapsedMs: 900_000,
    polls: 9,
    samples: [...linearSamples(400_000, [0, 100_000, 200_000, 300_000]), { atMs: 400_000, progress: 100 }, { atMs: 900_000, progress: 100 }],
});
const transient = obs({ ...near, lastOutcome: "transient", consecutiveErrors: 4 });
const throttled = obs({ ...far, lastOutcome: "throttled", consecutiveErrors: 6 });
const first = obs({ elapsedMs: 0, polls: 1, samples: [{ atMs: 0, progress: 0 }] });

const SITUATIONS: [string, PollObservation][] = [
    ["first poll", first],
    ["far from a predicted end", far],
    ["near a predicted end", near],
    ["stalled progress", stalled],
    ["no progress field", noProgress],
    ["progress that never moves", neverMoves],
    ["progress at 100, job still running", reached100],
    ["4 transient errors", transient],
    ["6 throttled answers", throttled],
];

const BOUNDS: PollBounds[] = [
    DEFAULT_BOUNDS,
    { minIntervalMs: 0, maxIntervalMs: 1_000 },
    { minIntervalMs: 5_000, maxIntervalMs: 5_000 },
    { minIntervalMs: 30_000, maxIntervalMs: 600_000 },
    { minIntervalMs: 90_000, maxIntervalMs: 3_600_000 },
    { minIntervalMs: 250, maxIntervalMs: 20_000 },
];

describe("policy: bounds always win", () => {
    for (const [name, o] of SITUATIONS) {
        for (const b of BOUNDS) {
            it(`${name}, bounds ${b.minIntervalMs}–${b.maxIntervalMs} ms`, () => {
                for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
                    const d = progressAwarePolicy(o, b, constant(r));
                    expect(d, `random ${r}`).to.be.a("number");
                    expect(Number.isFinite(d)).to.equal(true);
                    expect(d).to.be.at.least(b.minIntervalMs);
                    expect(d).to.be.at.most(b.maxIntervalMs);
                }
            });
        }
    }

    it("min above max: the minimum wins (never polls faster than asked)", () => {
        expect(progressAwarePolicy(near, { minIntervalMs: 10_000, maxIntervalMs: 2_000 }, constant(0.5))).to.equal(10_000);
    });

    it("garbage observations still give a finite delay within bounds", () => {
        const bad = obs({
            elapsedMs: Number.NaN,
            samples: [
                { atMs: Number.NaN, progress: 5 },
                { atMs: 10, progress: Number.POSITIVE_INFINITY },
            ],
        });
        const d = progressAwarePolicy(bad, DEFAULT_BOUNDS, constant(Number.NaN));
        expect(d).to.be.within(DEFAULT_BOUNDS.minIntervalMs, DEFAULT_BOUNDS.maxIntervalMs);
    });
});

describe("policy: Retry-After is honoured", () => {
    const table: [string, PollObservation, PollBounds, number][] = [
        ["above max", { ...throttled, retryAfterMs: 300_000 }, DEFAULT_BOUNDS, 300_000],
        ["far above max", { ...transient, timeoutMs: 36_000_000, retryAfterMs: 3_600_000 }, { minIntervalMs: 1_000, maxIntervalMs: 10_000 }, 3_600_000],
        ["below the plan: the plan stands", { ...far, lastOutcome: "throttled", consecutiveErrors: 1, retryAfterMs: 1_000 }, DEFAULT_BOUNDS, 1_000],
        [
            "below min: min stands",
            { ...near, lastOutcome: "throttled", consecutiveErrors: 1, retryAfterMs: 10 },
            { minIntervalMs: 2_000, maxIntervalMs: 60_000 },
            2_000,
        ],
        ["on a status answer too", { ...near, retryAfterMs: 45_000 }, DEFAULT_BOUNDS, 45_000],
    ];
    for (const [name, o, b, atLeast] of table) {
        it(name, () => {
            for (const r of [0, 0.5, 0.99]) {
                const d = progressAwarePolicy(o, b, constant(r));
                expect(d).to.be.at.least(atLeast);
                expect(d).to.be.at.least(o.retryAfterMs!);
                expect(d).to.be.at.least(b.minIntervalMs);
            }
        });
    }
    it("Retry-After above max is returned as is (the loop caps it at the deadline)", () => {
        expect(progressAwarePolicy({ ...throttled, retryAfterMs: 300_000 }, DEFAULT_BOUNDS, constant(0.5))).to.equal(300_000);
    });
});

describe("policy: the final check is at the deadline", () => {
    /** The delay the policy plans for `o` when no deadline is near. */
    const planned = (o: PollObservation, b: PollBounds, r: number) => progressAwarePolicy({ ...o, timeoutMs: 1e12 }, b, constant(r));
    const withRemaining = (o: PollObservation, remainingMs: number): PollObservation => ({ ...o, timeoutMs: o.elapsedMs + remainingMs });

    // [situation, bounds, remaining ms as a function of the planned delay, expected delay as a function of (planned, remaining)]
    const table: [string, PollObservation, PollBounds, (plan: number) => number, (plan: number, remaining: number) => number][] = [
        ["a plan reaching past the deadline ends at it", noProgress, DEFAULT_BOUNDS, (plan) => plan / 3, (_, rem) => rem],
        [
            "a deadline sooner than the minimum is still checked at it",
            noProgress,
            { minIntervalMs: 30_000, maxIntervalMs: 600_000 },
            () => 300,
            (_, rem) => rem,
        ],
        [
            "a plan landing less than the minimum before the deadline moves onto it",
            near,
            { minIntervalMs: 5_000, maxIntervalMs: 600_000 },
            (plan) => plan + 4_999,
            (_, rem) => rem,
        ],
        [
            "a plan landing exactly the minimum before the deadline stays",
            near,
            { minIntervalMs: 5_000, maxIntervalMs: 600_000 },
            (plan) => plan + 5_000,
            (plan) => plan,
        ],
        ["moving onto the deadline never exceeds the maximum", near, { minIntervalMs: 9_000, maxIntervalMs: 10_000 }, () => 12_000, (plan) => plan],
        ["a Retry-After reaching past the deadline ends at it", { ...throttled, retryAfterMs: 300_000 }, DEFAULT_BOUNDS, () => 100_000, (_, rem) => rem],
        ["a deadline far away leaves the plan alone", far, DEFAULT_BOUNDS, (plan) => plan + 600_000, (plan) => plan],
    ];
    for (const [name, o, b, remainingFor, expected] of table) {
        it(name, () => {
            for (const r of [0, 0.5, 0.99]) {
                const plan = planned(o, b, r);
                const remaining = Math.ceil(remainingFor(plan)); // whole ms: the deadline is elapsed + remaining, exactly
                expect(progressAwarePolicy(withRemaining(o, remaining), b, constant(r)), `random ${r}, plan ${plan}`).to.equal(expected(plan, remaining));
            }
        });
    }

    it("never passes the deadline, and never leaves less than the minimum before it (when the maximum allows)", () => {
        const rnd = seeded(11);
        for (const [name, o] of SITUATIONS) {
            for (const b of BOUNDS) {
                for (let i = 0; i < 40; i++) {
                    const remaining = Math.floor(rnd() * 2 * b.maxIntervalMs) + 1;
                    const d = progressAwarePolicy(withRemaining(o, remaining), b, rnd);
                    const where = `${name}, bounds ${b.minIntervalMs}–${b.maxIntervalMs}, remaining ${remaining}`;
                    expect(d, where).to.be.at.most(remaining);
                    if (d < remaining && remaining <= b.maxIntervalMs) expect(remaining - d, where).to.be.at.least(b.minIntervalMs);
                    if (d < b.minIntervalMs) expect(d, where).to.equal(remaining);
                }
            }
        }
    });

    it("a bare simulator that sleeps exactly what the policy says makes its last check at the deadline", () => {
        const shapes: [string, (t: number) => number | undefined][] = [
            ["no progress field", () => undefined],
            ["linear progress, job longer than the deadline", (t) => Math.floor((100 * t) / 7_200_000)],
            ["stuck at 90 %", (t) => Math.min(90, Math.floor((100 * t) / 200_000))],
        ];
        for (const [name, progressAt] of shapes) {
            for (const timeoutMs of [1_500, 61_000, 300_000, 1_800_000]) {
                for (const b of BOUNDS) {
                    const rnd = seeded(timeoutMs + b.minIntervalMs);
                    const samples: ProgressSample[] = [];
                    let t = 0;
                    let polls = 0;
                    for (;;) {
                        polls++;
                        const p = progressAt(t);
                        if (p !== undefined) samples.push({ atMs: t, progress: p });
                        if (t >= timeoutMs) break;
                        const d = progressAwarePolicy(obs({ elapsedMs: t, timeoutMs, polls, samples: [...samples] }), b, rnd);
                        expect(d, `${name}, timeout ${timeoutMs}, at ${t}`).to.be.above(0);
                        t += d;
                    }
                    expect(t, `${name}, timeout ${timeoutMs}, bounds ${b.minIntervalMs}–${b.maxIntervalMs}`).to.be.closeTo(timeoutMs, 1e-6);
                }
            }
        }
    });

    it("past the deadline (or without one) the plan is returned unchanged: never 0, so a simulator cannot spin", () => {
        for (const o of [withRemaining(noProgress, -5_000), withRemaining(noProgress, 0), { ...noProgress, timeoutMs: Number.NaN }]) {
            expect(progressAwarePolicy(o, DEFAULT_BOUNDS, constant(0.5))).to.equal(planned(noProgress, DEFAULT_BOUNDS, 0.5));
        }
    });

    it("callable with an observation alone (default bounds and Math.random), samples left out meaning no progress field", () => {
        const { samples: _, ...withoutSamples } = noProgress;
        const d = progressAwarePolicy(withoutSamples as PollObservation);
        expect(d).to.be.within(DEFAULT_BOUNDS.minIntervalMs, DEFAULT_BOUNDS.maxIntervalMs);
    });
});

describe("policy: jitter", () => {
    // No progress field, 10 min in: the blind schedule's gap there, band ±JITTER_FRACTION.
    const blindAt10min = obs({ elapsedMs: 600_000, polls: 12, samples: [] });
    const nominal = progressAwarePolicy(blindAt10min, DEFAULT_BOUNDS, constant(0.5));
    it(`stays within ±${JITTER_FRACTION * 100} % of the nominal delay`, () => {
        for (let i = 0; i <= 100; i++) {
            const d = progressAwarePolicy(blindAt10min, DEFAULT_BOUNDS, constant(i / 100.0001));
            expect(d).to.be.within(nominal * (1 - JITTER_FRACTION) - 1e-9, nominal * (1 + JITTER_FRACTION) + 1e-9);
        }
    });
    it("differs across random values, and spans its band", () => {
        const values = new Set<number>();
        for (let i = 0; i < 50; i++) values.add(progressAwarePolicy(blindAt10min, DEFAULT_BOUNDS, constant(i / 50)));
        expect(values.size).to.equal(50);
        expect(progressAwarePolicy(blindAt10min, DEFAULT_BOUNDS, constant(0))).to.be.closeTo(nominal * (1 - JITTER_FRACTION), 1e-6);
        expect(progressAwarePolicy(blindAt10min, DEFAULT_BOUNDS, constant(0.999999))).to.be.closeTo(nominal * (1 + JITTER_FRACTION), 1);
    });
    it("with a forecast, a later draw looks later", () => {
        const ds = [0, 0.5, 0.999].map((r) => progressAwarePolicy(near, DEFAULT_BOUNDS, constant(r)));
        expect(ds[0]).to.be.below(ds[1]);
        expect(ds[1]).to.be.below(ds[2]);
    });
    it("waiters started together drift apart", () => {
        const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => progressAwarePolicy(near, DEFAULT_BOUNDS, seeded(seed)));
        expect(new Set(delays).size).to.be.greaterThan(6);
    });
});

describe("policy: deterministic for a given random", () => {
    for (const [name, o] of SITUATIONS) {
        it(name, () => {
            const a = [1, 2, 3].map(() => progressAwarePolicy(o, DEFAULT_BOUNDS, seeded(42)));
            expect(a[0]).to.equal(a[1]);
            expect(a[1]).to.equal(a[2]);
            // One draw per decision.
            let draws = 0;
            progressAwarePolicy(o, DEFAULT_BOUNDS, () => {
                draws++;
                return 0.3;
            });
            expect(draws).to.equal(1);
        });
    }
});

describe("policy: progress-aware schedule", () => {
    /** The delay at `elapsedMs` with no progress field, u = 1 (no jitter). */
    const blindAt = (elapsedMs: number, bounds = DEFAULT_BOUNDS, policy = progressAwarePolicy) =>
        policy(obs({ elapsedMs, timeoutMs: 1e12, samples: [] }), bounds, constant(0.5));

    it("sparse far from the predicted end, dense near it", () => {
        const dFar = progressAwarePolicy(far, DEFAULT_BOUNDS, constant(0.5));
        const dNear = progressAwarePolicy(near, DEFAULT_BOUNDS, constant(0.5));
        expect(dNear).to.be.below(D - near.elapsedMs);
        expect(dFar).to.be.above(5 * dNear);
        expect(far.elapsedMs + dFar).to.be.below(D);
    });

    it("without a progress field it makes the looks of the E[J]-optimal schedule for the prior", () => {
        const { timesMs } = optimalSchedule(DEFAULT_DURATION_PRIOR, { callCostMs: DEFAULT_TUNING.callCostMs, ...DEFAULT_BOUNDS });
        let t = 0;
        for (let k = 1; k < 40; k++) {
            t += blindAt(t);
            expect(t, `look ${k}`).to.be.closeTo(timesMs[k], 1e-6);
        }
        // Short jobs are looked at often, long ones rarely.
        expect(timesMs[1]).to.be.below(30_000);
        expect(blindAt(3_600_000)).to.be.within(60_000, DEFAULT_BOUNDS.maxIntervalMs);
    });

    it("a dearer call spaces the blind looks further apart (about as √callCostMs)", () => {
        const dear = createProgressAwarePolicy({ callCostMs: 4_000 });
        for (const t of [120_000, 600_000, 1_800_000]) expect(blindAt(t, DEFAULT_BOUNDS, dear) / blindAt(t), `at ${t} ms`).to.be.within(1.6, 2.4);
    });

    it("the blind schedule keeps to the bounds it is computed for", () => {
        const narrow = { minIntervalMs: 30_000, maxIntervalMs: 45_000 };
        for (const t of [0, 60_000, 3_600_000]) expect(blindAt(t, narrow)).to.be.within(30_000, 45_000);
    });

    it("a job outliving the prior keeps the schedule's longest gap", () => {
        const longest = blindAt(DEFAULT_DURATION_PRIOR.highMs + 1);
        expect(longest).to.be.within(60_000, DEFAULT_BOUNDS.maxIntervalMs);
        expect(blindAt(DEFAULT_DURATION_PRIOR.highMs * 3)).to.equal(longest);
    });

    for (const [name, o] of [
        ["stalled progress", stalled],
        ["progress that never moves", neverMoves],
        ["progress at 100 while the job runs on", reached100],
    ] as const) {
        it(`${name} follows the blind schedule`, () => {
            expect(progressAwarePolicy(o, DEFAULT_BOUNDS, constant(0.5))).to.equal(blindAt(o.elapsedMs));
        });
    }

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

    // Milestones read sparsely: 80 % at 25 s and 95 % at 30 s. The weighted Theil–Sen rate is
    // 95/30 = 3.17 points/s (slopes 3, 3.17, 3.2 with weights 5, 30, 25 s), and it explains both
    // rises (80 − 3.17·25 = 0.8, 15 − 3.17·5 = −0.8): the progress looks smooth. A read at 33 s
    // still at 95 % is one the rate would have moved 9.5 points: jumps of 9.5 points (up to the
    // mean rise, 47.5) at least, so a stall only after 3 · 47.5 / 3.17 = 45 s without a rise.
    const sparseMilestones: ProgressSample[] = [
        { atMs: 0, progress: 0 },
        { atMs: 25_000, progress: 80 },
        { atMs: 30_000, progress: 95 },
    ];
    const flatAt = (...atMs: number[]) => [...sparseMilestones, ...atMs.map((t) => ({ atMs: t, progress: 95 }))];
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

    it("sparse milestones: after the flat read, the end is forecast with the next jump, and the plan stays mostly blind", () => {
        const f = forecastEnd(flatAt(33_000), 33_000)!;
        // Arrivals at the middles of their gaps: 12.5 s and 27.5 s; intervals 12.5 s and 15 s.
        expect(f.sinceMs).to.equal(33_000 - 27_500);
        expect(f.medianMs).to.be.within(12_500, 15_000);
        expect(f.blindShare).to.equal(FLAT_JUMPS_BLIND_SHARE);
        // Before it the line gave the end at 31.6 s, with the usual blind share.
        expect(forecastEnd(sparseMilestones, 30_000)!.blindShare).to.equal(BLIND_SHARE);
        // The next look comes before the blind schedule's (20.3 s at 33 s) and after the median end.
        const next = progressAwarePolicy(obs({ elapsedMs: 33_000, samples: flatAt(33_000) }), DEFAULT_BOUNDS, constant(0.5));
        const blind = progressAwarePolicy(obs({ elapsedMs: 33_000 }), DEFAULT_BOUNDS, constant(0.5));
        expect(next).to.be.within(27_500 + f.medianMs - 33_000, 0.6 * blind);
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

    it("a forecast is counted from the last rise, given that the end has not come since", () => {
        const samples = [...linearSamples(D, [0, 600_000, 1_200_000, 1_500_000]), { atMs: 1_530_000, progress: Math.floor((100 * 1_500_000) / D) }];
        const f = forecastEnd(samples, 1_530_000)!;
        expect(f.sinceMs).to.equal(30_000);
        expect(f.remainingMs).to.be.closeTo(D - 1_530_000, 0.1 * (D - 1_530_000));
    });

    it("an error never makes the waiter poll sooner than planned", () => {
        const planned = progressAwarePolicy(far, DEFAULT_BOUNDS, constant(0.5));
        const afterError = progressAwarePolicy({ ...far, lastOutcome: "transient", consecutiveErrors: 1 }, DEFAULT_BOUNDS, constant(0.5));
        expect(afterError).to.be.at.least(planned);
    });
    it("consecutive errors back off (throttling harder than transient errors)", () => {
        const at = (cls: "transient" | "throttled" | "notFound", n: number) =>
            progressAwarePolicy(obs({ elapsedMs: 0, lastOutcome: cls, consecutiveErrors: n }), DEFAULT_BOUNDS, constant(0.5));
        expect(at("transient", 6)).to.be.above(at("transient", 5));
        expect(at("transient", 7)).to.be.above(at("transient", 6));
        expect(at("transient", 20)).to.equal(60_000);
        expect(at("throttled", 4)).to.be.above(at("transient", 4));
        expect(at("throttled", 20)).to.equal(DEFAULT_BOUNDS.maxIntervalMs);
        expect(at("notFound", 2)).to.equal(blindAt(0));
    });
});

describe("estimateCompletionMs", () => {
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

    it("reports the uncertainty, shrinking as the end approaches", () => {
        const a = analyseProgress(far.samples, far.elapsedMs);
        const b = analyseProgress(near.samples, near.elapsedMs);
        expect(a.kind).to.equal("estimate");
        expect(b.kind).to.equal("estimate");
        expect(b.sigmaMs!).to.be.below(a.sigmaMs!);
    });
});

describe("createProgressAwarePolicy: tuning", () => {
    it("the defaults are progressAwarePolicy, in every situation", () => {
        const tuned = createProgressAwarePolicy({ ...DEFAULT_TUNING });
        for (const [name, o] of SITUATIONS) {
            for (const r of [0, 0.5, 0.99]) expect(tuned(o, DEFAULT_BOUNDS, constant(r)), name).to.equal(progressAwarePolicy(o, DEFAULT_BOUNDS, constant(r)));
        }
    });

    it("a dearer call polls less densely near a predicted end", () => {
        const delays = [250, 1_000, 4_000, 16_000].map((callCostMs) =>
            createProgressAwarePolicy({ callCostMs })(near, { minIntervalMs: 0, maxIntervalMs: 600_000 }, constant(0.5)),
        );
        for (let i = 1; i < delays.length; i++) expect(delays[i], `callCostMs step ${i}`).to.be.above(delays[i - 1]);
    });

    it("less model risk gives a sharper prediction", () => {
        const s = near.samples;
        expect(analyseProgress(s, near.elapsedMs, 0).sigmaMs!).to.be.below(analyseProgress(s, near.elapsedMs, 0.1).sigmaMs!);
        expect(analyseProgress(s, near.elapsedMs, 0.1).sigmaMs!).to.be.below(analyseProgress(s, near.elapsedMs, 0.5).sigmaMs!);
    });

    const bad: [string, unknown, RegExp][] = [
        ["negative call cost", { callCostMs: -1 }, /tuning\.callCostMs: -1\. Allowed: a finite number from 0 to 3600000 \(default 1000\)/],
        ["NaN model risk", { modelRisk: Number.NaN }, /tuning\.modelRisk: null/],
        ["an infinite call cost", { callCostMs: Number.POSITIVE_INFINITY }, /tuning\.callCostMs/],
        ["a string", { callCostMs: "5000" }, /tuning\.callCostMs: "5000"\. Allowed: a finite number/],
        ["beyond the limit", { modelRisk: 11 }, /tuning\.modelRisk: 11\. Allowed: a finite number from 0 to 10/],
        ["a field that no longer exists", { windowSigmas: 2 }, /tuning\.windowSigmas: 2\. Allowed: no such field/],
        ["an unknown field (a typo)", { callCost: 5000 }, /tuning\.callCost: 5000\. Allowed: no such field; valid fields are callCostMs, modelRisk/],
        ["not an object", null, /Invalid tuning: null/],
    ];
    for (const [name, tuning, message] of bad) {
        it(`refuses ${name}, naming the field, the value and what is allowed`, () => {
            expect(() => createProgressAwarePolicy(tuning as never)).to.throw(ConfigError, message);
        });
    }
});
