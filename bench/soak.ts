/**
 * Soak: the fault-injection storm of test/integration/faults.test.ts, bigger and longer. Jobs of
 * every kind and category start spread over the run, against an emulator in a child process
 * (loopback only) that injects seeded random transient faults into a configurable share of the
 * requests. Prints jobs by outcome, requests, faults served by kind, false failures and
 * successes, the worst overshoot past a deadline and the detection lag; exits 1 on any wrong
 * outcome, hang, time-bound or Retry-After violation.
 *
 *   node dist/bench/soak.js [--jobs 400] [--rate 0.3] [--seconds 60] [--seed 7]
 *
 * Bounded: `--jobs` at most 5000, `--seconds` at most 600; the run ends about `--seconds` after it
 * starts (every wait has a deadline; a watchdog declares a wait hung 3 s past deadline + request
 * timeout).
 *
 * @packageDocumentation
 */

import {
    CATEGORIES,
    checkOutcomes,
    checkPermanent,
    checkRetryAfter,
    checkTiming,
    detectionLags,
    EmulatorHost,
    faultLabel,
    randomFaultStats,
    runStorm,
    SLACK_MS,
    StormConfig,
    stormEmulatorOptions,
    stormFaults,
    TIMER_TOLERANCE_MS,
} from "../test/support/storm";
import { fmt, numberArg, printTable, quantile } from "./support";

async function main(): Promise<number> {
    const jobs = Math.round(numberArg("jobs", 400));
    const rate = numberArg("rate", 0.3);
    const seconds = numberArg("seconds", 60);
    const seed = Math.round(numberArg("seed", 7));
    if (!(jobs >= 1 && jobs <= 5000)) throw new Error("--jobs must be 1–5000");
    if (!(rate >= 0 && rate <= 0.9)) throw new Error("--rate must be 0–0.9 (at 1 no request ever succeeds)");
    if (!(seconds >= 10 && seconds <= 600)) throw new Error("--seconds must be 10–600");

    // Same timing as the suite (1 s request timeout, 20–200 ms polls), longer jobs. Every wait fits
    // in ~12 s (10 s jobs + margin for the lag); starts are spread over the rest of the run.
    const maxDurationMs = Math.min(10_000, (seconds * 1000) / 4);
    const cfg: StormConfig = {
        jobs,
        faultRate: rate,
        seed,
        requestTimeoutMs: 1000,
        minPollMs: 20,
        maxPollMs: 200,
        maxRequestsPerSecond: 1000,
        durationMs: [200, maxDurationMs],
        neverEndsTimeoutMs: [1000, maxDurationMs],
        finishMarginMs: 5000,
        graceMs: 3000,
        lateVisibleMs: [100, 2000],
        neverVisibleGraceMs: 1000,
        startSpreadMs: Math.max(0, seconds * 1000 - maxDurationMs - 2000),
        retryAfterDateLeadMs: 3000,
        slowBeyondMs: 2500,
        slowWithinMs: 200,
        hangAfterMs: 3000,
    };

    const host = await EmulatorHost.spawn();
    try {
        const faults = stormFaults(cfg, Date.now());
        const emulator = await host.start("soak", stormEmulatorOptions(cfg, faults));
        console.log(
            `Soak: ${jobs} jobs (${CATEGORIES.length} categories × 4 services, cycled), fault rate ${fmt(rate * 100)} %, seed ${seed}, ` +
                `starts spread over ${fmt(cfg.startSpreadMs / 1000, 1)} s, jobs ${cfg.durationMs[0]}–${cfg.durationMs[1]} ms, ` +
                `polls ${cfg.minPollMs}–${cfg.maxPollMs} ms, request timeout ${cfg.requestTimeoutMs} ms, emulator in a child process on ${emulator.endpoint}`,
        );
        const run = await runStorm(cfg, emulator, faults);
        const wall = (run.finishedAt - run.startedAt) / 1000;

        const outcomes = checkOutcomes(run);
        const timing = checkTiming(run, SLACK_MS);
        const retry = checkRetryAfter(run, TIMER_TOLERANCE_MS);
        const permanent = checkPermanent(run);
        const random = randomFaultStats(run);
        const lags = detectionLags(run);
        const overshoots = run.jobs.map((j) => j.endAt - j.deadlineAt);
        const timeoutOvershoots = run.jobs.filter((j) => j.actual.kind === "timeout").map((j) => j.endAt - j.deadlineAt);
        const jobRequests = run.log.filter((r) => r.jobId !== undefined);

        console.log(`\nJobs by outcome (wall time ${fmt(wall, 1)} s)\n`);
        const kinds = ["succeeded", "failed", "timeout", "apiError", "cancelled", "hung", "other"];
        printTable(
            ["outcome", "expected", "actual"],
            kinds
                .map((k) => [k, run.jobs.filter((j) => j.plan.expected.kind === k).length, run.jobs.filter((j) => j.actual.kind === k).length])
                .filter(([, e, a]) => e !== 0 || a !== 0),
        );

        console.log("\nFaults served\n");
        const served = new Map<string, number>();
        for (const r of jobRequests) {
            const name = faultLabel(r);
            if (name) served.set(name, (served.get(name) ?? 0) + 1);
        }
        printTable(
            ["fault", "served", "of which random"],
            [...served.entries()].sort((a, b) => b[1] - a[1]).map(([name, n]) => [name, n, random.byLabel.get(name) ?? 0]),
        );

        console.log("\nFigures\n");
        printTable(
            ["figure", "value", "bar"],
            [
                ["requests (all / per s)", `${jobRequests.length} / ${fmt(jobRequests.length / wall)}`, ""],
                [
                    "random-fault share of requests",
                    `${fmt((100 * random.faulted) / random.requests, 1)} % (${random.faulted}/${random.requests})`,
                    `≈ ${fmt(rate * 100)} %`,
                ],
                ["false failures", outcomes.falseFailures, "0"],
                ["false successes", outcomes.falseSuccesses, "0"],
                ["other wrong outcomes", outcomes.wrong.length - outcomes.falseFailures - outcomes.falseSuccesses, "0"],
                ["hung waits", outcomes.hung, "0"],
                ["max overshoot past deadline, any job (ms)", fmt(Math.max(...overshoots)), `≤ ${cfg.requestTimeoutMs} (+${SLACK_MS} scheduling)`],
                [
                    "timeouts: overshoot p50 / max (ms)",
                    `${fmt(quantile(timeoutOvershoots, 0.5))} / ${fmt(Math.max(...timeoutOvershoots))}`,
                    `≤ ${cfg.requestTimeoutMs} (+${SLACK_MS} scheduling)`,
                ],
                ["detection lag p50 / p95 / max (ms)", `${fmt(quantile(lags, 0.5))} / ${fmt(quantile(lags, 0.95))} / ${fmt(Math.max(...lags))}`, ""],
                ["time-bound violations", timing.length, "0"],
                [
                    "Retry-After checked / cut by deadline / min margin (ms)",
                    `${retry.checked} / ${retry.cappedByDeadline} / ${fmt(retry.minMarginMs)}`,
                    `margin ≥ −${TIMER_TOLERANCE_MS}`,
                ],
                ["Retry-After violations", retry.violations.length, "0"],
                ["permanent errors with ≠ 1 request", permanent.length, "0"],
            ],
        );

        const problems = [...outcomes.wrong, ...timing, ...retry.violations, ...permanent];
        if (problems.length > 0) {
            console.log(`\nFAIL: ${problems.length} problem(s):`);
            for (const p of problems.slice(0, 50)) console.log(`  - ${p}`);
            return 1;
        }
        console.log("\nOK: every job reached its expected outcome within its bounds.");
        return 0;
    } finally {
        await host.close();
    }
}

main().then(
    (code) => process.exit(code),
    (error) => {
        console.error(error);
        process.exit(2);
    },
);
