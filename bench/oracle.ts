/**
 * The progress-aware optimum of the milestones shape, as a lower bound on any waiter that reads
 * progress: an oracle that knows the shape's law (its milestone schemes, independent log-normal
 * stage weights, durations from the workload's prior) and sees the progress curve *continuously and
 * for free*. Whatever a real waiter learns from its looks, the oracle knows at least as much at
 * every instant, so its expected J is at most any real waiter's (within the same bounds).
 *
 * Its optimal play is computable exactly. The job cannot end before the last milestone τ_L, and
 * the oracle sees that milestone the instant it happens: it makes no call in between (the first
 * call, at 0, is paid by every waiter). From τ_L on it learns nothing more until the end, so its
 * best is the E[J]-optimal fixed schedule for the conditional law of the last stage — the dynamic
 * program of `provider/polling/schedule.ts`. That law is closed-form: with stage lengths
 * sᵢ = D·wᵢ/Σw, wᵢ log-normal(0, σ) and D log-uniform on [lo, hi], the density of s is
 *
 *     p(s) ∝ 1[lo ≤ Σs ≤ hi] · Πᵢ (1/sᵢ) · exp(−Σᵢ (ln sᵢ − mean ln s)² / 2σ²),
 *
 * so given the L known stages, ln s_L is normal with mean the mean of their logs and variance
 * σ²(L + 1)/L, truncated to lo ≤ τ_L + s_L ≤ hi.
 *
 * @packageDocumentation
 */

import { DurationPrior, InspectionSchedule, inspectionGrid, LOG_NORMAL_CUTOFF_SIGMAS, logNormalPrior, optimalSchedule } from "../provider/polling/schedule";
import { MILESTONE_SCHEMES, MILESTONE_STAGE_SPREAD } from "./traces";
import type { Probe } from "./baselines";
import { costAtEnd } from "./support";

/** What the oracle pays for one job, in ms of lag. */
export interface OracleCost {
    /** E[J | what the oracle saw]: the DP's value for the last stage's conditional law. */
    expectedMs: number;
    /** J of that schedule on this job's actual end. */
    realisedMs: number;
    /** The conditional law's CDF at the actual last-stage length: uniform over jobs when the law is right. */
    pit: number;
    /** When the first milestone came (progress left 0), ms. */
    firstMilestoneMs: number;
    /** When the last milestone came (from then on only the end is left), ms. */
    lastMilestoneMs: number;
}

/**
 * The oracle's candidate looks: the blind schedule's grid (0, then steps of 0.5 % of the time since
 * τ_L, at least 100 ms, at most a sixteenth of the longest gap) without its 2 s cap on a step.
 * Coarser far out, which keeps one DP per job fast; halving every step changes the bench's E[J] by
 * less than 0.3 % (test/bench/oracle.test.ts).
 */
function oracleGrid(highMs: number, maxIntervalMs: number, relativeStep?: number): number[] {
    return inspectionGrid({ highMs }, maxIntervalMs, { relative: relativeStep, maxMs: Number.POSITIVE_INFINITY });
}

/**
 * The law of the last stage given `stagesSeen` stages of geometric-mean length `medianMs`: ln s_L
 * normal around ln `medianMs` with variance σ²(L + 1)/L, truncated to [lowMs, highMs] (and to
 * `LOG_NORMAL_CUTOFF_SIGMAS` σ above its median, beyond which no mass is left).
 */
export function lastStageLaw(medianMs: number, stagesSeen: number, lowMs: number, highMs: number): DurationPrior {
    const spread = MILESTONE_STAGE_SPREAD * Math.sqrt((stagesSeen + 1) / stagesSeen);
    return logNormalPrior(medianMs, spread, lowMs, Math.min(highMs, medianMs * Math.exp(LOG_NORMAL_CUTOFF_SIGMAS * spread)));
}

/** The E[J]-optimal looks for `law` from the last milestone on (no minimum gap, at most `maxIntervalMs`), on {@link oracleGrid}. */
export function lastStageSchedule(law: DurationPrior, callCostMs: number, maxIntervalMs: number, relativeStep?: number): InspectionSchedule {
    return optimalSchedule(law, { callCostMs, minIntervalMs: 0, maxIntervalMs, gridMs: oracleGrid(law.highMs, maxIntervalMs, relativeStep) });
}

/** Bisection precision for the milestone instants, ms. */
const INSTANT_PRECISION_MS = 1;

/** The first instant at which `probe` reads progress ≥ `level` (progress never falls in this shape; the end reads 100). */
function firstReach(probe: Probe, level: number, highMs: number): number {
    let lo = 0;
    let hi = highMs;
    while (hi - lo > INSTANT_PRECISION_MS) {
        const mid = (lo + hi) / 2;
        if ((probe(mid).progress ?? 0) >= level) hi = mid;
        else lo = mid;
    }
    return hi;
}

/**
 * The oracle's cost on one milestones job of true duration `durationMs` (used only to score the
 * schedule, never to choose it). `prior` is the workload's duration prior, `maxIntervalMs`
 * the longest gap the waiters compared may leave (the oracle's first look after τ_L included; no
 * minimum gap, so that no waiter's look is out of its reach).
 */
export function milestoneOracle(
    probe: Probe,
    durationMs: number,
    prior: DurationPrior,
    callCostMs: number,
    maxIntervalMs: number,
    relativeStep?: number,
): OracleCost {
    const horizon = prior.highMs + 1;
    const firstLevel = probe(firstReach(probe, 1, horizon)).progress;
    const levels = MILESTONE_SCHEMES.find((s) => s[0] === firstLevel);
    if (levels === undefined) throw new Error(`not a milestones job: first level ${firstLevel}`);
    const instants = levels.map((level) => firstReach(probe, level, horizon));
    const logStages = instants.map((t, k) => Math.log(t - (k === 0 ? 0 : instants[k - 1])));
    const n = logStages.length;
    const meanLog = logStages.reduce((a, b) => a + b, 0) / n;
    const last = instants[n - 1];
    const law = lastStageLaw(Math.exp(meanLog), n, Math.max(0, prior.lowMs - last), prior.highMs - last);
    const { timesMs, expectedCostMs } = lastStageSchedule(law, callCostMs, maxIntervalMs, relativeStep);
    return {
        expectedMs: expectedCostMs,
        realisedMs: costAtEnd(
            timesMs.map((t) => last + t),
            durationMs,
            callCostMs,
        ),
        pit: law.cdf(durationMs - last),
        firstMilestoneMs: instants[0],
        lastMilestoneMs: last,
    };
}
