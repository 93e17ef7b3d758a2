/**
 * The process-wide request budget against the emulator: a congested budget never keeps a wait
 * past its deadline plus one request timeout, and the endpoint never sees more than
 * burst + rate requests in any one-second window, even when the caller blocks its event loop;
 * a wait that has ended (whichever way) no longer holds the endpoint to its rate; a poll that
 * finds no request slot in time is a NoRequestSlotError and is not counted as a request, even
 * when another look of the job was cancelled just before, nor is one cancelled while it waits; a step of the wall clock moves no
 * deadline.
 */
import { expect } from "chai";
import { JobCancelledError, JobTimeoutError, NoRequestSlotError } from "../../provider/errors";
import { resetBudgets } from "../../provider/polling/budget";
import { JobApiEmulator } from "../../provider/testing/emulator";
import { getJobStatus, waitForJob, WaitForJobOptions } from "../../provider/waiter";

const AK = "BUDGETTESTAK00000001";
const SK = "budget-test-secret-key-0001";
const PROJECT = "05f2cff45100d5112f4bc00b794ea08e";

/** The most timestamps that fall in any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
    const ts = [...times].sort((a, b) => a - b);
    let best = 0;
    for (let lo = 0, hi = 0; hi < ts.length; hi++) {
        while (ts[hi] - ts[lo] >= windowMs) lo++;
        best = Math.max(best, hi - lo + 1);
    }
    return best;
}

describe("request budget against the emulator", function () {
    this.timeout(30_000);
    let emu: JobApiEmulator;
    beforeEach(async () => {
        resetBudgets();
        emu = await JobApiEmulator.start({ accessKeys: { [AK]: SK } });
    });
    afterEach(async () => emu.close());

    const options = (jobId: string, extra: Partial<WaitForJobOptions>): WaitForJobOptions => ({
        service: "dws",
        jobId,
        projectId: PROJECT,
        endpoint: emu.endpoint,
        allowInsecureLoopback: true,
        accessKey: AK,
        secretKey: SK,
        env: {},
        ...extra,
    });
    const endless = () => emu.defineJob({ service: "dws", projectId: PROJECT, durationMs: 3_600_000, outcome: "succeeded", progress: "none" });

    it("a wait that ended, however it ended, no longer holds the endpoint to its rate", async () => {
        const slow = { maxRequestsPerSecond: 1 };
        const timedOut = await waitForJob(options(endless(), { ...slow, timeoutSeconds: 0.5, minPollIntervalSeconds: 0.1 })).catch((e: Error) => e);
        expect((timedOut as Error).name).to.equal("JobTimeoutError");
        await getJobStatus(options(endless(), slow));
        const failed = emu.defineJob({ service: "dws", projectId: PROJECT, durationMs: 0, outcome: "failed", progress: "none" });
        expect(((await waitForJob(options(failed, slow)).catch((e: Error) => e)) as Error).name).to.equal("JobFailedError");

        // Held at 1/s, 10 more requests would take 9 s or more; at their own 100/s about 0.1 s.
        const started = Date.now();
        await Promise.all(Array.from({ length: 10 }, () => getJobStatus(options(endless(), { maxRequestsPerSecond: 100 }))));
        expect(Date.now() - started, "ms for 10 requests at 100/s").to.be.below(2_000);
    });

    it("a wait queued behind a congested budget still ends by its deadline plus one request timeout", async () => {
        const jobs = Array.from({ length: 50 }, endless);
        const started = Date.now();
        const ended = await Promise.all(
            jobs.map((jobId) =>
                waitForJob(options(jobId, { timeoutSeconds: 1, requestTimeoutSeconds: 0.5, minPollIntervalSeconds: 0.1, maxPollIntervalSeconds: 0.5 }))
                    .catch((e: Error) => e)
                    .then((e) => ({ error: e as JobTimeoutError, ms: Date.now() - started })),
            ),
        );
        expect(new Set(ended.map((e) => e.error.name))).to.deep.equal(new Set(["JobTimeoutError"]));
        expect(Math.max(...ended.map((e) => e.ms)), "slowest wait, ms").to.be.at.most(1000 + 500 + 150);
        const starved = ended.map((e) => e.error.lastError).filter((e) => e instanceof NoRequestSlotError);
        expect(starved.length, "waiters whose last poll found no request slot").to.be.above(0);
        expect(starved[0]).to.include({ code: "NO_REQUEST_SLOT", origin: emu.endpoint, maxRequestsPerSecond: 10 });
        expect(starved[0]).to.not.have.property("httpStatus");
        const counted = jobs.map((jobId, i) => [ended[i].error.polls, emu.requestCount(jobId)]);
        expect(
            counted.filter(([polls, sent]) => polls !== sent),
            "polls counts the requests sent, not the polls that found no slot",
        ).to.deep.equal([]);
    });

    it("a look that starts as another look of the same job is cancelled still knows it was never sent", async () => {
        const rate = { maxRequestsPerSecond: 0.5, requestTimeoutSeconds: 0.5 };
        await getJobStatus(options(endless(), rate)); // the one token: the next slot comes in 2 s
        const jobId = endless();
        const cancelled = new AbortController();
        const first = getJobStatus(options(jobId, { ...rate, requestTimeoutSeconds: 5, signal: cancelled.signal })).catch((e: Error) => e);
        await new Promise((r) => setTimeout(r, 50));
        cancelled.abort(new Error("replaced"));
        const second = await getJobStatus(options(jobId, rate)).catch((e: Error) => e);
        expect(await first)
            .to.be.instanceOf(JobCancelledError)
            .and.include({ polls: 0 });
        expect(second, "still queued at its hard stop: no slot, not a request timeout").to.be.instanceOf(NoRequestSlotError);
        expect(emu.requestCount(jobId)).to.equal(0);
    });

    it("a wait cancelled while its poll waits for a request slot counts only the requests sent", async () => {
        const rate = { maxRequestsPerSecond: 0.5, requestTimeoutSeconds: 5 };
        const jobId = endless();
        const cancelled = new AbortController();
        const wait = waitForJob(options(jobId, { ...rate, minPollIntervalSeconds: 0.1, maxPollIntervalSeconds: 0.2, signal: cancelled.signal })).catch(
            (e: Error) => e,
        );
        // The first poll takes the one token; the second waits 2 s for the next.
        await new Promise((r) => setTimeout(r, 500));
        cancelled.abort(new Error("stop"));
        const err = await wait;
        expect(err).to.be.instanceOf(JobCancelledError);
        expect(emu.requestCount(jobId)).to.equal(1);
        expect((err as JobCancelledError).polls, "requests sent").to.equal(1);
    });

    it("a step back of the wall clock neither stretches a wait nor starves the budget", async () => {
        const wallClock = Date.now;
        const realStart = performance.now();
        // NTP steps the wall clock back by 3 s, 0.3 s into the wait.
        Date.now = () => wallClock.call(Date) - (performance.now() - realStart > 300 ? 3_000 : 0);
        try {
            const wait = { timeoutSeconds: 1, requestTimeoutSeconds: 0.5, minPollIntervalSeconds: 0.2, maxPollIntervalSeconds: 0.2 };
            const timedOut = await waitForJob(options(endless(), wait)).catch((e: Error) => e);
            expect(timedOut).to.be.instanceOf(JobTimeoutError);
            expect(performance.now() - realStart, "the deadline plus one request timeout, in real time").to.be.below(1_000 + 500 + 300);
            const looks = await Promise.all(
                Array.from({ length: 3 }, () =>
                    getJobStatus(options(endless(), { maxRequestsPerSecond: 10, requestTimeoutSeconds: 2 })).catch((e: Error) => e),
                ),
            );
            expect(
                looks.map((look) => (look as { state?: string }).state),
                "a budget on the wall clock adds no token for 3 s",
            ).to.deep.equal(["running", "running", "running"]);
        } finally {
            Date.now = wallClock;
        }
    });

    it("a single look that finds no request slot in time is a NoRequestSlotError, not an HTTP error", async () => {
        const looks = await Promise.all(
            Array.from({ length: 5 }, () => getJobStatus(options(endless(), { maxRequestsPerSecond: 1, requestTimeoutSeconds: 0.5 })).catch((e: Error) => e)),
        );
        const refused = looks.filter((look) => look instanceof NoRequestSlotError);
        expect(refused.length, "looks that found no slot within one request timeout").to.be.at.least(3);
        expect((refused[0] as NoRequestSlotError).message).to.match(/^No request for job .* could be sent before the deadline: .*maxRequestsPerSecond=1/);
    });

    it("the endpoint sees at most burst + rate requests in any second, even after the caller blocks its event loop", async () => {
        const jobs = Array.from({ length: 30 }, endless);
        const all = Promise.all(
            jobs.map((jobId) =>
                waitForJob(options(jobId, { timeoutSeconds: 3, requestTimeoutSeconds: 0.5, minPollIntervalSeconds: 0.01, maxPollIntervalSeconds: 0.05 })).catch(
                    () => undefined,
                ),
            ),
        );
        const until = Date.now() + 500;
        while (Date.now() < until) {
            // The caller keeps the thread busy, as starting a thousand waiters synchronously does.
        }
        await all;
        const arrivals = emu.requests.map((r) => r.at);
        expect(arrivals.length).to.be.above(20);
        expect(maxInWindow(arrivals, 1000), "default budget: burst 1 + 10/s").to.be.at.most(11);
    });
});
