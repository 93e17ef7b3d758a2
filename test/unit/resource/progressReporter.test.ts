import { expect } from "chai";
import { createProgressReporter, formatDuration, formatEta, formatProgressLine } from "../../../provider/resource/progressReporter";
import { JobApiError, NoRequestSlotError } from "../../../provider/errors";
import type { RetryUpdate } from "../../../provider/polling/loop";
import type { JobStatus } from "../../../provider/services/types";

const at = (state: JobStatus["state"], status: string, progress?: number): JobStatus => ({
    service: "dws",
    jobId: "j1",
    state,
    status,
    statusRecognised: true,
    progress,
});

/** A poll that read no status. */
const failed = (kind: RetryUpdate["kind"], error: Error, consecutiveErrors: number, nextPollInMs = 5_000): RetryUpdate => ({
    jobId: "j1",
    kind,
    error,
    consecutiveErrors,
    elapsedMs: 0,
    nextPollInMs,
});

/** The lines a reporter with `options` prints for statuses read, and polls that read none, at the given times (ms). */
function linesFor(polls: [number, JobStatus | RetryUpdate][], options: { minIntervalMs: number; heartbeatMs?: number }): string[] {
    let now = 0;
    const lines: string[] = [];
    const report = createProgressReporter({ job: "dws job j1", write: (l) => lines.push(l), now: () => now, ...options });
    for (const [t, s] of polls) {
        now = t;
        if ("state" in s) report.status(s);
        else report.retry(s);
    }
    return lines;
}

describe("resource: progress reporter", () => {
    it("prints only changes, at most once per interval, and always the terminal line", () => {
        const polls: [number, JobStatus][] = [
            [0, at("running", "RUNNING", 0)],
            [1000, at("running", "RUNNING", 0)],
            [2000, at("running", "RUNNING", 5)],
            [12_000, at("running", "RUNNING", 5.4)],
            [13_000, at("running", "RUNNING", 40)],
            [30_000, at("running", "RUNNING", 80)],
            [31_000, at("succeeded", "SUCCESS", 100)],
        ];
        expect(linesFor(polls, { minIntervalMs: 10_000 })).to.deep.equal([
            "jobwaiter: dws job j1 RUNNING 0% after 0s",
            "jobwaiter: dws job j1 RUNNING 5% after 12s",
            "jobwaiter: dws job j1 RUNNING 80% after 30s",
            "jobwaiter: dws job j1 SUCCESS 100% after 31s",
        ]);
    });

    it("prints polls that read no status by the same rules, naming the job, the reason and the next try; the first status after them prints at once", () => {
        const outage = new JobApiError({ jobId: "j1", httpStatus: 503, errorCode: "DWS.5000", errorMsg: "busy", hint: "retried" });
        const reset = new JobApiError({ jobId: "j1", networkCode: "ECONNRESET", networkMessage: "socket hang up", hint: "retried" });
        const noSlot = new NoRequestSlotError({ jobId: "j1", origin: "https://dws.example.com", maxRequestsPerSecond: 10 });
        const polls: [number, JobStatus | RetryUpdate][] = [
            [0, failed("notFound", new JobApiError({ jobId: "j1", httpStatus: 404, errorCode: "DWS.0404", hint: "h" }), 1, 2_000)],
            [2_000, at("running", "RUNNING", 10)],
            [20_000, failed("transient", outage, 1)],
            [25_000, failed("transient", outage, 2)],
            [40_000, failed("transient", outage, 3, 40_000)],
            [80_000, failed("transient", reset, 4, 65_000)],
            [150_000, failed("throttled", noSlot, 5, 0)],
            [300_000, failed("throttled", noSlot, 6, 0)],
            [305_000, at("running", "RUNNING", 10)],
            [320_000, at("running", "RUNNING", 10)],
        ];
        expect(linesFor(polls, { minIntervalMs: 10_000, heartbeatMs: 120_000 })).to.deep.equal([
            "jobwaiter: dws job j1 not found yet after 0s (1 in a row: HTTP 404 DWS.0404), next try in 2s",
            "jobwaiter: dws job j1 RUNNING 10% after 2s",
            "jobwaiter: dws job j1 no status after 20s (1 in a row: HTTP 503 DWS.5000), next try in 5s",
            "jobwaiter: dws job j1 no status after 1m20s (4 in a row: ECONNRESET), next try in 1m",
            "jobwaiter: dws job j1 throttled after 2m30s (5 in a row: NO_REQUEST_SLOT)",
            "jobwaiter: dws job j1 throttled after 5m00s (6 in a row: NO_REQUEST_SLOT)",
            "jobwaiter: dws job j1 RUNNING 10% after 5m05s",
        ]);
    });

    it("prints no more than a retry line per interval and the status after it while the job API flaps", () => {
        const outage = new JobApiError({ jobId: "j1", httpStatus: 503, errorCode: "DWS.5000", hint: "retried" });
        const polls: [number, JobStatus | RetryUpdate][] = [];
        for (let t = 0; t < 30_000; t += 2_000) polls.push([t, t % 4_000 === 0 ? at("running", "RUNNING", 10) : failed("transient", outage, 1)]);
        expect(linesFor(polls, { minIntervalMs: 10_000 })).to.deep.equal([
            "jobwaiter: dws job j1 RUNNING 10% after 0s",
            "jobwaiter: dws job j1 no status after 10s (1 in a row: HTTP 503 DWS.5000), next try in 5s",
            "jobwaiter: dws job j1 RUNNING 10% after 12s",
            "jobwaiter: dws job j1 no status after 22s (1 in a row: HTTP 503 DWS.5000), next try in 5s",
            "jobwaiter: dws job j1 RUNNING 10% after 24s",
        ]);
    });

    it("names a poll's error of another kind by its class, never quoting its message (cut short, it could keep part of a secret)", () => {
        class SocketError extends Error {
            override name = "SocketError";
        }
        const lines = linesFor([[0, failed("transient", new SocketError("closed while sending p-secret-0123"), 1)]], { minIntervalMs: 0 });
        expect(lines).to.deep.equal(["jobwaiter: dws job j1 no status after 0s (1 in a row: SocketError), next try in 5s"]);
    });

    it("flags an unrecognised status", () => {
        const lines: string[] = [];
        createProgressReporter({ job: "dws job j1", write: (l) => lines.push(l) }).status({ ...at("running", "ROLLING_BACK"), statusRecognised: false });
        expect(lines[0]).to.contain("[unrecognised status, treated as running]");
    });

    it("says how long is left when the policy forecasts the end, and nothing when it does not", () => {
        expect(formatProgressLine({ ...at("running", "RUNNING"), progress: 45, estimatedRemainingMs: 181_000 }, 125_000)).to.match(
            /RUNNING 45% after 2m05s, about 3m left$/,
        );
        expect(formatProgressLine({ ...at("running", "RUNNING"), progress: 45 }, 125_000)).to.match(/RUNNING 45% after 2m05s$/);
        expect(["0", 40_000, 600_000, 4_800_000, 7_100_000].map((ms) => formatEta(Number(ms)))).to.deep.equal(["1s", "40s", "10m", "1h20m", "2h"]);
    });

    it("prints a line at least every heartbeat while nothing changes, and one when the ETA comes or goes", () => {
        const eta = (ms?: number) => ({ ...at("running", "RUNNING", 99), estimatedRemainingMs: ms });
        const polls: [number, JobStatus][] = [
            [0, at("running", "RUNNING")],
            [100_000, at("running", "RUNNING")],
            [130_000, at("running", "RUNNING")],
            [200_000, eta(14_000)],
            [300_000, eta(undefined)],
        ];
        expect(linesFor(polls, { minIntervalMs: 10_000, heartbeatMs: 120_000 })).to.deep.equal([
            "jobwaiter: dws job j1 RUNNING after 0s",
            "jobwaiter: dws job j1 RUNNING after 2m10s",
            "jobwaiter: dws job j1 RUNNING 99% after 3m20s, about 14s left",
            "jobwaiter: dws job j1 RUNNING 99% after 5m00s",
        ]);
    });

    it("rounds an ETA up to the next unit, and shows none that is not a positive finite time", () => {
        expect([3_570_000, 3_599_000, 3_540_000].map(formatEta)).to.deep.equal(["1h", "1h", "59m"]);
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -5_000, 0]) {
            expect(formatProgressLine({ ...at("running", "RUNNING"), estimatedRemainingMs: bad }, 1_000), String(bad)).to.equal(
                "jobwaiter: dws job j1 RUNNING after 1s",
            );
        }
    });

    it("formats durations", () => {
        expect([0, 5_400, 65_000, 3_725_000].map(formatDuration)).to.deep.equal(["0s", "5s", "1m05s", "1h02m05s"]);
    });
});
