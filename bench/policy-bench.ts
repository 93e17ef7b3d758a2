/**
 * Policy benchmark: the cost J = detection lag (s) + c × calls (c = callCostMs, 1 s by default)
 * per job, on a mixed workload replayed under a virtual clock through the real
 * `pollUntilTerminal` with this package's default policy, the progress-blind optimum (the exact
 * DP schedule for the prior) and the baselines of bench/baselines.ts. Job durations are drawn from
 * the policy's prior; about half the jobs report no progress, the rest one of the mix's progress
 * shapes. Every waiter sees the same jobs. Reported per shape and per duration band, then for
 * held-out shapes, held-out priors and a held-out seed; last, the final check at the deadline.
 *
 *   node dist/bench/policy-bench.js [--jobs N] [--seed S] [--markdown]
 *
 * @packageDocumentation
 */

import { VirtualClock } from "../provider/polling/clock";
import { pollUntilTerminal, PollOutcome } from "../provider/polling/loop";
import {
    DEFAULT_BOUNDS,
    DEFAULT_DURATION_PRIOR,
    DEFAULT_TUNING,
    PollBounds,
    PollPolicy,
    policyForTuning,
    progressAwarePolicy,
} from "../provider/polling/policy";
import { DurationPrior, logUniformPrior, optimalSchedule } from "../provider/polling/schedule";
import { OWN_LOOP_BASELINES, POLICY_BASELINES, Probe, UNBOUNDED, WaitRecord, stateChangeConf } from "./baselines";
import { blindWorstCaseBound } from "./blind-bound";
import { DEFAULT_STAGE_GAPS, STAGE_GAP_GRID, StageGaps, ZeroPhase, lawAwareMilestoneWaiter } from "./milestone-waiter";
import { milestoneOracle } from "./oracle";
import { costAtEnd, numberArg } from "./support";
import { HELD_OUT_SHAPES, MIX_PROGRESS_SHAPES, TraceShape, jobStatusOf, linear, noProgress, seededRandom, stageMilestones } from "./traces";

/** The waiter that is ours, and the one that is the progress-blind optimum. */
export const OURS = "ours";
export const BLIND_OPTIMUM = "blind-optimum";
/** The progress-aware optimum (bench/oracle.ts), where the shape's law allows computing it. */
const AWARE_OPTIMUM = "aware-optimum";

/** The duration bands of the report. */
const BANDS: readonly { label: string; fromMs: number; toMs: number }[] = [
    { label: "10s–2min", fromMs: 10_000, toMs: 120_000 },
    { label: "2–15min", fromMs: 120_000, toMs: 900_000 },
    { label: "15–60min", fromMs: 900_000, toMs: 3_600_000 },
    { label: "1–4h", fromMs: 3_600_000, toMs: 14_400_000 },
];

/** The priors the bench replays besides the policy's own (log-uniform 2 s – 30 min, 1 min – 8 h, 10 s – 10 min). */
export const HELD_OUT_PRIORS: readonly DurationPrior[] = [
    logUniformPrior(2_000, 1_800_000),
    logUniformPrior(60_000, 8 * 3_600_000),
    logUniformPrior(10_000, 600_000),
];

/** Share of the mixed workload's jobs that report no progress. */
const NO_PROGRESS_SHARE = 0.5;
/** Every waiter's deadline: this long past the prior's longest job, so that only p-retry's own budget ends a wait early. */
const DEADLINE_MARGIN_MS = 3_600_000;
/** Every waiter's deadline on the jobs of `prior`. */
const deadlineOf = (prior: DurationPrior) => prior.highMs + DEADLINE_MARGIN_MS;
/** The lag one call is worth in J (the policy's own default). */
const CALL_COST_MS = DEFAULT_TUNING.callCostMs;
/** The other call costs the bench replays ours at (one tenth and ten times the default). */
const OTHER_CALL_COSTS_MS: readonly number[] = [100, 10_000];

/** What one waiter paid for one job. */
interface JobCost {
    calls: number;
    /** Detection lag, ms; undefined when the waiter never saw the end (gave up / timed out). */
    lagMs?: number;
}

/** One job of a workload. */
interface WorkloadJob {
    shape: TraceShape;
    durationMs: number;
    probe: Probe;
    seed: number;
}

/** Mean cost of one waiter over a set of jobs. */
export interface CostStats {
    jobs: number;
    calls: number;
    /** Mean lag, s, over the jobs seen ending. */
    lagS: number;
    /** Mean J, s; NaN when some job was never seen ending. */
    j: number;
    missed: number;
}

/** A waiter the bench replays: given the job and the random source of its seed (the deadline is its own). */
type Waiter = (job: WorkloadJob, random: () => number) => Promise<WaitRecord>;

/** Run the package's real loop with `policy` under a virtual clock. */
async function runLoop(probe: Probe, policy: PollPolicy, bounds: PollBounds, timeoutMs: number, random: () => number): Promise<WaitRecord> {
    const clock = new VirtualClock(0);
    const pollTimesMs: number[] = [];
    const fetchOnce = async (): Promise<PollOutcome> => {
        const t = clock.now();
        pollTimesMs.push(t);
        return { kind: "status", status: jobStatusOf(probe(t), "job-bench") };
    };
    try {
        await pollUntilTerminal(fetchOnce, { jobId: "job-bench", timeoutMs, bounds, policy, clock, random });
        return { outcome: "detected", pollTimesMs };
    } catch (error) {
        if ((error as { code?: string }).code === "JOB_TIMEOUT") return { outcome: "timeout", pollTimesMs };
        throw error;
    }
}

/** A waiter that looks at fixed times (the blind optimum's schedule), stopping at the end. */
function fixedSchedule(timesMs: readonly number[]): (probe: Probe) => WaitRecord {
    return (probe) => {
        const pollTimesMs: number[] = [];
        for (const t of timesMs) {
            pollTimesMs.push(t);
            if (probe(t).done) return { outcome: "detected", pollTimesMs };
        }
        return { outcome: "timeout", pollTimesMs };
    };
}

/** The blind optimum for `prior` and a call cost (default the bench's) under the default bounds (the looks ours may make). */
export function blindOptimum(
    prior: DurationPrior,
    callCostMs = CALL_COST_MS,
): { waiter: (probe: Probe) => WaitRecord; expectedJ: number; timesMs: readonly number[] } {
    const s = optimalSchedule(prior, { callCostMs, ...DEFAULT_BOUNDS });
    return { waiter: fixedSchedule(s.timesMs), expectedJ: s.expectedCostMs / 1000, timesMs: s.timesMs };
}

/** Ours with `policy`: the package's loop, default bounds, the deadline of `prior`'s jobs. */
function oursWith(policy: PollPolicy, prior: DurationPrior): Waiter {
    return (job, random) => runLoop(job.probe, policy, DEFAULT_BOUNDS, deadlineOf(prior), random);
}

/** Every waiter of the report, ours first, then the blind optimum for `prior`, then the baselines. */
function waiters(prior: DurationPrior): Map<string, Waiter> {
    const optimum = blindOptimum(prior).waiter;
    const timeoutMs = deadlineOf(prior);
    const all = new Map<string, Waiter>([
        [OURS, oursWith(progressAwarePolicy, prior)],
        [BLIND_OPTIMUM, async (job) => optimum(job.probe)],
    ]);
    for (const b of POLICY_BASELINES) all.set(b.name, (job, random) => runLoop(job.probe, b.policy, UNBOUNDED, timeoutMs, random));
    for (const b of OWN_LOOP_BASELINES) all.set(b.name, async (job, random) => b.run(job.probe, timeoutMs, random));
    return all;
}

/** Jobs with durations drawn from `prior`; each of `shapes` in turn, or the mix (half without progress). */
export function workload(prior: DurationPrior, count: number, seed: number, shapes?: readonly TraceShape[]): WorkloadJob[] {
    const rng = seededRandom(seed);
    const jobs: WorkloadJob[] = [];
    for (let i = 0; i < count; i++) {
        const u = rng();
        const shape = shapes
            ? shapes[i % shapes.length]
            : u < NO_PROGRESS_SHARE
              ? noProgress
              : MIX_PROGRESS_SHAPES[Math.floor(((u - NO_PROGRESS_SHARE) / (1 - NO_PROGRESS_SHARE)) * MIX_PROGRESS_SHAPES.length)];
        const durationMs = prior.lowMs * (prior.highMs / prior.lowMs) ** rng();
        const run = shape.make(durationMs, seededRandom(Math.floor(rng() * 2 ** 31)));
        jobs.push({ shape, durationMs, probe: (t) => run.at(t), seed: Math.floor(rng() * 2 ** 31) });
    }
    return jobs;
}

/** Replay every job through every waiter: per waiter, one cost per job (in the order of `jobs`). */
export async function replay(jobs: readonly WorkloadJob[], prior: DurationPrior, only?: readonly string[]): Promise<Map<string, JobCost[]>> {
    const costs = new Map<string, JobCost[]>();
    for (const [name, waiter] of waiters(prior)) {
        if (only && !only.includes(name)) continue;
        costs.set(name, await replayWaiter(jobs, waiter));
    }
    if (!only || only.includes(AWARE_OPTIMUM))
        costs.set(
            AWARE_OPTIMUM,
            jobs.map((job) => awareOptimum(job, prior)),
        );
    return costs;
}

/** What one wait cost on `job`: its calls, and its lag where it saw the end. */
function jobCost(rec: WaitRecord, job: WorkloadJob): JobCost {
    const last = rec.pollTimesMs[rec.pollTimesMs.length - 1];
    return { calls: rec.pollTimesMs.length, lagMs: rec.outcome === "detected" ? last - job.durationMs : undefined };
}

/** One waiter's cost on each of `jobs`, in order, each with its own seed. */
async function replayWaiter(jobs: readonly WorkloadJob[], waiter: Waiter): Promise<JobCost[]> {
    const list: JobCost[] = [];
    for (const job of jobs) list.push(jobCost(await waiter(job, seededRandom(job.seed)), job));
    return list;
}

/** Ours on `jobs` of `prior` told that prior's range (`shortestJobMs`, `longestJobMs`) and a call cost (default the bench's). */
function oursTold(jobs: readonly WorkloadJob[], prior: DurationPrior, callCostMs = CALL_COST_MS): Promise<JobCost[]> {
    const policy = policyForTuning({ callCostMs, shortestJobMs: prior.lowMs, longestJobMs: prior.highMs });
    return replayWaiter(jobs, oursWith(policy, prior));
}

/** Ours ÷ the blind optimum on `jobs` of `prior` at another call cost: ours tuned to it, the optimum computed for it, J costed at it. */
async function ratioAtCallCost(jobs: readonly WorkloadJob[], prior: DurationPrior, callCostMs: number): Promise<number> {
    const ours = await oursTold(jobs, prior, callCostMs);
    const optimum = blindOptimum(prior, callCostMs).waiter;
    const blind = await replayWaiter(jobs, async (job) => optimum(job.probe));
    return costOf(ours, jobs, () => true, callCostMs).j / costOf(blind, jobs, () => true, callCostMs).j;
}

/**
 * The progress-aware optimum's cost on one job, where computed (milestones): its *expected* J given
 * what it saw (lower variance than one draw), as lag with no calls; `lagMs` undefined elsewhere.
 */
function awareOptimum(job: WorkloadJob, prior: DurationPrior): JobCost {
    if (job.shape !== stageMilestones) return { calls: 0 };
    return { calls: 0, lagMs: milestoneOracle(job.probe, job.durationMs, prior, CALL_COST_MS, DEFAULT_BOUNDS.maxIntervalMs).expectedMs };
}

/** Mean cost over the jobs `pick` selects, J at `callCostMs` per call (default the bench's). */
export function costOf(list: readonly JobCost[], jobs: readonly WorkloadJob[], pick: (job: WorkloadJob) => boolean, callCostMs = CALL_COST_MS): CostStats {
    const chosen = list.filter((_, i) => pick(jobs[i]));
    const seen = chosen.filter((c) => c.lagMs !== undefined);
    const calls = mean(chosen.map((c) => c.calls));
    const lagS = mean(seen.map((c) => c.lagMs! / 1000));
    const missed = chosen.length - seen.length;
    return { jobs: chosen.length, calls, lagS, j: missed === 0 ? lagS + (callCostMs / 1000) * calls : Number.NaN, missed };
}

function mean(xs: number[]): number {
    return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Mean J (s) of the waiter that knows the milestones law (bench/milestone-waiter.ts) on `jobs`, with
 * that play at 0 % and those gaps; `blindTimesMs`, the blind optimum's looks for `prior`, when the
 * caller has them already.
 */
export function lawAwareJ(
    jobs: readonly WorkloadJob[],
    prior: DurationPrior,
    zeroPhase: ZeroPhase,
    gaps: StageGaps,
    blindTimesMs: readonly number[] = blindOptimum(prior).timesMs,
): number {
    const waiter = lawAwareMilestoneWaiter(zeroPhase, blindTimesMs, CALL_COST_MS, gaps);
    return mean(jobs.map((j) => costAtEnd(waiter(j.probe, deadlineOf(prior)).pollTimesMs, j.durationMs, CALL_COST_MS) / 1000));
}

/**
 * Checks of the progress-aware optimum on the milestones jobs of `jobs`: its expected J against the
 * J its schedules realise on the jobs' true ends (equal on average when the conditional law is
 * right), and the Kolmogorov–Smirnov distance of the law's CDF at the true ends from uniform.
 *
 * Also a tighter bound for the waiters that treat progress still at 0 % as no information (as
 * ours does: a job whose progress never left 0 % gives nothing to predict from, and the blind
 * schedule is what it then follows). Before the last milestone such a waiter pays at least the
 * blind schedule's calls up to the look that sees the first milestone (and none after the last
 * milestone: those belong to the last stage); from the last milestone on it can do no better than
 * the oracle, which sees everything for free. `zeroBlindS` is that bound and `blindS` the blind
 * optimum's J on the same jobs.
 *
 * From above, the waiter that knows the law (bench/milestone-waiter.ts), with either play at 0 %;
 * with the blind looks at 0 % also its J for every pair of {@link STAGE_GAP_GRID} and the best of
 * them, tuned on these very jobs: how far its two gaps, chosen by hand, are from the best such pair.
 */
export function awareValidation(
    jobs: readonly WorkloadJob[],
    prior: DurationPrior,
): {
    jobs: number;
    expectedS: number;
    realisedS: number;
    realisedSE: number;
    ks: number;
    zeroBlindS: number;
    blindS: number;
    lawAwareS: number;
    lawAwareBlindZeroS: number;
    lawAwareBlindZeroGrid: { s: number; gaps: StageGaps }[];
    lawAwareBlindZeroTuned: { s: number; gaps: StageGaps };
} {
    const milestoneJobs = jobs.filter((j) => j.shape === stageMilestones);
    const runs = milestoneJobs.map((j) => milestoneOracle(j.probe, j.durationMs, prior, CALL_COST_MS, DEFAULT_BOUNDS.maxIntervalMs));
    const realised = runs.map((r) => r.realisedMs / 1000);
    const m = mean(realised);
    const sd = Math.sqrt(mean(realised.map((x) => (x - m) ** 2)));
    const pits = runs.map((r) => r.pit).sort((a, b) => a - b);
    const ks = pits.reduce((d, u, i) => Math.max(d, Math.abs(u - i / pits.length), Math.abs(u - (i + 1) / pits.length)), 0);
    const blind = blindOptimum(prior).timesMs;
    const zeroBlind = runs.map((r) => {
        // The looks up to the one that sees the first milestone, but none after the last milestone.
        const seenAt = blind.findIndex((x) => x >= r.firstMilestoneMs);
        const calls = Math.min(seenAt + 1, blind.filter((x) => x <= r.lastMilestoneMs).length);
        // The oracle's expected J already holds the call at 0.
        return (CALL_COST_MS * (calls - 1) + r.expectedMs) / 1000;
    });
    const blindJ = milestoneJobs.map((j) => costAtEnd(blind, j.durationMs, CALL_COST_MS) / 1000);
    const lawAware = (zeroPhase: ZeroPhase, gaps: StageGaps) => lawAwareJ(milestoneJobs, prior, zeroPhase, gaps, blind);
    const grid = STAGE_GAP_GRID.nextIsLast
        .flatMap((nextIsLast) => STAGE_GAP_GRID.further.map((further) => ({ nextIsLast, further })))
        .map((gaps) => ({ s: lawAware("blind", gaps), gaps }));
    const atDefault = grid.find(({ gaps }) => gaps.nextIsLast === DEFAULT_STAGE_GAPS.nextIsLast && gaps.further === DEFAULT_STAGE_GAPS.further);
    if (atDefault === undefined) throw new Error("STAGE_GAP_GRID must hold DEFAULT_STAGE_GAPS");
    return {
        jobs: runs.length,
        expectedS: mean(runs.map((r) => r.expectedMs / 1000)),
        realisedS: m,
        realisedSE: sd / Math.sqrt(runs.length),
        ks,
        zeroBlindS: mean(zeroBlind),
        blindS: mean(blindJ),
        lawAwareS: lawAware("geometric", DEFAULT_STAGE_GAPS),
        lawAwareBlindZeroS: atDefault.s,
        lawAwareBlindZeroGrid: grid,
        lawAwareBlindZeroTuned: grid.reduce((best, x) => (x.s < best.s ? x : best)),
    };
}

/**
 * The price of reading progress at all, measured on linear jobs: the worst *silent early end*.
 * A job whose progress is linear and that then ends abruptly at some e < D shows, up to e, exactly
 * the history of a linear job, so a waiter polls it exactly as it polls the linear job. From one
 * replay per job, J(e) = c·(calls up to the first poll at or after e) + that poll − e is known for
 * every e; the adversary picks, per job, the e at which ours loses most to the blind optimum
 * (just after one of ours' polls). `oursS` and `blindS` are the mean J of the two there, over
 * `count` linear jobs from the prior.
 *
 * `floorS` is what a waiter that no silent early end makes worse than the blind optimum must pay on
 * these linear jobs: every look the blind optimum makes before D, and one more (bench/README.md
 * gives the argument), i.e. c·(1 + blind looks before D); `blindLinearS` is the blind optimum's J on them.
 */
export async function silentEarlyEnd(
    prior: DurationPrior,
    count: number,
    seed: number,
): Promise<{ jobs: number; oursS: number; blindS: number; floorS: number; blindLinearS: number }> {
    const jobs = workload(prior, count, seed, [linear]);
    const all = waiters(prior);
    let ours = 0;
    let blind = 0;
    let floor = 0;
    let blindLinear = 0;
    for (const job of jobs) {
        const o = (await all.get(OURS)!(job, seededRandom(job.seed))).pollTimesMs;
        const b = (await all.get(BLIND_OPTIMUM)!(job, seededRandom(job.seed))).pollTimesMs;
        let worst = { gap: Number.NEGATIVE_INFINITY, o: 0, b: 0 };
        for (const t of o.slice(0, -1)) {
            const e = t + 1;
            const jo = costAtEnd(o, e, CALL_COST_MS);
            const jb = costAtEnd(b, e, CALL_COST_MS);
            if (jo - jb > worst.gap) worst = { gap: jo - jb, o: jo, b: jb };
        }
        ours += worst.o / 1000;
        blind += worst.b / 1000;
        floor += (CALL_COST_MS * (1 + b.filter((t) => t < job.durationMs).length)) / 1000;
        blindLinear += costAtEnd(b, job.durationMs, CALL_COST_MS) / 1000;
    }
    const n = jobs.length;
    return { jobs: n, oursS: ours / n, blindS: blind / n, floorS: floor / n, blindLinearS: blindLinear / n };
}

// ---------- Formatting ----------

const fmt = (x: number) => (Number.isNaN(x) ? "—" : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const fmtR = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "—");

/** The best (lowest-J) baseline that saw every job of the cell. */
function bestBaseline(cells: Map<string, CostStats>): { name: string; s: CostStats } {
    let best = { name: "—", s: { jobs: 0, calls: Number.NaN, lagS: Number.NaN, j: Number.NaN, missed: 0 } as CostStats };
    for (const [name, s] of cells) {
        if (name === OURS || name === BLIND_OPTIMUM || name === AWARE_OPTIMUM || Number.isNaN(s.j)) continue;
        if (Number.isNaN(best.s.j) || s.j < best.s.j) best = { name, s };
    }
    return best;
}

const CELL_HEADER =
    `${"shape".padEnd(15)}${"band".padEnd(10)}${"jobs".padStart(5)}${"ours J".padStart(8)}${"calls".padStart(7)}${"lag".padStart(7)}` +
    `${"opt J".padStart(8)}${"ours÷opt".padStart(10)}${"aware J".padStart(9)}${"ours÷aware".padStart(12)}  ${"best baseline".padEnd(16)}${"J".padStart(7)}${"ours÷best".padStart(11)}`;

function cellRow(shape: string, band: string, cells: Map<string, CostStats>): string {
    const ours = cells.get(OURS)!;
    const opt = cells.get(BLIND_OPTIMUM)!;
    const aware = awareJ(cells);
    const best = bestBaseline(cells);
    return (
        `${shape.padEnd(15)}${band.padEnd(10)}${String(ours.jobs).padStart(5)}${fmt(ours.j).padStart(8)}${fmt(ours.calls).padStart(7)}${fmt(ours.lagS).padStart(7)}` +
        `${fmt(opt.j).padStart(8)}${fmtR(ours.j / opt.j).padStart(10)}${fmt(aware).padStart(9)}${fmtR(ours.j / aware).padStart(12)}  ${best.name.padEnd(16)}${fmt(best.s.j).padStart(7)}${fmtR(ours.j / best.s.j).padStart(11)}`
    );
}

/** The progress-aware optimum's J over a cell, NaN where it is not computed for every job of it. */
function awareJ(cells: Map<string, CostStats>): number {
    return cells.get(AWARE_OPTIMUM)?.j ?? Number.NaN;
}

/** Costs of every waiter over the jobs `pick` selects. */
function cellsOf(costs: Map<string, JobCost[]>, jobs: readonly WorkloadJob[], pick: (job: WorkloadJob) => boolean): Map<string, CostStats> {
    return new Map([...costs].map(([name, list]) => [name, costOf(list, jobs, pick)]));
}

const inBand = (band: (typeof BANDS)[number]) => (job: WorkloadJob) => job.durationMs >= band.fromMs && job.durationMs < band.toMs;

/** Per shape (all bands, then each band), then per band over all shapes, then the whole set. */
function printCells(
    title: string,
    costs: Map<string, JobCost[]>,
    jobs: readonly WorkloadJob[],
    shapes: readonly TraceShape[],
    markdown: string[] | undefined,
): void {
    console.log(`\n${title}\n${CELL_HEADER}\n${"-".repeat(CELL_HEADER.length)}`);
    const emit = (shape: string, band: string, pick: (job: WorkloadJob) => boolean) => {
        const cells = cellsOf(costs, jobs, pick);
        console.log(cellRow(shape, band, cells));
        if (markdown) {
            const ours = cells.get(OURS)!;
            const opt = cells.get(BLIND_OPTIMUM)!;
            const best = bestBaseline(cells);
            const aware = awareJ(cells);
            markdown.push(
                `| ${shape} | ${band} | ${fmt(ours.j)} (${fmt(ours.calls)} calls, ${fmt(ours.lagS)} s) | ${fmt(opt.j)} | ${fmtR(ours.j / opt.j)} | ${fmt(aware)} | ${fmtR(ours.j / aware)} | ${best.name} ${fmt(best.s.j)} | ${fmtR(ours.j / best.s.j)} |`,
            );
        }
    };
    for (const shape of shapes) {
        emit(shape.name, "all", (job) => job.shape === shape);
        for (const band of BANDS) emit("", band.label, (job) => job.shape === shape && inBand(band)(job));
    }
    if (shapes.length > 1) {
        const progress = (job: WorkloadJob) => job.shape.hasProgress;
        if (shapes.some((s) => s.hasProgress) && shapes.some((s) => !s.hasProgress)) emit("with progress", "all", progress);
        for (const band of BANDS) emit("all shapes", band.label, inBand(band));
        emit("all shapes", "all", () => true);
    }
}

/** Every waiter's J over the whole set, with its calls and lag. */
function printWaiters(costs: Map<string, JobCost[]>, jobs: readonly WorkloadJob[]): void {
    console.log(`\n${"waiter".padEnd(16)}${"J".padStart(8)}${"calls".padStart(8)}${"lag".padStart(8)}${"missed".padStart(8)}${"ours÷it".padStart(9)}`);
    const ours = costOf(costs.get(OURS)!, jobs, () => true);
    for (const [name, list] of costs) {
        if (name === AWARE_OPTIMUM) continue;
        const s = costOf(list, jobs, () => true);
        console.log(
            `${name.padEnd(16)}${fmt(s.j).padStart(8)}${fmt(s.calls).padStart(8)}${fmt(s.lagS).padStart(8)}${(s.missed ? String(s.missed) : "").padStart(8)}${fmtR(ours.j / s.j).padStart(9)}`,
        );
    }
}

// ---------- Deadline check ----------

/** Jobs that outlive the deadline: ours must make its final check exactly at it. */
async function deadlineCheck(): Promise<{ line: string; ok: boolean }> {
    let atDeadline = 0;
    let runs = 0;
    for (const shape of [noProgress, ...MIX_PROGRESS_SHAPES]) {
        for (const timeoutMs of [300_000, 1_800_000]) {
            for (let run = 0; run < 5; run++) {
                const rng = seededRandom(1_000 * run + timeoutMs / 1000);
                const job = shape.make(2 * timeoutMs, rng);
                const rec = await runLoop((t) => job.at(t), progressAwarePolicy, DEFAULT_BOUNDS, timeoutMs, rng);
                runs++;
                if (rec.outcome === "timeout" && rec.pollTimesMs[rec.pollTimesMs.length - 1] === timeoutMs) atDeadline++;
            }
        }
    }
    return { line: `jobs outliving a 5 min / 30 min deadline: final check exactly at the deadline in ${atDeadline}/${runs}`, ok: atDeadline === runs };
}

// ---------- Main ----------

async function main() {
    const jobsN = numberArg("jobs", 2400);
    const seed = numberArg("seed", 14);
    const markdown = process.argv.includes("--markdown")
        ? [
              "| shape | band | ours J (calls, lag) | blind optimum J | ours ÷ blind | aware optimum J | ours ÷ aware | best baseline J | ours ÷ best |",
              "|---|---|---|---|---|---|---|---|---|",
          ]
        : undefined;
    const started = Date.now();
    // Sanity: the TF-defaults policy through our loop equals the StateChangeConf loop (Delay 0).
    const probe: Probe = (t) => ({ done: t >= 95_000 });
    const viaLoop = await runLoop(probe, POLICY_BASELINES[0].policy, UNBOUNDED, 1e7, Math.random);
    if (JSON.stringify(viaLoop.pollTimesMs) !== JSON.stringify(stateChangeConf({ delayMs: 0 })(probe, 1e7, Math.random).pollTimesMs)) {
        throw new Error("tf-sdk-default policy disagrees with StateChangeConf");
    }

    const prior = DEFAULT_DURATION_PRIOR;
    const opt = blindOptimum(prior);
    console.log(`Policy benchmark — J = lag (s) + ${CALL_COST_MS / 1000} s × calls per job; ${jobsN} jobs, seed ${seed}.`);
    console.log(
        `Durations log-uniform ${prior.lowMs / 1000} s – ${prior.highMs / 3_600_000} h from the first poll; ${NO_PROGRESS_SHARE * 100} % without progress, the rest ${MIX_PROGRESS_SHAPES.map((s) => s.name).join(", ")}.`,
    );
    console.log(
        `ours = the default policy through pollUntilTerminal (bounds ${DEFAULT_BOUNDS.minIntervalMs / 1000}–${DEFAULT_BOUNDS.maxIntervalMs / 1000} s); blind-optimum = the exact DP schedule for the prior (E[J] = ${fmt(opt.expectedJ)} s); deadline ${deadlineOf(prior) / 3_600_000} h.`,
    );
    const firstLooks = opt.timesMs
        .slice(1, 5)
        .map((t) => `${(t / 1000).toFixed(1)} s`)
        .join(", ");
    console.log(
        `The blind optimum's first looks: ${firstLooks}, … (no job of the prior ends before ${prior.lowMs / 1000} s; looking sooner costs more E[J] than the short jobs' lag it saves).`,
    );
    console.log(
        `opt J = the blind optimum's J on the same jobs; aware J = the progress-aware optimum (bench/oracle.ts: knows the shape's law, sees progress continuously), where computed — a lower bound for any waiter; best baseline = the lowest-J baseline that saw every job of the cell.`,
    );
    for (const s of MIX_PROGRESS_SHAPES) console.log(`  ${s.name.padEnd(14)} ${s.description}`);

    const jobs = workload(prior, jobsN, seed);
    const costs = await replay(jobs, prior);
    printCells("Mixed workload:", costs, jobs, [noProgress, ...MIX_PROGRESS_SHAPES], markdown);
    printWaiters(costs, jobs);

    const v = awareValidation(jobs, prior);
    console.log(
        `\nProgress-aware optimum (milestones, ${v.jobs} jobs): E[J | seen] ${fmt(v.expectedS)} s, J realised on the jobs' ends ${fmt(v.realisedS)} ± ${fmt(2 * v.realisedSE)} s (2 SE); the law's CDF at the true ends: Kolmogorov–Smirnov D = ${v.ks.toFixed(3)} (5 % critical ${(1.36 / Math.sqrt(v.jobs)).toFixed(3)}). A waiter that makes the blind optimum's looks while progress reads 0 % (ours does, jittered) pays at least ${fmt(v.zeroBlindS)} s there: the blind schedule's calls until it sees the first milestone, then the oracle's cost (${fmtR(v.zeroBlindS / v.blindS)} × the blind optimum's ${fmt(v.blindS)} s on these jobs). A waiter that knows the shape's law (bench/milestone-waiter.ts) pays ${fmt(v.lawAwareS)} s (${fmtR(v.lawAwareS / v.blindS)} ×), so the optimum is at most that; the same waiter with the blind looks at 0 % pays ${fmt(v.lawAwareBlindZeroS)} s (${fmtR(v.lawAwareBlindZeroS / v.blindS)} ×), and with its two gaps tuned on these very jobs (the best of ${v.lawAwareBlindZeroGrid.length} pairs, ${STAGE_GAP_GRID.nextIsLast.join("/")} × ${STAGE_GAP_GRID.further.join("/")} of a stage, so an optimistic figure) ${fmt(v.lawAwareBlindZeroTuned.s)} s (${fmtR(v.lawAwareBlindZeroTuned.s / v.blindS)} ×, gaps ${v.lawAwareBlindZeroTuned.gaps.nextIsLast} and ${v.lawAwareBlindZeroTuned.gaps.further}).`,
    );

    const heldSeed = workload(prior, Math.round(jobsN / 2), seed + 1_000);
    const heldSeedCosts = await replay(heldSeed, prior);
    printCells(`Held-out seed (${seed + 1_000}, ${heldSeed.length} jobs), whole mix only:`, heldSeedCosts, heldSeed, [], undefined);
    console.log(
        cellRow(
            "all shapes",
            "all",
            cellsOf(heldSeedCosts, heldSeed, () => true),
        ),
    );

    const perHeldShape = Math.max(HELD_OUT_SHAPES.length, Math.round(jobsN / 8));
    const held = workload(prior, perHeldShape * 2, seed + 2_000, HELD_OUT_SHAPES);
    const heldCosts = await replay(held, prior, [OURS, BLIND_OPTIMUM]);
    console.log(`\nHeld-out shapes (never in the mix; ${held.length} jobs, durations from the prior), ours against the blind optimum:`);
    console.log(
        `${"shape".padEnd(18)}${"jobs".padStart(5)}${"ours J".padStart(8)}${"calls".padStart(7)}${"lag".padStart(7)}${"opt J".padStart(8)}${"ours÷opt".padStart(10)}`,
    );
    for (const shape of HELD_OUT_SHAPES) {
        const ours = costOf(heldCosts.get(OURS)!, held, (j) => j.shape === shape);
        const o = costOf(heldCosts.get(BLIND_OPTIMUM)!, held, (j) => j.shape === shape);
        console.log(
            `${shape.name.padEnd(18)}${String(ours.jobs).padStart(5)}${fmt(ours.j).padStart(8)}${fmt(ours.calls).padStart(7)}${fmt(ours.lagS).padStart(7)}${fmt(o.j).padStart(8)}${fmtR(ours.j / o.j).padStart(10)}`,
        );
    }

    const silent = await silentEarlyEnd(prior, Math.max(20, Math.round(jobsN / 12)), seed + 4_000);
    console.log(
        `\nWorst silent early end (${silent.jobs} linear jobs; each ends, progress still linear, where ours loses most to the blind optimum): ours J ${fmt(silent.oursS)}, blind optimum ${fmt(silent.blindS)}, ours÷opt ${fmtR(silent.oursS / silent.blindS)}. A waiter that no such end makes worse than the blind optimum pays at least ${fmt(silent.floorS)} s on these linear jobs (${fmtR(silent.floorS / silent.blindLinearS)} × the blind optimum's ${fmt(silent.blindLinearS)} s; bench/README.md).`,
    );

    const priorShapes = [noProgress, ...MIX_PROGRESS_SHAPES];
    const perPriorShape = Math.max(20, Math.round(jobsN / 24));
    const columnOf = (shape: TraceShape) => Math.max(shape.name.length + 2, 8);
    console.log(
        `\nHeld-out priors (the blind optimum is recomputed for each prior; ours keeps its own, then is told the prior's range by shortestJobMs / longestJobMs; no progress ${Math.round(jobsN / 6)} jobs, each progress shape ${perPriorShape}), ours÷opt:`,
    );
    console.log(`  ${"prior".padEnd(30)}${priorShapes.map((sh) => sh.name.padStart(columnOf(sh))).join("")}`);
    for (const p of HELD_OUT_PRIORS) {
        const [lo, hi] = [p.lowMs, p.highMs];
        const ratios: string[] = [];
        const toldRatios: string[] = [];
        for (const shape of priorShapes) {
            const count = shape === noProgress ? Math.round(jobsN / 6) : perPriorShape;
            const pj = workload(p, count, seed + 3_000 + lo, [shape]);
            const pc = await replay(pj, p, [OURS, BLIND_OPTIMUM]);
            const o = costOf(pc.get(BLIND_OPTIMUM)!, pj, () => true);
            ratios.push(fmtR(costOf(pc.get(OURS)!, pj, () => true).j / o.j).padStart(columnOf(shape)));
            toldRatios.push(fmtR(costOf(await oursTold(pj, p), pj, () => true).j / o.j).padStart(columnOf(shape)));
        }
        console.log(`  ${`log-uniform ${lo / 1000} s – ${hi / 60_000} min`.padEnd(30)}${ratios.join("")}`);
        console.log(`  ${"  told that range".padEnd(30)}${toldRatios.join("")}`);
        const mixJobs = workload(p, Math.round(jobsN / 4), seed + 6_000 + lo);
        const mixCells = cellsOf(await replay(mixJobs, p), mixJobs, () => true);
        const best = bestBaseline(mixCells);
        const oursMix = mixCells.get(OURS)!.j;
        console.log(
            `  ${"  whole mix, default range".padEnd(30)}ours J ${fmt(oursMix)}, ÷ blind optimum ${fmtR(oursMix / mixCells.get(BLIND_OPTIMUM)!.j)}, ÷ best baseline (${best.name} ${fmt(best.s.j)}) ${fmtR(oursMix / best.s.j)} (${mixJobs.length} jobs)`,
        );
    }

    const all = [DEFAULT_DURATION_PRIOR, ...HELD_OUT_PRIORS];
    const bound = blindWorstCaseBound(all, { callCostMs: CALL_COST_MS, ...DEFAULT_BOUNDS });
    console.log(
        `  Every blind schedule pays at least ${bound.lowerBound.toFixed(3)} × the optimum on one of the four priors (the policy's and these): with the ratios weighted ${bound.weights.map((w) => w.toFixed(2)).join(" / ")}, the best schedule for the weighted sum pays ${bound.lowerBound.toFixed(3)} × on average, and none pays less (bench/blind-bound.ts); on each prior that schedule pays ${bound.mixtureRatios.map((r) => r.toFixed(3)).join(" / ")} ×.`,
    );

    console.log(
        `\nOther call costs (ours with callCostMs set, against the blind optimum computed for it, J costed at it; the policy's prior; jobs as for the priors above), ours÷opt:`,
    );
    console.log(`  ${"c".padEnd(30)}${priorShapes.map((sh) => sh.name.padStart(columnOf(sh))).join("")}`);
    for (const callCostMs of OTHER_CALL_COSTS_MS) {
        const ratios: string[] = [];
        for (const shape of priorShapes) {
            const pj = workload(prior, shape === noProgress ? Math.round(jobsN / 6) : perPriorShape, seed + 5_000 + callCostMs, [shape]);
            ratios.push(fmtR(await ratioAtCallCost(pj, prior, callCostMs)).padStart(columnOf(shape)));
        }
        console.log(`  ${`${callCostMs / 1000} s`.padEnd(30)}${ratios.join("")}`);
    }

    const dl = await deadlineCheck();
    console.log(`\nDeadline: ${dl.line}.`);
    if (markdown) console.log(`\n${markdown.join("\n")}`);
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (!dl.ok) process.exitCode = 1;
}

if (require.main === module) {
    main().catch((error) => {
        console.error(error);
        process.exitCode = 2;
    });
}
