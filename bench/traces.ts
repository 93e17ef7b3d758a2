/**
 * Synthetic job traces for the policy benchmark.
 *
 * A trace maps the job's own elapsed time (ms since the job started) to what the job API would
 * answer: running with some progress, or succeeded. Progress is reported the way Huawei's job APIs
 * do it: an integer percentage (rounded down), or not at all.
 *
 * @packageDocumentation
 */

import type { JobStatus } from "../provider/services/types";
import { mulberry32 } from "../provider/testing/emulator/support";

/** What the job API reports at one instant. */
export interface TracePoint {
    done: boolean;
    /** Integer percent, or undefined when the service reports no progress. */
    progress?: number;
}

/** One concrete job: its true duration and what the API says at every instant. */
export interface JobRun {
    durationMs: number;
    at(jobMs: number): TracePoint;
}

/** A family of jobs of one shape. */
export interface TraceShape {
    name: string;
    /** Whether the job API reports progress for this shape. */
    hasProgress: boolean;
    /** One-line description for the report. */
    description: string;
    /** Make one job of (true) duration `durationMs`; `rng` draws any per-job randomness. */
    make(durationMs: number, rng: () => number): JobRun;
}

/** Deterministic PRNG, values in [0, 1): the emulator's mulberry32 (one implementation in the project). */
export const seededRandom: (seed: number) => () => number = mulberry32;

/** Build a job from a progress curve f: fraction of duration in [0, 1) → percent in [0, 100]. */
function fromCurve(durationMs: number, curve: (x: number) => number): JobRun {
    return {
        durationMs,
        at(jobMs) {
            if (jobMs >= durationMs) return { done: true, progress: 100 };
            const x = Math.max(0, jobMs) / durationMs;
            return { done: false, progress: Math.max(0, Math.min(100, Math.floor(curve(x)))) };
        },
    };
}

/** A draw uniform in [lo, hi). */
function uniform(rng: () => number, lo: number, hi: number): number {
    return lo + (hi - lo) * rng();
}

/** An integer drawn uniformly from lo..hi (inclusive), with one draw of `rng`. */
function intBetween(rng: () => number, lo: number, hi: number): number {
    return lo + Math.floor(rng() * (hi - lo + 1));
}

/** exp(sigma·N(0,1)) via Box–Muller: a positive factor with median 1. */
function lognormal(rng: () => number, sigma: number): number {
    const u1 = Math.max(1e-12, rng());
    const u2 = rng();
    return Math.exp(sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
}

/** Piecewise-linear interpolation through knots (xs ascending, xs[0] = 0). */
function piecewise(xs: readonly number[], ps: readonly number[]): (x: number) => number {
    return (x) => {
        if (x <= xs[0]) return ps[0];
        for (let i = 1; i < xs.length; i++) {
            if (x < xs[i]) {
                const w = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
                return ps[i - 1] + w * (ps[i] - ps[i - 1]);
            }
        }
        return ps[ps.length - 1];
    };
}

/** Step function: value levels[i] once x ≥ times[i] (times ascending), else `base`. */
function steps(times: readonly number[], levels: readonly number[], base: number): (x: number) => number {
    return (x) => {
        let p = base;
        for (let i = 0; i < times.length; i++) if (x >= times[i]) p = levels[i];
        return p;
    };
}

/**
 * Where each of `weights` ends when they are laid end to end and scaled to a total of 1: the
 * running sums ÷ the total (the last is exactly 1).
 */
function cumulativeShares(weights: readonly number[]): number[] {
    const total = weights.reduce((a, b) => a + b, 0);
    let acc = 0;
    return weights.map((w, i) => (i === weights.length - 1 ? 1 : (acc += w) / total));
}

/** Progress proportional to time. */
export const linear: TraceShape = {
    name: "linear",
    hasProgress: true,
    description: "progress = 100·t/D (integer, rounded down)",
    make: (d) => fromCurve(d, (x) => 100 * x),
};

/** Races to 90 % in the first 40 % of the time, then reads 90 until the job ends. */
const stuckAt90: TraceShape = {
    name: "fast-stuck-90",
    hasProgress: true,
    description: "0→90 % in the first 40 % of D, then 90 % until done",
    make: (d) => fromCurve(d, (x) => Math.min(90, (90 * x) / 0.4)),
};

/** No progress field at all. */
export const noProgress: TraceShape = {
    name: "no-progress",
    hasProgress: false,
    description: "the API reports no progress",
    make: (d) => ({ durationMs: d, at: (t) => ({ done: t >= d }) }),
};

/**
 * Progress in uneven jumps: 5–10 checkpoints at random instants (sorted uniforms), each adding an
 * unequal share; the last share completes at D. Between checkpoints progress does not move.
 */
export const jumpy: TraceShape = {
    name: "jumpy",
    hasProgress: true,
    description: "5–10 uneven jumps at random instants, flat in between",
    make: (d, rng) => {
        const n = intBetween(rng, 5, 10);
        const times = Array.from({ length: n }, () => rng()).sort((a, b) => a - b);
        const weights = Array.from({ length: n + 1 }, () => 0.5 + rng());
        const levels = cumulativeShares(weights)
            .slice(0, n)
            .map((s) => 100 * s);
        return fromCurve(d, steps(times, levels, 0));
    },
};

/** Logistic S-curve: slow start, fast middle, slow finish. */
const sCurve: TraceShape = {
    name: "s-curve",
    hasProgress: true,
    description: "logistic: slow start, fast middle, slow end",
    make: (d) => {
        const f = (x: number) => 1 / (1 + Math.exp(-10 * (x - 0.5)));
        const f0 = f(0);
        const f1 = f(1);
        return fromCurve(d, (x) => (100 * (f(x) - f0)) / (f1 - f0));
    },
};

/** 0 % for the first 30 % of the time (queued), then linear. */
const slowStart: TraceShape = {
    name: "slow-start",
    hasProgress: true,
    description: "0 % for the first 30 % of D (queued), then linear",
    make: (d) => fromCurve(d, (x) => (x < 0.3 ? 0 : (100 * (x - 0.3)) / 0.7)),
};

/** Two phases each counting 0→100: progress drops back to 0 half-way. */
export const backwards: TraceShape = {
    name: "backwards",
    hasProgress: true,
    description: "two phases each 0→100 %: drops back to 0 at D/2",
    make: (d) => fromCurve(d, (x) => (x < 0.5 ? 100 * (x / 0.5) * 0.98 : 100 * ((x - 0.5) / 0.5))),
};

/** Progress hits 100 at 40 % of the time; the job finalises for the remaining 60 %. */
const early100: TraceShape = {
    name: "early-100",
    hasProgress: true,
    description: "reaches 100 % at 0.4·D, terminal only at D",
    make: (d) => fromCurve(d, (x) => Math.min(100, (100 * x) / 0.4)),
};

/** Linear but with occasional glitches (a read of 0 %) and noisy ±3 points. */
const noisy: TraceShape = {
    name: "noisy-glitch",
    hasProgress: true,
    description: "linear ±3 points noise, 5 % of reads glitch to 0",
    make: (d, rng) => {
        const seed = Math.floor(rng() * 2 ** 31);
        return {
            durationMs: d,
            at(t) {
                if (t >= d) return { done: true, progress: 100 };
                // Noise is a deterministic function of the instant (so replays agree).
                const r = seededRandom(seed ^ Math.floor(t))();
                const r2 = seededRandom((seed * 31) ^ Math.floor(t))();
                if (r2 < 0.05) return { done: false, progress: 0 };
                const p = (100 * Math.max(0, t)) / d + (r - 0.5) * 6;
                return { done: false, progress: Math.max(0, Math.min(99, Math.floor(p))) };
            },
        };
    },
};

/** Fast to 50 %, then ten times slower (a rate change the fit has to follow). */
const slowdown: TraceShape = {
    name: "slowdown",
    hasProgress: true,
    description: "50 % in the first 10 % of D, then 10× slower",
    make: (d) => fromCurve(d, (x) => (x < 0.1 ? 500 * x : 50 + (50 * (x - 0.1)) / 0.9)),
};

/** Linear progress whose job ends while it reads `fromPoints` – `toPoints` % (drawn per job): nothing warns of the end. */
function endsWhileReading(name: string, fromPoints: number, toPoints: number): TraceShape {
    return {
        name,
        hasProgress: true,
        description: `linear, but the job ends while progress reads ${fromPoints}–${toPoints} %`,
        make: (d, rng) => {
            const reached = fromPoints + (toPoints - fromPoints) * rng();
            return fromCurve(d, (x) => reached * x);
        },
    };
}

/** Progress that is only an estimate, too pessimistic: linear, but the job ends while it reads 60–90 %. */
export const endsEarly: TraceShape = endsWhileReading("ends-early", 60, 90);

/** Linear, then three times slower for the last 30 % of the time: the end comes later than the line says. */
const twoPhase: TraceShape = {
    name: "two-phase-3x",
    hasProgress: true,
    description: "linear, 3× slower after 0.7·D (87.5 % at 0.7·D)",
    make: (d) => fromCurve(d, (x) => (x < 0.7 ? 125 * x : 87.5 + (125 / 3) * (x - 0.7))),
};

/** Logarithmic progress: fast at first, ever slower (every estimate is too early). */
const logarithmic: TraceShape = {
    name: "front-loaded",
    hasProgress: true,
    description: "100·ln(1 + 20·t/D)/ln 21: ever slower",
    make: (d) => fromCurve(d, (x) => (100 * Math.log1p(20 * x)) / Math.log(21)),
};

/** Progress in 25-point steps at regular instants: 0, 25, 50, 75, then done. */
const steps25: TraceShape = {
    name: "steps-25",
    hasProgress: true,
    description: "25-point steps at 0.25, 0.5, 0.75·D, flat in between",
    make: (d) => fromCurve(d, (x) => 25 * Math.floor(4 * x)),
};

/** Quadratic progress: slow at first, ever faster (every estimate is too late). */
const accelerating: TraceShape = {
    name: "late-surge",
    hasProgress: true,
    description: "100·(t/D)²: ever faster",
    make: (d) => fromCurve(d, (x) => 100 * x * x),
};

/** A retry: runs to 60 %, drops back to 0 at 0.4·D, then runs again to 100 % at D. */
export const restart: TraceShape = {
    name: "restart-at-60",
    hasProgress: true,
    description: "0→60 % by 0.4·D, back to 0, then 0→100 % by D",
    make: (d) => fromCurve(d, (x) => (x < 0.4 ? 150 * x : (100 * (x - 0.4)) / 0.6)),
};

/** Half the work, a long wait at 50 % (queued behind something), then the rest fast. */
export const plateau: TraceShape = {
    name: "plateau-50",
    hasProgress: true,
    description: "0→50 % by 0.2·D, flat until 0.8·D, then 50→100 % by D",
    make: (d) => fromCurve(d, (x) => (x < 0.2 ? 250 * x : x < 0.8 ? 50 : 50 + (50 * (x - 0.8)) / 0.2)),
};

/** Irregular steps of random size at random instants, plus ±2 points of read noise between them. */
const noisySteps: TraceShape = {
    name: "noisy-steps",
    hasProgress: true,
    description: "3–12 random steps at random instants, ±2 points of noise",
    make: (d, rng) => {
        const n = intBetween(rng, 3, 12);
        const times = Array.from({ length: n }, () => rng()).sort((a, b) => a - b);
        const levels = Array.from({ length: n }, () => rng() * 100).sort((a, b) => a - b);
        const level = steps(times, levels, 0);
        const seed = Math.floor(rng() * 2 ** 31);
        return {
            durationMs: d,
            at(t) {
                if (t >= d) return { done: true, progress: 100 };
                const p = level(Math.max(0, t) / d);
                const noise = (seededRandom(seed ^ Math.floor(t / 1000))() - 0.5) * 4;
                return { done: false, progress: Math.max(0, Math.min(99, Math.floor(p + noise))) };
            },
        };
    },
};

/**
 * Multi-stage cluster creation (DWS-like): queued at 0 %, then allocate (0→15 %), install
 * (15→70 %), configure (70→90 %), verify (90→100 %). Each stage owns a fixed slice of the percent
 * scale, but its wall-clock length is random per job (log-normal around a typical share), so the
 * rate changes at every stage boundary and differs from job to job.
 */
const clusterStages: TraceShape = {
    name: "random-stages",
    hasProgress: true,
    description: "queue 2–10 % of D at 0 %, then 4 stages with fixed % budgets (15/55/20/10) and random lengths",
    make: (d, rng) => {
        const queue = uniform(rng, 0.02, 0.1);
        const budgets = [0, 15, 70, 90, 100];
        const typical = [0.15, 0.45, 0.2, 0.2];
        const w = typical.map((t) => t * lognormal(rng, 0.5));
        const xs = [0, queue, ...cumulativeShares(w).map((s) => queue + (1 - queue) * s)];
        return fromCurve(d, piecewise(xs, [0, ...budgets]));
    },
};

/** The law of {@link stageMilestones}, for the bench's progress-aware optimum: its milestone schemes, … */
export const MILESTONE_SCHEMES: readonly (readonly number[])[] = [
    [10, 30, 60, 90],
    [5, 20, 50, 80, 95],
    [20, 40, 60, 80],
];
/** … and the log-spread of its stage weights (independent log-normal, median 1; scaled to fill D). */
export const MILESTONE_STAGE_SPREAD = 0.6;

/**
 * Coarse stage milestones: the server reports only a fixed percentage per completed stage (one of
 * a few schemes, e.g. 10/30/60/90), flat in between; stage lengths are random (log-normal), and the
 * last stage (after the last milestone, before success) is as random as the others.
 */
export const stageMilestones: TraceShape = {
    name: "milestones",
    hasProgress: true,
    description: "coarse fixed milestones (10/30/60/90, 5/20/50/80/95 or 20/40/60/80) at random stage ends",
    make: (d, rng) => {
        const levels = MILESTONE_SCHEMES[Math.floor(rng() * MILESTONE_SCHEMES.length)];
        // levels.length milestones → levels.length + 1 stages (the last one ends in success).
        const w = Array.from({ length: levels.length + 1 }, () => lognormal(rng, MILESTONE_STAGE_SPREAD));
        const times = cumulativeShares(w).slice(0, levels.length);
        return fromCurve(d, steps(times, levels, 0));
    },
};

/**
 * Sub-job aggregation: a parent job fans out N sub-jobs (3–12) run on c parallel workers (1–4),
 * each of log-normal length; progress = floor(100·finished/N) (3/7 → 42 %). A short start-up
 * before the first sub-job runs and an aggregation tail after the last one finishes.
 */
const subjobAggregate: TraceShape = {
    name: "subjob-aggregate",
    hasProgress: true,
    description: "N=3–12 sub-jobs on 1–4 workers, progress = ⌊100·finished/N⌋, start-up and aggregation tail",
    make: (d, rng) => {
        const n = intBetween(rng, 3, 12);
        const c = intBetween(rng, 1, Math.min(4, n));
        const lengths = Array.from({ length: n }, () => lognormal(rng, 0.4));
        const free = new Array<number>(c).fill(0);
        const finish: number[] = [];
        for (const len of lengths) {
            let k = 0;
            for (let j = 1; j < c; j++) if (free[j] < free[k]) k = j;
            free[k] += len;
            finish.push(free[k]);
        }
        finish.sort((a, b) => a - b);
        const makespan = finish[finish.length - 1];
        const startup = uniform(rng, 0, 0.05);
        const tail = uniform(rng, 0, 0.08);
        // The last completion reads N/N = 100 % while the parent is still aggregating (as real
        // aggregators report); success comes only after the tail.
        const times = finish.map((f) => startup + ((1 - startup - tail) * f) / makespan);
        const levels = finish.map((_, i) => (100 * (i + 1)) / n);
        return fromCurve(d, steps(times, levels, 0));
    },
};

/**
 * Server-side estimate that gets revised: progress = elapsed / estimated total, the estimate
 * starts optimistic (45–85 % of the true D) and is raised by ×1.15–1.6 whenever elapsed reaches
 * 80–97 % of it, so the bar falls back (or, on half the jobs, where the server never reports less
 * than before, freezes until the new estimate catches up). Capped at 99 % while running.
 */
const revisedEstimate: TraceShape = {
    name: "revised-estimate",
    hasProgress: true,
    description: "elapsed/estimate, estimate starts at 0.45–0.85·D and is raised ×1.15–1.6 near its end; half the jobs clamp monotonic",
    make: (d, rng) => {
        const monotonic = rng() < 0.5;
        const estimates = [uniform(rng, 0.45, 0.85)]; // in units of D
        const revisions: number[] = []; // x at which estimates[k+1] takes over
        for (;;) {
            const e = estimates[estimates.length - 1];
            const r = e * uniform(rng, 0.8, 0.97);
            if (r >= 1) break;
            revisions.push(r);
            estimates.push(e * uniform(rng, 1.15, 1.6));
        }
        const peaks = revisions.map((r, k) => (100 * r) / estimates[k]);
        return fromCurve(d, (x) => {
            let k = 0;
            while (k < revisions.length && x >= revisions[k]) k++;
            let p = (100 * x) / estimates[k];
            if (monotonic) for (let i = 0; i < k; i++) p = Math.max(p, peaks[i]);
            return Math.min(99, p);
        });
    },
};

/**
 * Long "finalising" stage at 99 %: the work proper runs to 95 % roughly linearly, creeps 95→99 %,
 * then the job sits at 99 % (post-install checks, DNS/ELB binding, metadata commit) for a random
 * 15–55 % of D before reporting success.
 */
const finalise99: TraceShape = {
    name: "finalise-99",
    hasProgress: true,
    description: "≈linear to 95 %, creep to 99 % at 0.45–0.85·D, then 99 % until done",
    make: (d, rng) => {
        const x99 = uniform(rng, 0.45, 0.85);
        const x95 = x99 * uniform(rng, 0.75, 0.9);
        return fromCurve(d, piecewise([0, x95, x99, 1], [0, 95, 99, 99]));
    },
};

/**
 * Bursts with varying rates: 3–8 active bursts, each with its own (log-normal) amount of progress
 * and length, separated by idle gaps (waiting on a lock, a quota, another service) of random
 * length, sometimes none; may start idle (queued); always ends with a burst reaching 100 % at D.
 */
const burstyRates: TraceShape = {
    name: "bursty-rates",
    hasProgress: true,
    description: "3–8 ramps of random rate and length separated by random idle gaps (30 % none), ends on a ramp",
    make: (d, rng) => {
        const bursts = intBetween(rng, 3, 8);
        const segs: { len: number; gain: number }[] = [];
        for (let i = 0; i < bursts; i++) {
            const gapBefore = rng() < 0.3 ? 0 : lognormal(rng, 0.7) * 0.6;
            if (gapBefore > 0) segs.push({ len: gapBefore, gain: 0 });
            segs.push({ len: lognormal(rng, 0.6), gain: lognormal(rng, 0.8) });
        }
        const xs = [0, ...cumulativeShares(segs.map((s) => s.len))];
        const ps = [0, ...cumulativeShares(segs.map((s) => s.gain)).map((s) => 100 * s)];
        return fromCurve(d, piecewise(xs, ps));
    },
};

/**
 * Linear work interrupted by 1–3 stalls (waiting on a lock, a quota, another service) at random
 * levels between 5 and 95 %, together 20–60 % of D, each of random length.
 */
const stalls: TraceShape = {
    name: "stalls",
    hasProgress: true,
    description: "linear, with 1–3 flat stalls at random levels (together 20–60 % of D)",
    make: (d, rng) => {
        const n = intBetween(rng, 1, 3);
        const stalled = uniform(rng, 0.2, 0.6);
        const levels = Array.from({ length: n }, () => uniform(rng, 5, 95)).sort((a, b) => a - b);
        const weights = Array.from({ length: n }, () => 0.5 + rng());
        const total = weights.reduce((a, b) => a + b, 0);
        // Knots: work at a constant rate between stalls (together 1 − stalled of D), flat during each.
        const xs = [0];
        const ps = [0];
        for (let i = 0; i < n; i++) {
            xs.push(xs[xs.length - 1] + ((levels[i] - ps[ps.length - 1]) / 100) * (1 - stalled));
            ps.push(levels[i]);
            xs.push(xs[xs.length - 1] + (stalled * weights[i]) / total);
            ps.push(levels[i]);
        }
        xs.push(1);
        ps.push(100);
        return fromCurve(d, piecewise(xs, ps));
    },
};

/** The progress shapes of the mixed workload (about half its jobs; the other half report no progress). */
export const MIX_PROGRESS_SHAPES: readonly TraceShape[] = [linear, logarithmic, accelerating, clusterStages, stageMilestones, stalls];

/** Like {@link endsEarly}, lower: linear, but the job ends while progress reads 20–50 % (its forecast twice to five times too long). */
export const endsLow: TraceShape = endsWhileReading("ends-low", 20, 50);

/** A token of progress: 0 % until 2–10 % of D, then 1 % until done (a job that reports having started, and nothing more). */
const stuckAt1: TraceShape = {
    name: "stuck-at-1",
    hasProgress: true,
    description: "0 % until 2–10 % of D, then 1 % until done",
    make: (d, rng) => {
        const at = 0.02 + 0.08 * rng();
        return fromCurve(d, (x) => (x < at ? 0 : 1));
    },
};

/** Shapes kept out of the mixed workload: the bench replays them to check that the policy generalises. */
export const HELD_OUT_SHAPES: readonly TraceShape[] = [
    stuckAt90,
    jumpy,
    sCurve,
    slowStart,
    backwards,
    early100,
    noisy,
    slowdown,
    endsEarly,
    twoPhase,
    steps25,
    restart,
    plateau,
    noisySteps,
    subjobAggregate,
    revisedEstimate,
    finalise99,
    burstyRates,
    endsLow,
    stuckAt1,
];

/** The job status object a Huawei job API answer would be normalised into. */
export function jobStatusOf(point: TracePoint, jobId: string): JobStatus {
    return {
        service: "dws",
        jobId,
        state: point.done ? "succeeded" : "running",
        status: point.done ? "SUCCESS" : "RUNNING",
        statusRecognised: true,
        progress: point.progress,
    };
}
