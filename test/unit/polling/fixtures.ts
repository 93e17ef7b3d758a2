/** Observations and progress samples shared by the polling tests. */
import type { PollObservation } from "../../../provider/polling/policy";
import type { ProgressSample } from "../../../provider/polling/progress";

/** An observation after one successful poll at 0, with `partial` on top. */
export function obs(partial: Partial<PollObservation>): PollObservation {
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

/**
 * The gap after which the J-optimal look density √(h / 2c) accumulates one look while the hazard
 * h stays as it is now: the plan's hedges alone, while a sharp forecast puts the end far beyond
 * the next look. The blind prior's hazard is the one its gap `blindGapMs` answers, 2c / g²; a
 * silent end uniform over the next `remainingMs` has hazard 1 / R.
 */
export function hedgedGapMs(h: { blindShare: number; silentShare: number; blindGapMs: number; remainingMs: number; callCostMs: number }): number {
    const hazard = (h.blindShare * 2 * h.callCostMs) / h.blindGapMs ** 2 + h.silentShare / h.remainingMs;
    return Math.sqrt((2 * h.callCostMs) / hazard);
}

/** A `random` that always returns `x`. */
export const constant = (x: number) => () => x;

/** Samples of a job that is linear from 0 at t=0 to 100 at `durationMs`, integer progress. */
export function linearSamples(durationMs: number, times: number[]): ProgressSample[] {
    return times.map((t) => ({ atMs: t, progress: Math.floor((100 * t) / durationMs) }));
}

/** A 30-minute linear job… */
export const D = 1_800_000;
/** … read far from its end (the last read at 5 min) … */
export const FAR = { elapsedMs: 300_000, samples: linearSamples(D, [0, 2_000, 60_000, 180_000, 300_000]) };
/** … and near it (30 s before it). */
export const NEAR = { elapsedMs: 1_770_000, samples: linearSamples(D, [0, 300_000, 900_000, 1_500_000, 1_700_000, 1_750_000, 1_770_000]) };

// Milestones read sparsely: 80 % at 25 s and 95 % at 30 s. The weighted Theil–Sen rate is
// 95/30 = 3.17 points/s (slopes 3, 3.17, 3.2 with weights 5, 30, 25 s), and it explains both
// rises (80 − 3.17·25 = 0.8, 15 − 3.17·5 = −0.8): the progress looks smooth. A read at 33 s
// still at 95 % is one the rate would have moved 9.5 points: jumps of 9.5 points (up to the
// mean rise, 47.5) at least, so a stall only after 3 · 47.5 / 3.17 = 45 s without a rise (the
// window of the last 5 points holds one rise, too few for a recent pace).
export const sparseMilestones: ProgressSample[] = [
    { atMs: 0, progress: 0 },
    { atMs: 25_000, progress: 80 },
    { atMs: 30_000, progress: 95 },
];
/** The same, then reads still at 95 % at `atMs`. */
export const flatAt = (...atMs: number[]) => [...sparseMilestones, ...atMs.map((t) => ({ atMs: t, progress: 95 }))];

/**
 * Linear at 0.1 point/s to 85 % at 850 s (the read before at 80 %, so that 85 is no isolated
 * spike), then reads at 900, 950 and 1 000 s from `level` up at 0.1 point/s again: below 80 %, a
 * drop that starts a new phase.
 */
export const droppedTo = (level: number): ProgressSample[] => [
    ...[0, 300_000, 600_000, 800_000, 850_000].map((t) => ({ atMs: t, progress: t / 10_000 })),
    ...[900_000, 950_000, 1_000_000].map((t, k) => ({ atMs: t, progress: level + 5 * k })),
];
