import { expect } from "chai";
import { mulberry32 } from "../../../provider/testing/emulator/support";
import {
    CACHED_POLICIES,
    DEFAULT_BOUNDS,
    DEFAULT_DURATION_PRIOR,
    DEFAULT_TUNING,
    JITTER_FRACTION,
    PollBounds,
    PollObservation,
    PollPolicy,
    createProgressAwarePolicy,
    policyForTuning,
    progressAwarePolicy,
} from "../../../provider/polling/policy";
import { forecastEnd, SILENT_END_SHARE } from "../../../provider/polling/forecast";
import { analyseProgress, ProgressSample } from "../../../provider/polling/progress";
import { logUniformPrior, optimalSchedule } from "../../../provider/polling/schedule";
import { ConfigError } from "../../../provider/errors";
import { constant, D, FAR, NEAR, hedgedGapMs, linearSamples, obs } from "./fixtures";

/** A seeded PRNG (the emulator's mulberry32). */
const seeded = mulberry32;

const far = obs({ ...FAR, polls: 6 });
const near = obs({ ...NEAR, polls: 20 });
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

    it("a bare simulator that sleeps exactly what the policy says makes its last check at the deadline", function () {
        // 60 simulated waits, up to 1,900 polls each, every sample kept (the loop keeps 32): seconds.
        this.timeout(20_000);
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

    it("smooth progress far from its end: the next look is where the blind share and the silent end have accumulated one", () => {
        const f = forecastEnd(far.samples, far.elapsedMs)!;
        expect(f.silentShare).to.equal(SILENT_END_SHARE);
        // The forecast itself (an end 26 min away, log-spread 0.3) adds nothing this early, so the
        // hedges' hazard places the look; it falls over the gap (the blind gap grows), so the look
        // comes a little later than at the hazard of now (140 s against 130 s). Without the
        // silent end it came at 172 s.
        const delay = progressAwarePolicy(far, DEFAULT_BOUNDS, constant(0.5));
        const expected = hedgedGapMs({ ...f, blindGapMs: blindAt(far.elapsedMs), callCostMs: DEFAULT_TUNING.callCostMs });
        expect(delay / expected).to.be.within(1, 1.1);
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

    it("told a range of job durations, it makes the looks of the schedule optimal for that range", () => {
        const shortJobs = createProgressAwarePolicy({ shortestJobMs: 1_000, longestJobMs: 300_000 });
        const prior = logUniformPrior(1_000, 300_000);
        const { timesMs } = optimalSchedule(prior, { callCostMs: DEFAULT_TUNING.callCostMs, ...DEFAULT_BOUNDS });
        let t = 0;
        for (let k = 1; k < 20; k++) {
            t += blindAt(t, DEFAULT_BOUNDS, shortJobs);
            expect(t, `look ${k}`).to.be.closeTo(timesMs[k], 1e-6);
        }
        // Jobs of seconds are first looked at within seconds, not at the default's ≈ 23 s.
        expect(timesMs[1]).to.be.within(1_000, 6_000);
        expect(blindAt(0)).to.be.above(20_000);
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

    it("its ETA is its own forecast's: the model risk it plans with is the one its ETA has", () => {
        const { samples, elapsedMs } = near;
        for (const modelRisk of [0, 0.1, 2]) {
            const expected = forecastEnd(samples, elapsedMs, modelRisk)?.remainingMs;
            expect(expected, `modelRisk ${modelRisk}: a forecast`).to.be.a("number");
            expect(createProgressAwarePolicy({ modelRisk }).estimateRemainingMs(samples, elapsedMs)).to.equal(expected);
        }
        expect(forecastEnd(samples, elapsedMs, 0)?.remainingMs, "the risk changes the ETA").to.not.equal(forecastEnd(samples, elapsedMs, 2)?.remainingMs);
    });

    const bad: [string, unknown, RegExp][] = [
        ["negative call cost", { callCostMs: -1 }, /tuning\.callCostMs: -1\. Allowed: a finite number from 0 to 3600000 \(default 1000\)/],
        ["NaN model risk", { modelRisk: Number.NaN }, /tuning\.modelRisk: NaN\./],
        ["an infinite call cost", { callCostMs: Number.POSITIVE_INFINITY }, /tuning\.callCostMs/],
        ["a string", { callCostMs: "5000" }, /tuning\.callCostMs: "5000"\. Allowed: a finite number/],
        ["beyond the limit", { modelRisk: 11 }, /tuning\.modelRisk: 11\. Allowed: a finite number from 0 to 10/],
        ["a field that no longer exists", { windowSigmas: 2 }, /tuning\.windowSigmas: 2\. Allowed: no such field/],
        [
            "an unknown field (a typo)",
            { callCost: 5000 },
            /tuning\.callCost: 5000\. Allowed: no such field; valid fields are callCostMs, modelRisk, shortestJobMs, longestJobMs\b/,
        ],
        ["a shortest job of 0 ms", { shortestJobMs: 0 }, /tuning\.shortestJobMs: 0\. Allowed: a finite number from 100 to 86400000 \(default 10000\)/],
        ["a vanishing shortest job (it would break the prior)", { shortestJobMs: 1e-310 }, /tuning\.shortestJobMs: .*Allowed: a finite number from 100/],
        ["a longest job beyond a day", { longestJobMs: 1e12 }, /tuning\.longestJobMs: 1000000000000\. Allowed: a finite number from 1000 to 86400000/],
        [
            "a longest job no longer than the shortest, both set: the shortest is blamed",
            { shortestJobMs: 60_000, longestJobMs: 60_000 },
            /tuning\.shortestJobMs: 60000\. Allowed: a value smaller than tuning\.longestJobMs \(60000\)/,
        ],
        [
            "only the longest job set, below the default shortest",
            { longestJobMs: 5_000 },
            /tuning\.longestJobMs: 5000\. Allowed: a value greater than tuning\.shortestJobMs \(10000, the default\)/,
        ],
        [
            "only the shortest job set, above the default longest",
            { shortestJobMs: 2e7 },
            /tuning\.shortestJobMs: 20000000\. Allowed: a value smaller than tuning\.longestJobMs \(14400000, the default\)/,
        ],
    ];
    it(`policyForTuning keeps the last ${CACHED_POLICIES} tunings used: a caller varying them cannot grow its cache without end`, () => {
        const tuningOf = (k: number) => ({ callCostMs: 1_000, shortestJobMs: 1_000, longestJobMs: 60_000 + k });
        const first = policyForTuning(tuningOf(0));
        for (let k = 1; k < CACHED_POLICIES; k++) policyForTuning(tuningOf(k));
        expect(policyForTuning(tuningOf(0)), "used again: still cached").to.equal(first);
        for (let k = CACHED_POLICIES; k <= 2 * CACHED_POLICIES; k++) policyForTuning(tuningOf(k));
        expect(policyForTuning(tuningOf(0)), "not used for more than the capacity: made anew").to.not.equal(first);
    });

    it("policyForTuning: one policy per tuning, the default one for the defaults", () => {
        const { callCostMs, shortestJobMs, longestJobMs } = DEFAULT_TUNING;
        expect(policyForTuning({ callCostMs, shortestJobMs, longestJobMs })).to.equal(progressAwarePolicy);
        const short = { callCostMs, shortestJobMs: 1_000, longestJobMs: 300_000 };
        expect(policyForTuning(short)).to.equal(policyForTuning({ ...short }));
        expect(policyForTuning(short)).to.not.equal(progressAwarePolicy);
        const firstGap = (policy: PollPolicy) => policy(obs({ elapsedMs: 0, samples: [] }), DEFAULT_BOUNDS, constant(0.5));
        expect(firstGap(policyForTuning(short))).to.equal(firstGap(createProgressAwarePolicy(short)));
    });

    for (const [name, tuning, message] of bad) {
        it(`refuses ${name}, naming the field, the value and what is allowed`, () => {
            expect(() => createProgressAwarePolicy(tuning as never)).to.throw(ConfigError, message);
        });
    }
});
