/**
 * waitForJob and getJobStatus against the local emulator on 127.0.0.1: every kind, success,
 * failure, timeout, cancellation, each fault type, bad credentials. Jobs last well under a second.
 */
import { expect } from "chai";
import { getEventListeners } from "node:events";
import { ConfigError, JobApiError, JobCancelledError, JobFailedError, JobTimeoutError } from "../../provider/errors";
import { getJobStatus, waitForJob, WaitForJobOptions } from "../../provider/waiter";
import { JobApiEmulator, EmulatedJobDefinition, FaultSpec } from "../../provider/testing/emulator";
import type { RetryUpdate } from "../../provider/polling/loop";
import type { JobStatus } from "../../provider/services/types";
import { instanceFor, JobHome, jobIn } from "../support/jobs";

const AK = "EMULATORAK0000000001";
const SK = "emulator-secret-key-do-not-leak-0001";
const TOKEN = "MIIemulator-token-do-not-leak";
const HOME: JobHome = { projectId: "05f2cff45100d5112f4bc00b794ea08e", instanceId: "roma-instance-1" };

describe("waitForJob against the emulator", function () {
    this.timeout(20_000);
    let emu: JobApiEmulator;

    before(async () => {
        emu = await JobApiEmulator.start({ accessKeys: { [AK]: SK }, tokens: [TOKEN] });
    });
    after(async () => emu.close());

    function define(def: Partial<EmulatedJobDefinition> & Pick<EmulatedJobDefinition, "service">): string {
        return emu.defineJob(jobIn(HOME, 300, def));
    }

    function options(service: string, jobId: string, extra: Partial<WaitForJobOptions> = {}): WaitForJobOptions {
        return {
            service,
            jobId,
            projectId: HOME.projectId,
            instanceId: instanceFor(HOME, service),
            endpoint: emu.endpoint,
            allowInsecureLoopback: true,
            accessKey: AK,
            secretKey: SK,
            env: {},
            timeoutSeconds: 10,
            minPollIntervalSeconds: 0.02,
            maxPollIntervalSeconds: 0.1,
            requestTimeoutSeconds: 2,
            ...extra,
        };
    }

    for (const service of ["dws", "ddm", "roma", "cfw"] as const) {
        describe(service, () => {
            it("waits for success and reports progress along the way", async () => {
                const jobId = define({ service, durationMs: 400, progress: "linear" });
                const seen: JobStatus[] = [];
                const done = await waitForJob(options(service, jobId, { onProgress: (s) => seen.push(s) }));
                expect(done.state).to.equal("succeeded");
                expect(done.jobId).to.equal(jobId);
                expect(done.statusRecognised).to.equal(true);
                expect(done.polls).to.be.at.least(2);
                expect(done.waitedMs).to.be.at.least(300);
                expect(seen.at(-1)!.state).to.equal("succeeded");
                expect(seen.slice(0, -1).every((s) => s.state === "running")).to.equal(true);
                if (service !== "cfw") expect(seen.some((s) => s.progress !== undefined && s.progress > 0 && s.progress < 100)).to.equal(true);
                if (service === "ddm") expect(done.instance?.id).to.be.a("string");
                if (service === "roma") expect(done.archiveId).to.be.a("string");
            });

            it("fails with the job's own failure fields", async () => {
                const jobId = define({
                    service,
                    outcome: "failed",
                    failedCode: `${service.toUpperCase()}.0114`,
                    failedDetail: "ELB private IP is not configured.",
                });
                const err = await waitForJob(options(service, jobId)).catch((e) => e);
                expect(err).to.be.instanceOf(JobFailedError);
                expect(err.jobId).to.equal(jobId);
                if (service === "ddm") {
                    // The DDM API has no failure fields: the status is the whole story.
                    expect(err.failedCode).to.equal(undefined);
                    expect(err.message).to.match(/failed with status "Failed" \(the service gave no failure reason\)/);
                } else {
                    expect(err.failedCode).to.contain(`${service.toUpperCase()}.0114`);
                    expect(err.failedDetail).to.contain("ELB private IP is not configured.");
                    expect(err.message).to.contain("ELB private IP is not configured.");
                }
            });

            it("times out after a final check at the deadline", async () => {
                const jobId = define({ service, durationMs: 60_000 });
                const readAt: number[] = [];
                const started = Date.now();
                const onProgress = () => void readAt.push(Date.now());
                const err = await waitForJob(options(service, jobId, { timeoutSeconds: 0.5, maxPollIntervalSeconds: 0.2, onProgress })).catch((e) => e);
                const elapsed = Date.now() - started;
                expect(err).to.be.instanceOf(JobTimeoutError);
                expect(err.lastStatus.state).to.equal("running");
                expect(elapsed).to.be.at.least(500);
                expect(elapsed).to.be.below(500 + 2000);
                // The last status the waiter read came in at the deadline, not a poll interval
                // before it (the waiter's side: a busy machine may delay when the emulator sees a request).
                expect(readAt.at(-1)! - started).to.be.at.least(480);
            });

            it("getJobStatus takes one look", async () => {
                const jobId = define({ service, durationMs: 10_000 });
                const before = emu.requestCount(jobId);
                const s = await getJobStatus(options(service, jobId));
                expect(s.state).to.equal("running");
                expect(emu.requestCount(jobId) - before).to.equal(1);
            });
        });
    }

    it("plans its looks for the job durations it is told: a 1.5 s job without progress is seen in seconds", async () => {
        // The default range (10 s – 4 h) would first look again after ≈ 23 s.
        const jobId = define({ service: "dws", durationMs: 1_500, progress: "none" });
        const done = await waitForJob(
            // The suite's 0.1 s maximum interval would hide the schedule: back to the default.
            options("dws", jobId, { minPollIntervalSeconds: 0.1, maxPollIntervalSeconds: 600, shortestJobSeconds: 0.5, longestJobSeconds: 20 }),
        );
        expect(done.state).to.equal("succeeded");
        expect(done.waitedMs).to.be.within(1_500, 4_000);
        expect(done.polls).to.be.within(2, 8);
    });

    describe("faults", () => {
        const faults: [string, FaultSpec[]][] = [
            ["429 with Retry-After", [{ kind: "status", status: 429, retryAfter: "0.2", count: 2 }]],
            [
                "500 and 503",
                [
                    { kind: "status", status: 500 },
                    { kind: "status", status: 503, count: 2 },
                ],
            ],
            [
                "502/504 gateway errors",
                [
                    { kind: "status", status: 502 },
                    { kind: "status", status: 504 },
                ],
            ],
            ["an HTML gateway page", [{ kind: "html", count: 2 }]],
            ["dropped connections", [{ kind: "drop", count: 3 }]],
            ["a slow answer beyond the request timeout", [{ kind: "slow", delayMs: 1500 }]],
            ["a body trickled a byte at a time after prompt headers", [{ kind: "trickle", intervalMs: 100 }]],
        ];
        for (const [name, spec] of faults) {
            it(`rides out ${name}`, async () => {
                const jobId = define({ service: "dws", durationMs: 200, faults: spec });
                const done = await waitForJob(options("dws", jobId, { requestTimeoutSeconds: 0.5 }));
                expect(done.state).to.equal("succeeded");
                const faulted = emu.requests.filter((r) => r.jobId === jobId && r.fault !== undefined);
                expect(faulted.length, "the faults were served").to.be.at.least(1);
            });
        }

        it("honours Retry-After on 429 instead of hammering", async () => {
            const jobId = define({ service: "dws", durationMs: 0, faults: [{ kind: "status", status: 429, retryAfter: "0.6" }] });
            const started = Date.now();
            await waitForJob(options("dws", jobId));
            const times = emu.requests.filter((r) => r.jobId === jobId).map((r) => r.at);
            expect(times).to.have.length(2);
            expect(times[1] - times[0]).to.be.at.least(550);
            expect(Date.now() - started).to.be.below(3000);
        });

        it("fails at once on a malformed 200 body", async () => {
            const jobId = define({ service: "dws", durationMs: 5000, faults: [{ kind: "malformed" }] });
            const err = await waitForJob(options("dws", jobId)).catch((e) => e);
            expect(err).to.be.instanceOf(JobApiError);
            expect(err.httpStatus).to.equal(200);
            expect(err.message).to.match(/not JSON/);
            expect(emu.requestCount(jobId)).to.equal(1);
        });

        for (const status of [400, 401, 403] as const) {
            it(`fails at once on ${status} with the service's error code and request id`, async () => {
                const jobId = define({ service: "roma", durationMs: 5000, faults: [{ kind: "status", status }] });
                const err = await waitForJob(options("roma", jobId)).catch((e) => e);
                expect(err).to.be.instanceOf(JobApiError);
                expect(err.httpStatus).to.equal(status);
                expect(err.errorCode).to.be.a("string");
                expect(err.requestId).to.be.a("string");
                expect(err.message).to.contain(err.errorCode);
                expect(emu.requestCount(jobId)).to.equal(1);
            });
        }

        it("fails at once on a 401 HTML page (a WAF or proxy block) instead of retrying until the deadline", async () => {
            const jobId = define({ service: "dws", durationMs: 5000, faults: [{ kind: "status", status: 401, body: "html" }] });
            const err = await waitForJob(options("dws", jobId)).catch((e) => e);
            expect(err).to.be.instanceOf(JobApiError);
            expect(err.httpStatus).to.equal(401);
            expect(emu.requestCount(jobId)).to.equal(1);
        });

        it("waiters share a slow request only when it runs as long as theirs would: a quicker one never gives up early for another's", async () => {
            const jobId = define({ service: "dws", durationMs: 60_000, faults: [{ kind: "slow", delayMs: 3000 }] });
            const long = new AbortController();
            const first = waitForJob(options("dws", jobId, { signal: long.signal, requestTimeoutSeconds: 5 })).catch((e) => e);
            await new Promise((r) => setTimeout(r, 100));
            const started = Date.now();
            const [short, quick, patient] = await Promise.all([
                waitForJob(options("dws", jobId, { timeoutSeconds: 1, requestTimeoutSeconds: 0.5 })).catch((e) => e),
                getJobStatus(options("dws", jobId, { requestTimeoutSeconds: 0.4 })).catch((e) => e),
                getJobStatus(options("dws", jobId, { requestTimeoutSeconds: 5 })).catch((e) => e),
            ]);
            const took = Date.now() - started;
            long.abort();
            expect(await first).to.be.instanceOf(JobCancelledError);
            expect(short, "its own requests, not the slow shared one").to.be.instanceOf(JobTimeoutError);
            expect(short.lastStatus).to.include({ state: "running" });
            expect(quick).to.include({ state: "running" });
            expect(patient, "the same request timeout and a hard stop no later: it shares the slow request").to.include({ state: "running" });
            expect(took, "the patient look waited for the slow answer").to.be.above(2500);
            expect(emu.requestCount(jobId), "one slow request shared by two, and the quick waiters' own").to.equal(1 + short.polls + 1);
        });

        it("waiters that share one request each read a status of their own: what one caller changes, the other does not see", async () => {
            const jobId = define({ service: "ecs", durationMs: 0, subJobs: 2, faults: [{ kind: "slow", delayMs: 300 }] });
            // The look's hard stop (now + one request timeout) is earlier than the wait's: it joins the wait's request.
            const [first, second] = await Promise.all([
                waitForJob(options("ecs", jobId)),
                new Promise((r) => setTimeout(r, 50)).then(() => getJobStatus(options("ecs", jobId))),
            ]);
            expect(emu.requestCount(jobId), "one request for both").to.equal(1);
            const { polls: _polls, waitedMs: _waited, ...firstStatus } = first;
            expect(second).to.deep.equal(firstStatus);
            expect(first.subJobs).to.have.length(2);
            first.status = "CHANGED";
            first.resourceIds!.push("added");
            first.subJobs![0].status = "CHANGED";
            expect(second.status).to.equal("SUCCESS");
            expect(second.resourceIds).to.not.include("added");
            expect(second.subJobs![0].status).to.equal("SUCCESS");
        });

        it("waiters that share a failed request each get an error of their own: a hook that changes one, changes no other", async () => {
            // One request every 2 s: the wait's first request waits for a slot, and the look joins it.
            const slow = { maxRequestsPerSecond: 0.5, requestTimeoutSeconds: 5 };
            await getJobStatus(options("dws", define({ service: "dws", durationMs: 0 }), slow));
            const jobId = define({ service: "dws", durationMs: 0, faults: [{ kind: "status", status: 503 }] });
            const changeIt = (r: RetryUpdate) => {
                r.error.message = "changed by a hook";
            };
            const [done, look] = await Promise.all([
                waitForJob(options("dws", jobId, { ...slow, onRetry: changeIt })),
                new Promise((r) => setTimeout(r, 50)).then(() => getJobStatus(options("dws", jobId, slow)).catch((e: unknown) => e)),
            ]);
            expect(done.state).to.equal("succeeded");
            expect(emu.requestCount(jobId), "the shared 503, then the wait's own").to.equal(2);
            expect(look).to.be.instanceOf(JobApiError).and.include({ httpStatus: 503 });
            expect((look as JobApiError).message).to.not.equal("changed by a hook");
        });

        it("waiters share a request only with the same values to redact: each answer is filtered for the waiters that share it", async () => {
            const jobId = define({ service: "dws", durationMs: 0, faults: [{ kind: "slow", delayMs: 300, count: 4 }] });
            const later = (extra: Partial<WaitForJobOptions>) => new Promise((r) => setTimeout(r, 50)).then(() => getJobStatus(options("dws", jobId, extra)));
            await Promise.all([waitForJob(options("dws", jobId, { redact: ["hidden-a"] })), later({ redact: ["hidden-b"] })]);
            expect(emu.requestCount(jobId), "other values: a request each").to.equal(2);
            await Promise.all([waitForJob(options("dws", jobId, { redact: ["hidden-a", "hidden-b"] })), later({ redact: ["hidden-b", "hidden-a"] })]);
            expect(emu.requestCount(jobId), "the same values in another order: one shared request").to.equal(3);
        });

        it("a look shares no request of a waiter whose hard stop is earlier, and is not cut by it", async () => {
            const jobId = define({ service: "dws", durationMs: 60_000, faults: [{ kind: "slow", delayMs: 1500 }] });
            const started = Date.now();
            const [short, look] = await Promise.all([
                waitForJob(options("dws", jobId, { timeoutSeconds: 0.2, requestTimeoutSeconds: 1 })).catch((e) => e),
                // From 0.3 s on, the look's hard stop (now + 1 s) is later than the waiter's (0.2 s + 1 s).
                new Promise((r) => setTimeout(r, 300)).then(() => getJobStatus(options("dws", jobId, { requestTimeoutSeconds: 1 })).catch((e) => e)),
            ]);
            expect(short, "its slow request cut by its request timeout").to.be.instanceOf(JobTimeoutError);
            expect(short.lastError).to.include({ networkCode: "ETIMEDOUT" });
            expect(look, "its own request, answered at once").to.include({ state: "running" });
            expect(Date.now() - started).to.be.below(2_000);
            expect(emu.requestCount(jobId)).to.equal(2);
        });

        it("tolerates 404 while a new job is invisible, within the grace window", async () => {
            const jobId = define({ service: "ddm", durationMs: 500, notFoundForMs: 250 });
            const done = await waitForJob(options("ddm", jobId, { notFoundGraceSeconds: 2 }));
            expect(done.state).to.equal("succeeded");
            expect(emu.requests.some((r) => r.jobId === jobId && r.status === 404)).to.equal(true);
        });

        it("fails with a clear 404 error after the grace window", async () => {
            const err = await waitForJob(options("dws", "nosuchjob0001", { notFoundGraceSeconds: 0.2 })).catch((e) => e);
            expect(err).to.be.instanceOf(JobApiError);
            expect(err.httpStatus).to.equal(404);
            expect(err.message).to.match(/No dws job with this ID was found/);
        });
    });

    describe("a host name that does not resolve", () => {
        // `.invalid` never resolves (RFC 6761): the real resolver answers ENOTFOUND, as for a mistyped region or cloud.
        const unresolvable = (extra: Partial<WaitForJobOptions>) =>
            options("dws", "a0a0a0a0-1111-2222-3333-444444444444", {
                endpoint: undefined,
                region: "cn-nort-4",
                env: { HW_CLOUD: "jobwaiter.invalid" },
                ...extra,
            });

        it("fails the wait once the grace window has passed, naming the host and the settings to check", async () => {
            const started = Date.now();
            const err = await waitForJob(unresolvable({ notFoundGraceSeconds: 0.5, timeoutSeconds: 3600 })).catch((e) => e);
            expect(err).to.be.instanceOf(JobApiError);
            expect(err).to.include({ networkCode: "ENOTFOUND" });
            expect(err.message).to.match(/ENOTFOUND dws\.cn-nort-4\.jobwaiter\.invalid.*check region, HW_CLOUD and endpoint\.$/);
            expect(err.message).to.not.contain(SK);
            expect(Date.now() - started, "after the 0.5 s grace, not at the one-hour deadline").to.be.below(10_000);
        });

        it("getJobStatus reports it as a JobApiError at once", async () => {
            const err = await getJobStatus(unresolvable({})).catch((e) => e);
            expect(err).to.be.instanceOf(JobApiError);
            expect(err).to.include({ networkCode: "ENOTFOUND" });
        });
    });

    describe("authentication", () => {
        it("works with an IAM token instead of AK/SK", async () => {
            const jobId = define({ service: "cfw", durationMs: 100 });
            const done = await waitForJob(options("cfw", jobId, { accessKey: undefined, secretKey: undefined, token: TOKEN }));
            expect(done.state).to.equal("succeeded");
            expect(emu.requests.filter((r) => r.jobId === jobId).every((r) => r.auth.authenticated && r.auth.via === "token")).to.equal(true);
        });

        it("signs every request with AK/SK (verified by the emulator)", async () => {
            const jobId = define({ service: "dws", durationMs: 100 });
            await waitForJob(options("dws", jobId));
            const log = emu.requests.filter((r) => r.jobId === jobId);
            expect(log.every((r) => r.auth.authenticated && r.auth.via === "aksk")).to.equal(true);
        });

        it("a wrong secret key is a permanent 401 that never shows the key", async () => {
            const jobId = define({ service: "dws", durationMs: 100 });
            const err = await waitForJob(options("dws", jobId, { secretKey: "wrong-secret-value-xyz" })).catch((e) => e);
            expect(err).to.be.instanceOf(JobApiError);
            expect(err.httpStatus).to.equal(401);
            expect(err.message).to.match(/HW_ACCESS_KEY/);
            expect(err.message).to.not.contain("wrong-secret-value-xyz");
            expect(err.message).to.not.contain(SK);
        });

        it("temporary AK/SK: the security token goes with the key, signed; a missing or another token is a 401 that shows neither", async () => {
            const [tak, tsk, securityToken] = ["TEMPORARYAK000000001", "temporary-secret-key-do-not-leak", "sts-token-do-not-leak-0001"];
            const sts = await JobApiEmulator.start({ temporaryKeys: { [tak]: { secretKey: tsk, securityToken } } });
            try {
                const jobId = sts.defineJob(jobIn(HOME, 0, { service: "dws" }));
                const temporary = (extra: Partial<WaitForJobOptions>) =>
                    options("dws", jobId, { endpoint: sts.endpoint, accessKey: tak, secretKey: tsk, ...extra });
                expect(await getJobStatus(temporary({ securityToken }))).to.include({ state: "succeeded" });
                for (const token of [undefined, "another-sts-token-0001"]) {
                    const refused = await getJobStatus(temporary({ securityToken: token })).catch((e) => e);
                    expect(refused, String(token)).to.be.instanceOf(JobApiError);
                    expect(refused).to.include({ httpStatus: 401 });
                    expect(refused.message).to.match(/temporary access key needs its own X-Security-Token/);
                    expect(refused.message).to.not.contain(securityToken).and.not.contain(tsk);
                }
            } finally {
                await sts.close();
            }
        });

        it("a bad token is a permanent 401", async () => {
            const jobId = define({ service: "ddm", durationMs: 100 });
            const err = await waitForJob(options("ddm", jobId, { accessKey: undefined, secretKey: undefined, token: "bogus-token" })).catch((e) => e);
            expect(err).to.be.instanceOf(JobApiError);
            expect(err.httpStatus).to.equal(401);
            expect(err.message).to.not.contain("bogus-token");
        });

        it("no credentials at all is a ConfigError naming the variables", async () => {
            const err = await waitForJob(options("dws", "abc", { accessKey: undefined, secretKey: undefined })).catch((e) => e);
            expect(err).to.be.instanceOf(ConfigError);
            expect(err.message).to.match(/HW_ACCESS_KEY/);
            expect(err.message).to.match(/HW_SECRET_KEY/);
        });

        it("reads credentials and project from HW_* variables", async () => {
            const jobId = define({ service: "dws", durationMs: 50 });
            const done = await waitForJob({
                service: "dws",
                jobId,
                endpoint: emu.endpoint,
                allowInsecureLoopback: true,
                minPollIntervalSeconds: 0.02,
                env: { HW_ACCESS_KEY: AK, HW_SECRET_KEY: SK, HW_PROJECT_ID: HOME.projectId },
            });
            expect(done.state).to.equal("succeeded");
        });
    });

    describe("cancellation and input", () => {
        it("a long-lived caller signal (say, a service's shutdown signal) keeps nothing from finished waits", async () => {
            const shutdown = new AbortController();
            for (let i = 0; i < 5; i++) {
                const jobId = define({ service: "ddm", durationMs: 300 });
                await waitForJob(options("ddm", jobId, { signal: shutdown.signal, minPollIntervalSeconds: 0.05, maxPollIntervalSeconds: 0.1 }));
            }
            expect(getEventListeners(shutdown.signal, "abort"), "abort listeners left on the caller's signal").to.have.length(0);
            // Signals composed from it with AbortSignal.any stay registered on it in Node 20 (never pruned).
            const dependants = Object.getOwnPropertySymbols(shutdown.signal).find((sym) => sym.description === "kDependantSignals");
            const registered = dependants ? (shutdown.signal as unknown as Record<symbol, Set<unknown> | undefined>)[dependants] : undefined;
            expect(registered?.size ?? 0, "signals composed from the caller's signal").to.equal(0);
        });

        it("a dozen concurrent waits on one caller signal: one listener on it while they run, no listener-leak warning, one abort cancels them all", async () => {
            const shutdown = new AbortController();
            const warnings: Error[] = [];
            const onWarning = (w: Error) => warnings.push(w);
            process.on("warning", onWarning);
            try {
                const waits = Array.from({ length: 12 }, () => {
                    const jobId = define({ service: "dws", durationMs: 60_000 });
                    return waitForJob(options("dws", jobId, { signal: shutdown.signal, minPollIntervalSeconds: 0.05, maxPollIntervalSeconds: 0.1 })).catch(
                        (e) => e,
                    );
                });
                await new Promise((resolve) => setTimeout(resolve, 300));
                expect(getEventListeners(shutdown.signal, "abort"), "abort listeners on the caller's signal while the waits run").to.have.length(1);
                shutdown.abort(new Error("service stopping"));
                for (const err of await Promise.all(waits)) expect(err).to.be.instanceOf(JobCancelledError).and.to.include({ reason: "service stopping" });
                await new Promise((resolve) => setImmediate(resolve));
                expect(warnings.map((w) => `${w.name}: ${w.message}`)).to.deep.equal([]);
                expect(getEventListeners(shutdown.signal, "abort"), "abort listeners left").to.have.length(0);
            } finally {
                process.off("warning", onWarning);
            }
        });

        it("an abort stops polling and the in-flight request at once", async () => {
            const jobId = define({ service: "dws", durationMs: 60_000, faults: [{ kind: "slow", delayMs: 5000, count: Infinity }] });
            const controller = new AbortController();
            setTimeout(() => controller.abort(new Error("user pressed Ctrl-C")), 150);
            const started = Date.now();
            const err = await waitForJob(options("dws", jobId, { signal: controller.signal, requestTimeoutSeconds: 30 })).catch((e) => e);
            expect(Date.now() - started).to.be.below(1000);
            expect(err).to.be.instanceOf(JobCancelledError);
            expect(err.message).to.contain(jobId);
            expect(err.message).to.match(/same job ID to resume/);
        });

        it("getJobStatus aborted, before or during its request, is JobCancelledError as well", async () => {
            const jobId = define({ service: "dws", durationMs: 60_000, faults: [{ kind: "slow", delayMs: 5000, count: Infinity }] });
            const before = await getJobStatus(options("dws", jobId, { signal: AbortSignal.abort(new Error("gone")) })).catch((e) => e);
            expect(before).to.be.instanceOf(JobCancelledError);
            expect(before).to.deep.include({ jobId, reason: "gone", polls: 0 });
            const started = Date.now();
            const during = await getJobStatus(options("dws", jobId, { signal: AbortSignal.timeout(150), requestTimeoutSeconds: 30 })).catch((e) => e);
            expect(Date.now() - started).to.be.below(1000);
            expect(during).to.be.instanceOf(JobCancelledError);
            expect(during).to.deep.include({ jobId, polls: 1 });
        });

        it("a hostile job ID never reaches the server", async () => {
            const before = emu.requests.length;
            for (const jobId of ["../../v3/x/jobs/y", "a?b=c", "a#b", "a/b"]) {
                const err = await waitForJob(options("dws", jobId)).catch((e) => e);
                expect(err).to.be.instanceOf(ConfigError);
            }
            expect(emu.requests.length).to.equal(before);
        });
    });
});
