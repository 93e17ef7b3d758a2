/**
 * The progress-aware optimum of the milestones shape (bench/oracle.ts) rests on a closed-form
 * conditional law of the last stage. If that law were wrong, the E[J] the DP reports would not be
 * the J its schedules realise on the jobs' true ends, and the law's CDF at those ends would not be
 * uniform. Both are checked on jobs drawn from the workload, and the grid is shown fine enough.
 */
import { expect } from "chai";
import { OURS, awareValidation, costOf, lawAwareJ, replay, workload } from "../../bench/policy-bench";
import { DEFAULT_STAGE_GAPS, STAGE_GAP_GRID } from "../../bench/milestone-waiter";
import { milestoneOracle } from "../../bench/oracle";
import { stageMilestones } from "../../bench/traces";
import { DEFAULT_BOUNDS, DEFAULT_DURATION_PRIOR } from "../../provider/polling/policy";

describe("bench: the progress-aware optimum of the milestones shape", () => {
    const jobs = workload(DEFAULT_DURATION_PRIOR, 400, 21, [stageMilestones]);
    let v: ReturnType<typeof awareValidation>;
    before(function () {
        this.timeout(120_000);
        v = awareValidation(jobs, DEFAULT_DURATION_PRIOR);
    });

    it("its expected J is the J its schedules realise (within 3 standard errors), and its law's CDF at the true ends is uniform (KS at 1 %)", () => {
        expect(v.jobs).to.equal(400);
        expect(Math.abs(v.realisedS - v.expectedS), `realised ${v.realisedS} vs expected ${v.expectedS}`).to.be.below(3 * v.realisedSE);
        expect(v.ks).to.be.below(1.63 / Math.sqrt(v.jobs));
    });

    it("the bound for waiters that treat 0 % as no information lies between the oracle's and the blind optimum's J, and ours (such a waiter) pays at least it", async () => {
        expect(v.zeroBlindS).to.be.above(v.expectedS);
        expect(v.zeroBlindS).to.be.below(v.blindS);
        const ours = costOf((await replay(jobs, DEFAULT_DURATION_PRIOR, [OURS])).get(OURS)!, jobs, () => true);
        expect(ours.missed).to.equal(0);
        expect(ours.j, `ours ${ours.j} s against the bound ${v.zeroBlindS} s`).to.be.above(v.zeroBlindS);
    });

    it("the waiter that knows the law pays no less than the bounds its play falls under, and less than the blind optimum", () => {
        // Every waiter pays at least the free-observation oracle; with the blind looks at 0 % it
        // is exactly in the class of the tighter bound, which it must then pay at least too.
        expect(v.lawAwareS).to.be.above(v.expectedS);
        expect(v.lawAwareBlindZeroS).to.be.above(v.zeroBlindS);
        expect(v.lawAwareS).to.be.below(v.blindS);
    });

    it("with the blind looks at 0 %, the law-aware waiter's tuned gaps are the grid's best: no pair of the grid pays less, the default pair is on it, and the class bound still holds", () => {
        const { s, gaps } = v.lawAwareBlindZeroTuned;
        const pairs = v.lawAwareBlindZeroGrid.map((x) => `${x.gaps.nextIsLast}/${x.gaps.further}`);
        expect(new Set(pairs).size).to.equal(STAGE_GAP_GRID.nextIsLast.length * STAGE_GAP_GRID.further.length);
        expect(lawAwareJ(jobs, DEFAULT_DURATION_PRIOR, "blind", DEFAULT_STAGE_GAPS), "the default pair, replayed on its own").to.equal(v.lawAwareBlindZeroS);
        for (const x of v.lawAwareBlindZeroGrid) expect(x.s, `${x.gaps.nextIsLast}/${x.gaps.further}`).to.be.at.least(s);
        expect(s).to.be.above(v.zeroBlindS);
        // Replayed on its own, the tuned pair pays what the grid says.
        expect(lawAwareJ(jobs, DEFAULT_DURATION_PRIOR, "blind", gaps)).to.equal(s);
    });

    it("halving every grid step changes its E[J] by less than 0.3 %", () => {
        let coarse = 0;
        let fine = 0;
        for (const job of jobs.slice(0, 40)) {
            coarse += milestoneOracle(job.probe, job.durationMs, DEFAULT_DURATION_PRIOR, 1_000, DEFAULT_BOUNDS.maxIntervalMs).expectedMs;
            fine += milestoneOracle(job.probe, job.durationMs, DEFAULT_DURATION_PRIOR, 1_000, DEFAULT_BOUNDS.maxIntervalMs, 0.0025).expectedMs;
        }
        expect(Math.abs(coarse / fine - 1)).to.be.below(0.003);
    });
});
