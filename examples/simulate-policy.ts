/**
 * Replay a job trace through the waiter's real loop and policy on a virtual clock: hours of
 * polling in milliseconds, no emulator, no network. Use it to see what the policy would do with
 * your own jobs' progress curves before you change `minPollIntervalSeconds` /
 * `maxPollIntervalSeconds`.
 *
 *   npm run build && node dist/examples/simulate-policy.js
 *
 * @packageDocumentation
 */
import { JobStatus, PollBounds, VirtualClock, pollUntilTerminal } from "pulumi-huaweicloud-jobwaiter";

/** What the job API says `elapsedMs` after the wait started: progress in percent (or `undefined` when the API reports none), or `"done"`. */
export type Trace = (elapsedMs: number) => number | undefined | "done";

/** What one replay did. */
export interface Replay {
    /** How the wait ended: the job seen done, or the deadline reached (after a final check at it). */
    outcome: "succeeded" | "timeout";
    /** Elapsed ms of every request, in order. */
    pollTimesMs: number[];
}

/**
 * Wait on `trace` with the package's default policy until it says `"done"` or `timeoutMs` passes.
 * `bounds` defaults to the package default (1 s – 600 s), `random` (jitter) to `Math.random`.
 */
export async function replay(trace: Trace, timeoutMs: number, options: { bounds?: PollBounds; random?: () => number } = {}): Promise<Replay> {
    const clock = new VirtualClock();
    const pollTimesMs: number[] = [];
    const fetchOnce = async () => {
        pollTimesMs.push(clock.now());
        const answer = trace(clock.now());
        const done = answer === "done";
        const status: JobStatus = {
            service: "dws",
            jobId: "simulated",
            state: done ? "succeeded" : "running",
            status: done ? "SUCCESS" : "RUNNING",
            statusRecognised: true,
            progress: done ? 100 : answer,
        };
        return { kind: "status" as const, status };
    };
    try {
        await pollUntilTerminal(fetchOnce, { jobId: "simulated", timeoutMs, clock, ...options });
        return { outcome: "succeeded", pollTimesMs };
    } catch (error) {
        if ((error as { code?: string }).code === "JOB_TIMEOUT") return { outcome: "timeout", pollTimesMs };
        throw error;
    }
}

/** A job of `durationMs` whose progress grows linearly (integer percent). */
export const linearJob =
    (durationMs: number): Trace =>
    (t) =>
        t >= durationMs ? "done" : Math.floor((100 * t) / durationMs);

async function main(): Promise<void> {
    const minutes = 60_000;
    const cases: [string, Trace, number][] = [
        ["30 min job, linear progress", linearJob(30 * minutes), 60 * minutes],
        ["30 min job, stuck at 90 % after 10 min", (t) => (t >= 30 * minutes ? "done" : Math.min(90, Math.floor((100 * t) / (10 * minutes)))), 60 * minutes],
        ["30 min job, no progress field", (t) => (t >= 30 * minutes ? "done" : undefined), 60 * minutes],
        ["2 h job, 1 h deadline", linearJob(120 * minutes), 60 * minutes],
    ];
    for (const [name, trace, timeoutMs] of cases) {
        const r = await replay(trace, timeoutMs);
        const last = r.pollTimesMs[r.pollTimesMs.length - 1];
        const gaps = r.pollTimesMs.slice(1).map((t, i) => t - r.pollTimesMs[i]);
        console.log(
            `${name.padEnd(40)} ${r.outcome.padEnd(9)} ${String(r.pollTimesMs.length).padStart(3)} calls, ` +
                `last at ${(last / 1000).toFixed(1)} s, longest gap ${(Math.max(...gaps) / 1000).toFixed(1)} s`,
        );
    }
}

if (require.main === module) {
    main().catch((error) => {
        console.error(error);
        process.exitCode = 1;
    });
}
