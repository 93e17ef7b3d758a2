/**
 * The polling loop under a virtual clock: terminal outcomes, the deadline's final check,
 * error classes, the 404 grace window, cancellation (a poll stopped before its request went out
 * is not counted), and what the policy and onRetry are told.
 */
import { expect } from "chai";
import { JobApiError, JobCancelledError, JobFailedError, JobTimeoutError } from "../../../provider/errors";
import { VirtualClock } from "../../../provider/polling/clock";
import { PollNotSent, pollUntilTerminal, PollOutcome, RetryUpdate, StatusUpdate } from "../../../provider/polling/loop";
import type { PollObservation, PollPolicy } from "../../../provider/polling/policy";
import type { JobState, JobStatus } from "../../../provider/services/types";

function status(state: JobState, progress?: number): PollOutcome {
    const s: JobStatus = { service: "dws", jobId: "j", state, status: state.toUpperCase(), statusRecognised: true };
    if (progress !== undefined) s.progress = progress;
    return { kind: "status", status: s };
}
const transient = (retryAfterMs?: number): PollOutcome => ({ kind: "transient", error: new Error("503"), retryAfterMs });
const notFound = (): PollOutcome => ({
    kind: "notFound",
    error: new JobApiError({ jobId: "j", httpStatus: 404, errorCode: "DWS.0001", errorMsg: "no job", hint: "check" }),
});

/** A script of outcomes by call index; the last one repeats. Records when each call happened. */
function script(clock: VirtualClock, outcomes: PollOutcome[]) {
    const calls: number[] = [];
    const fetchOnce = async () => {
        calls.push(clock.now());
        return outcomes[Math.min(calls.length - 1, outcomes.length - 1)];
    };
    return { fetchOnce, calls };
}

const every =
    (ms: number): PollPolicy =>
    () =>
        ms;

describe("polling loop", () => {
    it("returns the succeeded status with polls and elapsed time", async () => {
        const clock = new VirtualClock();
        const { fetchOnce, calls } = script(clock, [status("running", 10), status("running", 50), status("succeeded", 100)]);
        const r = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, clock, policy: every(1000) });
        expect(r.status.state).to.equal("succeeded");
        expect(r.polls).to.equal(3);
        expect(r.elapsedMs).to.equal(2000);
        expect(calls).to.deep.equal([0, 1000, 2000]);
    });

    it("rejects with JobFailedError carrying the failure fields and poll count", async () => {
        const clock = new VirtualClock();
        const failed = status("failed") as { kind: "status"; status: JobStatus };
        failed.status.failedCode = "DWS.0114";
        failed.status.failedDetail = "ELB private IP is not configured.";
        const { fetchOnce } = script(clock, [status("running"), failed]);
        const err = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, clock, policy: every(5) }).catch((e) => e);
        expect(err).to.be.instanceOf(JobFailedError);
        expect(err.code).to.equal("JOB_FAILED");
        expect(err.failedCode).to.equal("DWS.0114");
        expect(err.polls).to.equal(2);
        expect(err.message).to.contain("DWS.0114: ELB private IP is not configured.");
    });

    it("makes its final check exactly at the deadline, then times out", async () => {
        const clock = new VirtualClock();
        const { fetchOnce, calls } = script(clock, [status("running", 5)]);
        const err = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 10_000, clock, policy: every(3000) }).catch((e) => e);
        expect(err).to.be.instanceOf(JobTimeoutError);
        expect(calls).to.deep.equal([0, 3000, 6000, 9000, 10_000]);
        expect(err.polls).to.equal(5);
        expect(err.elapsedMs).to.equal(10_000);
        expect(err.lastStatus.progress).to.equal(5);
        expect(err.message).to.match(/timeoutSeconds=10.*5 poll\(s\).*at 5%/);
    });

    it("a timeout says why the last poll read nothing, and forgets it once a status was read", async () => {
        const dns: PollOutcome = { kind: "transient", error: new Error("getaddrinfo ENOTFOUND dws.cn-nort-4.myhuaweicloud.com") };
        const failing = await pollUntilTerminal(script(new VirtualClock(), [dns]).fetchOnce, {
            jobId: "j",
            timeoutMs: 3_000,
            clock: new VirtualClock(),
            policy: every(1000),
        }).catch((e) => e);
        expect(failing).to.be.instanceOf(JobTimeoutError);
        expect(failing.lastError.message).to.contain("ENOTFOUND");
        expect(failing.message).to.match(/no status was ever read\. The last poll failed: getaddrinfo ENOTFOUND dws\.cn-nort-4/);

        const clock = new VirtualClock();
        const recovered = await pollUntilTerminal(script(clock, [dns, status("running", 7)]).fetchOnce, {
            jobId: "j",
            timeoutMs: 3_000,
            clock,
            policy: every(1000),
        }).catch((e) => e);
        expect(recovered.lastError).to.equal(undefined);
        expect(recovered.message).to.not.contain("failed");
    });

    for (const [what, value] of [
        ["NaN", Number.NaN],
        ["a negative number", -1],
        ["-Infinity", Number.NEGATIVE_INFINITY],
        ["undefined", undefined],
        ["a string", "500"],
    ] as const) {
        it(`a custom policy returning ${what} counts as the minimum interval: no spin, no flood`, async () => {
            const clock = new VirtualClock();
            const { fetchOnce, calls } = script(clock, [status("running")]);
            const bounds = { minIntervalMs: 1000, maxIntervalMs: 5000 };
            const policy = (() => value) as unknown as PollPolicy;
            const err = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 5_000, clock, bounds, policy }).catch((e) => e);
            expect(err).to.be.instanceOf(JobTimeoutError);
            expect(calls).to.deep.equal([0, 1000, 2000, 3000, 4000, 5000]);
        });
    }

    it("a custom policy returning Infinity waits for the final check at the deadline", async () => {
        const clock = new VirtualClock();
        const { fetchOnce, calls } = script(clock, [status("running")]);
        const err = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 5_000, clock, policy: every(Number.POSITIVE_INFINITY) }).catch((e) => e);
        expect(err).to.be.instanceOf(JobTimeoutError);
        expect(calls).to.deep.equal([0, 5000]);
    });

    it("the system clock never wakes before the time asked: the final check is not made early and repeated", async () => {
        const { systemClock } = await import("../../../provider/polling/clock");
        for (let i = 0; i < 30; i++) {
            const ms = 3 + (i % 7);
            const started = Date.now();
            await systemClock.sleep(ms);
            expect(Date.now() - started, `sleep(${ms})`).to.be.at.least(ms);
        }
    });

    it("succeeds when the job finishes exactly at the deadline check", async () => {
        const clock = new VirtualClock();
        const fetchOnce = async () => (clock.now() >= 10_000 ? status("succeeded") : status("running"));
        const r = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 10_000, clock, policy: every(7000) });
        expect(r.elapsedMs).to.equal(10_000);
        expect(r.polls).to.equal(3);
    });

    it("retries transient and throttled outcomes and tells the policy", async () => {
        const clock = new VirtualClock();
        const seen: PollObservation[] = [];
        const policy: PollPolicy = (obs) => {
            seen.push({ ...obs, samples: [...obs.samples] });
            return 100;
        };
        const { fetchOnce } = script(clock, [
            status("running", 20),
            transient(),
            { kind: "throttled", error: new Error("429"), retryAfterMs: 2500 },
            status("running", 40),
            status("succeeded", 100),
        ]);
        const r = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, clock, policy });
        expect(r.polls).to.equal(5);
        expect(seen.map((o) => o.lastOutcome)).to.deep.equal(["status", "transient", "throttled", "status"]);
        expect(seen.map((o) => o.consecutiveErrors)).to.deep.equal([0, 1, 2, 0]);
        expect(seen[2].retryAfterMs).to.equal(2500);
        expect(seen[3].samples).to.deep.equal([
            { atMs: 0, progress: 20 },
            { atMs: 300, progress: 40 },
        ]);
        expect(seen.every((o) => o.timeoutMs === 60_000)).to.equal(true);
    });

    it("fails at once on a permanent outcome, without retrying", async () => {
        const clock = new VirtualClock();
        const denied = new JobApiError({
            jobId: "j",
            httpStatus: 403,
            errorCode: "DWS.0003",
            errorMsg: "denied",
            requestId: "req-1",
            hint: "check permissions",
        });
        const { fetchOnce, calls } = script(clock, [{ kind: "permanent", error: denied }]);
        const err = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, clock, policy: every(10) }).catch((e) => e);
        expect(err).to.equal(denied);
        expect(calls).to.have.length(1);
    });

    it("tolerates 404 within the grace window and fails after it", async () => {
        const clock = new VirtualClock();
        const { fetchOnce, calls } = script(clock, [notFound(), notFound(), status("succeeded")]);
        const r = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, clock, policy: every(1000), notFoundGraceMs: 5000 });
        expect(r.polls).to.equal(3);
        expect(calls).to.deep.equal([0, 1000, 2000]);

        const clock2 = new VirtualClock();
        const s2 = script(clock2, [notFound()]);
        const err = await pollUntilTerminal(s2.fetchOnce, { jobId: "j", timeoutMs: 60_000, clock: clock2, policy: every(1000), notFoundGraceMs: 2500 }).catch(
            (e) => e,
        );
        expect(err).to.be.instanceOf(JobApiError);
        expect(err.httpStatus).to.equal(404);
        expect(s2.calls).to.deep.equal([0, 1000, 2000, 3000]);
    });

    it("a host name that does not resolve fails the wait after the grace window, unless a status was read before", async () => {
        const unresolved: PollOutcome = {
            kind: "transient",
            hostNotFound: true,
            error: new JobApiError({
                jobId: "j",
                networkCode: "ENOTFOUND",
                networkMessage: "getaddrinfo ENOTFOUND dws.cn-nort-4.myhuaweicloud.com",
                hint: "check region",
            }),
        };
        const clock = new VirtualClock();
        const never = script(clock, [unresolved]);
        const err = await pollUntilTerminal(never.fetchOnce, { jobId: "j", timeoutMs: 3_600_000, clock, policy: every(1000), notFoundGraceMs: 2500 }).catch(
            (e) => e,
        );
        expect(err, "the poll's own error, not a timeout an hour later").to.equal(unresolved.error);
        expect(never.calls).to.deep.equal([0, 1000, 2000, 3000]);

        const clock2 = new VirtualClock();
        const outage = script(clock2, [status("running", 10), unresolved]);
        const timedOut = await pollUntilTerminal(outage.fetchOnce, {
            jobId: "j",
            timeoutMs: 10_000,
            clock: clock2,
            policy: every(1000),
            notFoundGraceMs: 2500,
        }).catch((e) => e);
        expect(timedOut, "a host that answered before is having a DNS outage: retried until the deadline").to.be.instanceOf(JobTimeoutError);
        expect(timedOut.lastError).to.equal(unresolved.error);
        expect(outage.calls).to.have.length(11);

        const clock3 = new VirtualClock();
        const brief = script(clock3, [unresolved, unresolved, status("succeeded")]);
        const r = await pollUntilTerminal(brief.fetchOnce, { jobId: "j", timeoutMs: 60_000, clock: clock3, policy: every(1000), notFoundGraceMs: 2500 });
        expect(r.polls, "resolving within the grace window").to.equal(3);
    });

    it("stops at once when aborted during a sleep, naming the job", async () => {
        const controller = new AbortController();
        const fetchOnce = async () => status("running", 1);
        // A sleep that ends only by the abort: the wait can end only because the sleep was cut short.
        const sleeps: number[] = [];
        const clock = {
            now: () => 0,
            sleep: (ms: number, signal?: AbortSignal) =>
                new Promise<void>((_, reject) => {
                    sleeps.push(ms);
                    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
                }),
        };
        setTimeout(() => controller.abort(new Error("received SIGINT")), 50);
        const err = await pollUntilTerminal(fetchOnce, { jobId: "job-42", timeoutMs: 60_000, clock, policy: every(30_000), signal: controller.signal }).catch(
            (e) => e,
        );
        expect(sleeps).to.deep.equal([30_000]);
        expect(err).to.be.instanceOf(JobCancelledError);
        expect(err.message).to.match(/job-42.*received SIGINT.*same job ID to resume/);
    });

    it("stops at once when aborted during a request, and passes the signal to it", async () => {
        const controller = new AbortController();
        let sawSignal: AbortSignal | undefined;
        const fetchOnce = (signal: AbortSignal | undefined) =>
            new Promise<PollOutcome>((_, reject) => {
                sawSignal = signal;
                signal?.addEventListener("abort", () => reject(signal.reason));
            });
        setTimeout(() => controller.abort(new Error("stop")), 20);
        const err = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, signal: controller.signal }).catch((e) => e);
        expect(sawSignal).to.equal(controller.signal);
        expect(err).to.be.instanceOf(JobCancelledError);
    });

    it("an outcome read before the signal aborted stands: a hook that aborts on the terminal status does not make it a cancel", async () => {
        for (const [last, expected] of [
            [status("succeeded"), "succeeded"],
            [status("failed"), JobFailedError],
        ] as const) {
            const controller = new AbortController();
            const clock = new VirtualClock();
            const { fetchOnce } = script(clock, [status("running"), last]);
            const onStatus = (u: StatusUpdate) => void (u.state !== "running" && controller.abort(new Error("sibling done")));
            const outcome = await pollUntilTerminal(fetchOnce, {
                jobId: "j",
                timeoutMs: 60_000,
                clock,
                policy: every(1000),
                signal: controller.signal,
                onStatus,
            }).then(
                (r) => r.status.state,
                (e: unknown) => e,
            );
            expect(controller.signal.aborted).to.equal(true);
            if (typeof expected === "string") expect(outcome).to.equal(expected);
            else expect(outcome).to.be.instanceOf(expected);
        }
    });

    it("a signal-like object without throwIfAborted or reason (an older AbortController polyfill) cancels the wait", async () => {
        class LegacySignal extends EventTarget {
            aborted = false;
            abort() {
                this.aborted = true;
                this.dispatchEvent(new Event("abort"));
            }
        }
        const legacy = new LegacySignal();
        const clock = new VirtualClock();
        const { fetchOnce, calls } = script(clock, [status("running")]);
        const policy: PollPolicy = () => {
            if (calls.length === 3) legacy.abort();
            return 1000;
        };
        const signal = legacy as unknown as AbortSignal;
        const err = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, clock, policy, signal }).catch((e) => e);
        expect(err).to.be.instanceOf(JobCancelledError);
        expect(err).to.include({ reason: "aborted", polls: 3 });
    });

    it("does not count a poll the abort stopped before its request went out", async () => {
        const controller = new AbortController();
        const clock = new VirtualClock();
        let calls = 0;
        const fetchOnce = async (signal: AbortSignal | undefined): Promise<PollOutcome> => {
            calls++;
            if (calls < 3) return status("running");
            controller.abort(new Error("stop"));
            throw new PollNotSent(signal?.reason);
        };
        const err = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, clock, policy: every(1000), signal: controller.signal }).catch(
            (e) => e,
        );
        expect(err).to.be.instanceOf(JobCancelledError);
        expect(calls).to.equal(3);
        expect(err.polls, "the two requests sent").to.equal(2);
    });

    it("tells onRetry of every poll that read no status and is retried, with its error, the run length and the time to the next poll", async () => {
        const clock = new VirtualClock();
        const { fetchOnce } = script(clock, [notFound(), status("running"), transient(), transient(), status("succeeded")]);
        const seen: RetryUpdate[] = [];
        const r = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, clock, policy: every(1000), onRetry: (u) => seen.push(u) });
        expect(r.polls).to.equal(5);
        expect(seen.map(({ kind, consecutiveErrors, elapsedMs, nextPollInMs }) => ({ kind, consecutiveErrors, elapsedMs, nextPollInMs }))).to.deep.equal([
            { kind: "notFound", consecutiveErrors: 1, elapsedMs: 0, nextPollInMs: 1000 },
            { kind: "transient", consecutiveErrors: 1, elapsedMs: 2000, nextPollInMs: 1000 },
            { kind: "transient", consecutiveErrors: 2, elapsedMs: 3000, nextPollInMs: 1000 },
        ]);
        expect(seen[1]).to.include({ jobId: "j" });
        expect(seen[1].error.message).to.equal("503");
    });

    it("does not call onRetry for the poll that ends the wait, and ignores one that throws or rejects", async () => {
        const clock = new VirtualClock();
        const { fetchOnce } = script(clock, [transient()]);
        let calls = 0;
        const err = await pollUntilTerminal(fetchOnce, {
            jobId: "j",
            timeoutMs: 2500,
            clock,
            policy: every(1000),
            onRetry: (u) => {
                calls++;
                if (u.consecutiveErrors === 1) throw new Error("hook bug");
                return Promise.reject(new Error("webhook 502"));
            },
        }).catch((e) => e);
        expect(err).to.be.instanceOf(JobTimeoutError);
        expect(err.polls, "0, 1 s, 2 s and the final check at 2.5 s").to.equal(4);
        expect(calls, "the final check's failure ends the wait: no retry to tell of").to.equal(3);
    });

    it("a rejected promise of another realm, or a rejecting thenable, from a hook is handled: no unhandled rejection", async () => {
        const { runInNewContext } = await import("node:vm");
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown) => unhandled.push(reason);
        process.on("unhandledRejection", onUnhandled);
        try {
            const clock = new VirtualClock();
            const { fetchOnce } = script(clock, [transient(), status("running"), status("succeeded")]);
            const foreign = () => runInNewContext('Promise.reject(new Error("webhook 502"))') as Promise<never>;
            const thenable = () => ({ then: (_: unknown, reject: (e: Error) => void) => reject(new Error("thenable 502")) });
            const r = await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 60_000, clock, policy: every(1000), onStatus: foreign, onRetry: thenable });
            expect(r.status.state).to.equal("succeeded");
            await new Promise((resolve) => setImmediate(resolve));
            expect(unhandled).to.deep.equal([]);
        } finally {
            process.off("unhandledRejection", onUnhandled);
        }
    });

    it("ignores a throwing onStatus callback", async () => {
        const clock = new VirtualClock();
        const { fetchOnce } = script(clock, [status("succeeded")]);
        const r = await pollUntilTerminal(fetchOnce, {
            jobId: "j",
            timeoutMs: 1000,
            clock,
            onStatus: () => {
                throw new Error("callback bug");
            },
        });
        expect(r.status.state).to.equal("succeeded");
    });

    it("tells onStatus the forecast remaining time while progress gives one, and never on terminal reads or without progress", async () => {
        const clock = new VirtualClock();
        const { fetchOnce } = script(clock, [0, 10, 20, 30, 40].map((p) => status("running", p)).concat([status("succeeded", 100)]));
        const seen: (number | undefined)[] = [];
        await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 1e6, clock, policy: every(10_000), onStatus: (s) => seen.push(s.estimatedRemainingMs) });
        expect(seen[0], "one sample: no forecast").to.equal(undefined);
        expect(seen[4]).to.be.closeTo(60_000, 15_000); // 40 % after 40 s at 1 %/s
        expect(seen[5], "terminal").to.equal(undefined);
        const blind: (number | undefined)[] = [];
        const none = script(clock, [status("running"), status("running"), status("succeeded")]);
        await pollUntilTerminal(none.fetchOnce, {
            jobId: "j",
            timeoutMs: 1e6,
            clock,
            policy: every(10_000),
            onStatus: (s) => blind.push(s.estimatedRemainingMs),
        });
        expect(blind).to.deep.equal([undefined, undefined, undefined]);
    });

    it("takes the ETA from the policy when it has its own forecast", async () => {
        const clock = new VirtualClock();
        const { fetchOnce } = script(clock, [0, 10, 20].map((p) => status("running", p)).concat([status("succeeded", 100)]));
        const told: [number, number][] = [];
        const policy: PollPolicy = Object.assign(every(10_000), {
            estimateRemainingMs: (samples: readonly unknown[], nowMs: number) => (told.push([samples.length, nowMs]), 42_000),
        });
        const seen: (number | undefined)[] = [];
        await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 1e6, clock, policy, onStatus: (s) => seen.push(s.estimatedRemainingMs) });
        expect(seen).to.deep.equal([42_000, 42_000, 42_000, undefined]);
        expect(told).to.deep.equal([
            [1, 0],
            [2, 10_000],
            [3, 20_000],
        ]);
    });

    it("onStatus cannot change the wait: it gets a copy, its rejected promise or a throwing forecast is ignored, and a bad ETA is dropped", async () => {
        const rejections: unknown[] = [];
        const onUnhandled = (reason: unknown) => rejections.push(reason);
        process.on("unhandledRejection", onUnhandled);
        try {
            const clock = new VirtualClock();
            const { fetchOnce } = script(clock, [status("running", 10), status("running", 20), status("succeeded", 100)]);
            const policy: PollPolicy = Object.assign(every(1000), {
                estimateRemainingMs: (samples: readonly unknown[]) => {
                    if (samples.length === 1) throw new Error("forecast bug");
                    return Number.NaN;
                },
            });
            const seen: StatusUpdate[] = [];
            const r = await pollUntilTerminal(fetchOnce, {
                jobId: "j",
                timeoutMs: 60_000,
                clock,
                policy,
                onStatus: async (s) => {
                    seen.push(s);
                    s.state = "running";
                    s.status = "tampered";
                    throw new Error("webhook 502");
                },
            });
            await new Promise((resolve) => setImmediate(resolve));
            expect(r.status).to.include({ state: "succeeded", status: "SUCCEEDED" });
            expect(seen, "the hook ran on every read, the forecast's throw notwithstanding").to.have.length(3);
            expect(
                seen.every((s) => s.estimatedRemainingMs === undefined),
                "NaN is no ETA",
            ).to.equal(true);
            expect(rejections, "no unhandled rejection").to.deep.equal([]);
        } finally {
            process.off("unhandledRejection", onUnhandled);
        }
    });

    it("never sleeps past the deadline even when the policy asks for more", async () => {
        const clock = new VirtualClock();
        const { fetchOnce, calls } = script(clock, [status("running")]);
        await pollUntilTerminal(fetchOnce, { jobId: "j", timeoutMs: 5000, clock, policy: every(3_600_000) }).catch(() => undefined);
        expect(calls).to.deep.equal([0, 5000]);
    });
});

describe("polling loop: progress history", () => {
    it("keeps a plateau as its first and latest reading, so earlier movement stays in the window", async () => {
        const { recordSample, MAX_SAMPLES } = await import("../../../provider/polling/loop");
        const samples: { atMs: number; progress: number }[] = [];
        for (let i = 0; i < 10; i++) recordSample(samples, { atMs: i * 1000, progress: i * 5 });
        for (let i = 10; i < 200; i++) recordSample(samples, { atMs: i * 1000, progress: 45 });
        expect(samples.length).to.equal(11);
        expect(samples.slice(0, 10).map((s) => s.progress)).to.deep.equal([0, 5, 10, 15, 20, 25, 30, 35, 40, 45]);
        expect(samples.at(-2)).to.deep.equal({ atMs: 9000, progress: 45 });
        expect(samples.at(-1)).to.deep.equal({ atMs: 199_000, progress: 45 });
        for (let i = 0; i < 100; i++) recordSample(samples, { atMs: 200_000 + i, progress: 46 + (i % 2) });
        expect(samples.length).to.equal(MAX_SAMPLES);
    });
});
