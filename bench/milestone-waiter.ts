/**
 * A waiter that knows the law of the milestones shape — its schemes, the spread of its stage
 * weights, and so that the job cannot end before its last milestone — and pays for every look like
 * any real waiter. What it achieves is an upper bound on the shape's progress-aware optimum (the
 * optimum is at most any waiter's J), to set beside the lower bounds of `bench/oracle.ts`.
 *
 * Its play, each step a plain rule rather than an optimum:
 * - while progress reads 0 %, either looks at geometrically growing gaps (it knows the job cannot
 *   end there) or follows the blind optimum (the class of waiters that take 0 % for no information);
 * - once a milestone is seen, it knows the scheme (the one holding every level seen; of several,
 *   the one with the most milestones left) and so how many milestones are left, and it takes the
 *   mean stage length so far as the scale;
 * - while milestones are left it looks every `nextIsLast` of a stage when the next one is the last
 *   (its time is the origin of the last stage) and every `further` of a stage otherwise
 *   ({@link StageGaps}; {@link DEFAULT_STAGE_GAPS} unless given);
 * - after the last milestone it follows the E[J]-optimal schedule for the last stage's law
 *   (log-normal around the scale, spread σ·√((n + 1)/n) for n stages seen), counted from the
 *   middle of the gap in which it saw that milestone.
 * Every gap stays within the bounds ours is given.
 *
 * @packageDocumentation
 */

import { DEFAULT_BOUNDS, DEFAULT_DURATION_PRIOR } from "../provider/polling/policy";
import type { Probe, WaitRecord } from "./baselines";
import { lastStageLaw, lastStageSchedule } from "./oracle";
import { MILESTONE_SCHEMES } from "./traces";

/** How the waiter looks while progress still reads 0 %. */
export type ZeroPhase = "geometric" | "blind";

/** The first look after the one at 0 while progress reads 0 % (geometric play), ms… */
const ZERO_PHASE_FIRST_MS = 20_000;
/** … and the factor by which each later look's time grows. */
const ZERO_PHASE_GROWTH = 1.5;
/** The waiter's gaps while milestones are left, in mean stage lengths. */
export interface StageGaps {
    /** While the next milestone is the last. */
    nextIsLast: number;
    /** While more than one milestone is left. */
    further: number;
}

/** The gaps the waiter plays by unless given others. */
export const DEFAULT_STAGE_GAPS: StageGaps = Object.freeze({ nextIsLast: 0.3, further: 0.7 });

/** The gaps the bench tries, every pair of these, to show how far tuning them moves the waiter's J. */
export const STAGE_GAP_GRID: Readonly<Record<keyof StageGaps, readonly number[]>> = Object.freeze({
    nextIsLast: [0.3, 0.45, 0.6, 0.8],
    further: [0.7, 1, 1.4, 2],
});

/** The scheme that holds every level in `seen`; of several, the one with the most milestones after the last level. */
function schemeOf(seen: readonly number[]): readonly number[] {
    const level = seen[seen.length - 1];
    const candidates = MILESTONE_SCHEMES.filter((s) => seen.every((v) => s.includes(v)));
    return candidates.reduce((best, s) => (s.length - s.indexOf(level) > best.length - best.indexOf(level) ? s : best));
}

/** The law-aware waiter (see the module documentation), given the blind optimum's looks, the call cost and its gaps. */
export function lawAwareMilestoneWaiter(
    zeroPhase: ZeroPhase,
    blindTimesMs: readonly number[],
    callCostMs: number,
    gaps: StageGaps = DEFAULT_STAGE_GAPS,
): (probe: Probe, timeoutMs: number) => WaitRecord {
    const { minIntervalMs, maxIntervalMs } = DEFAULT_BOUNDS;
    return (probe, timeoutMs) => {
        const pollTimesMs: number[] = [];
        const arrivalsMs: number[] = [];
        const seen: number[] = [];
        let lastStage: number[] | undefined;
        let previousMs = 0;
        for (let t = 0; t <= timeoutMs;) {
            pollTimesMs.push(t);
            const point = probe(t);
            if (point.done) return { outcome: "detected", pollTimesMs };
            const level = point.progress ?? 0;
            if (level !== (seen[seen.length - 1] ?? 0)) {
                seen.push(level);
                arrivalsMs.push((previousMs + t) / 2);
                lastStage = undefined;
            }
            previousMs = t;
            let next: number;
            if (seen.length === 0) {
                next = zeroPhase === "blind" ? (blindTimesMs.find((x) => x > t) ?? t + maxIntervalMs) : t === 0 ? ZERO_PHASE_FIRST_MS : t * ZERO_PHASE_GROWTH;
            } else {
                const scheme = schemeOf(seen);
                const passed = scheme.indexOf(level) + 1;
                const stageMs = arrivalsMs[arrivalsMs.length - 1] / passed;
                const left = scheme.length - passed;
                if (left > 0) {
                    next = t + (left === 1 ? gaps.nextIsLast : gaps.further) * stageMs;
                } else {
                    if (lastStage === undefined) {
                        const law = lastStageLaw(stageMs, passed, 0, DEFAULT_DURATION_PRIOR.highMs);
                        const origin = arrivalsMs[arrivalsMs.length - 1];
                        lastStage = lastStageSchedule(law, callCostMs, maxIntervalMs).timesMs.map((x) => origin + x);
                    }
                    next = lastStage.find((x) => x > t) ?? t + maxIntervalMs;
                }
            }
            t = Math.min(Math.max(next, t + minIntervalMs), t + maxIntervalMs);
        }
        return { outcome: "timeout", pollTimesMs };
    };
}
