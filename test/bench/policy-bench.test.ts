/**
 * Smoke test of the policy benchmark's machinery (the benchmark itself runs with `npm run bench`):
 * a few jobs of the mixed workload through ours and the blind optimum, every one seen ending.
 */
import { expect } from "chai";
import { BLIND_OPTIMUM, OURS, blindOptimum, costOf, replay, silentEarlyEnd, workload } from "../../bench/policy-bench";
import { noProgress } from "../../bench/traces";
import { DEFAULT_DURATION_PRIOR } from "../../provider/polling/policy";

describe("bench: policy benchmark smoke test", () => {
    it("replays a small mixed workload: every job seen ending, J = lag + calls", async () => {
        const jobs = workload(DEFAULT_DURATION_PRIOR, 24, 7);
        expect(new Set(jobs.map((j) => j.shape.hasProgress)).size, "jobs with and without progress").to.equal(2);
        const costs = await replay(jobs, DEFAULT_DURATION_PRIOR, [OURS, BLIND_OPTIMUM]);
        for (const name of [OURS, BLIND_OPTIMUM]) {
            const s = costOf(costs.get(name)!, jobs, () => true);
            expect(s.missed, name).to.equal(0);
            expect(s.calls, name).to.be.at.least(2);
            expect(s.lagS, name).to.be.at.least(0);
            expect(s.j, name).to.be.closeTo(s.lagS + s.calls, 1e-9);
        }
    });

    it("the blind optimum's expected J is the DP's, and the jobs it replays agree with it on average", async () => {
        const opt = blindOptimum(DEFAULT_DURATION_PRIOR);
        expect(opt.expectedJ).to.be.within(40, 80);
        const jobs = workload(DEFAULT_DURATION_PRIOR, 300, 11, [noProgress]);
        const s = costOf((await replay(jobs, DEFAULT_DURATION_PRIOR, [BLIND_OPTIMUM])).get(BLIND_OPTIMUM)!, jobs, () => true);
        expect(s.j / opt.expectedJ).to.be.within(0.85, 1.15);
    });

    it("the worst silent early end: ours, which skips blind looks on linear jobs, loses there; a waiter that may not lose pays at least the blind looks before the end", async () => {
        const s = await silentEarlyEnd(DEFAULT_DURATION_PRIOR, 12, 5);
        expect(s.jobs).to.equal(12);
        expect(s.oursS, "the adversary's end costs ours more than the blind optimum").to.be.above(2 * s.blindS);
        // The floor counts the blind looks before the end, about half of what the blind optimum
        // pays (the rest is its lag); counting every look, or none, would leave this range.
        expect(s.floorS / s.blindLinearS).to.be.within(0.35, 0.7);
    });
});
