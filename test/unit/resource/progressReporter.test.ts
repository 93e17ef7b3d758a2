import { expect } from "chai";
import { createProgressReporter, formatDuration, formatEta, formatProgressLine } from "../../../provider/resource/progressReporter";
import type { JobStatus } from "../../../provider/services/types";

const at = (state: JobStatus["state"], status: string, progress?: number): JobStatus => ({
    service: "dws",
    jobId: "j1",
    state,
    status,
    statusRecognised: true,
    progress,
});

/** The lines a reporter with `options` prints for statuses read at the given times (ms). */
function linesFor(polls: [number, JobStatus][], options: { minIntervalMs: number; heartbeatMs?: number }): string[] {
    let now = 0;
    const lines: string[] = [];
    const report = createProgressReporter({ write: (l) => lines.push(l), now: () => now, ...options });
    for (const [t, s] of polls) {
        now = t;
        report(s);
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

    it("flags an unrecognised status", () => {
        const lines: string[] = [];
        createProgressReporter({ write: (l) => lines.push(l) })({ ...at("running", "ROLLING_BACK"), statusRecognised: false });
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
