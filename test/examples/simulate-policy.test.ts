import { expect } from "chai";
import { linearJob, replay } from "../../examples/simulate-policy";
import { DEFAULT_BOUNDS, DEFAULT_DURATION_PRIOR, DEFAULT_TUNING } from "../../provider/polling/policy";
import { optimalSchedule } from "../../provider/polling/schedule";
import { mulberry32 } from "../../provider/testing/emulator/support";

const MIN = 60_000;

describe("examples/simulate-policy: replaying traces through the public loop and policy", () => {
    it("a 30 min linear job is seen done within 15 s, with fewer than a fifth of a 10 s poll's calls", async () => {
        for (let seed = 1; seed <= 20; seed++) {
            const r = await replay(linearJob(30 * MIN), 60 * MIN, { random: mulberry32(seed) });
            const last = r.pollTimesMs[r.pollTimesMs.length - 1];
            expect(r.outcome).to.equal("succeeded");
            expect(last - 30 * MIN, `seed ${seed}: lag`).to.be.within(0, 15_000);
            expect(r.pollTimesMs.length, `seed ${seed}: calls`).to.be.at.most(181 / 5);
        }
    });

    it("a job that outlives the deadline gets its last check exactly at the deadline, not just before it", async () => {
        for (let seed = 1; seed <= 20; seed++) {
            const r = await replay(linearJob(120 * MIN), 60 * MIN, { random: mulberry32(seed) });
            const n = r.pollTimesMs.length;
            expect(r.outcome).to.equal("timeout");
            expect(r.pollTimesMs[n - 1]).to.equal(60 * MIN);
            expect(r.pollTimesMs[n - 1] - r.pollTimesMs[n - 2], `seed ${seed}: the check before the final one`).to.be.at.least(1_000);
        }
    });

    it("without a progress field the looks thin out as the job runs on, no gap beyond the blind schedule's longest (±20 % jitter)", async () => {
        const r = await replay((t) => (t >= 30 * MIN ? "done" : undefined), 60 * MIN, { random: mulberry32(3) });
        const gaps = r.pollTimesMs.slice(1).map((t, i) => t - r.pollTimesMs[i]);
        const longest = Math.max(
            ...optimalSchedule(DEFAULT_DURATION_PRIOR, { callCostMs: DEFAULT_TUNING.callCostMs, ...DEFAULT_BOUNDS }).timesMs.map((t, i, all) =>
                i === 0 ? 0 : t - all[i - 1],
            ),
        );
        expect(r.outcome).to.equal("succeeded");
        expect(gaps[0]).to.be.below(gaps[gaps.length - 1]);
        expect(Math.max(...gaps)).to.be.at.most(1.2 * longest + 1e-6); // times are float sums of delays
    });

    it("the user's bounds win", async () => {
        const bounds = { minIntervalMs: 20_000, maxIntervalMs: 45_000 };
        const r = await replay(linearJob(30 * MIN), 60 * MIN, { bounds, random: mulberry32(4) });
        const gaps = r.pollTimesMs.slice(1).map((t, i) => t - r.pollTimesMs[i]);
        expect(Math.min(...gaps)).to.be.at.least(20_000);
        expect(Math.max(...gaps)).to.be.at.most(45_000 + 1e-6); // times are float sums of delays
    });
});
