/**
 * Concurrency benchmark: 1,000 concurrent `waitForJob` calls against one emulator endpoint on
 * loopback, sharing one request budget. Measures, for the waiters' own process (the emulator runs
 * in a child process, so its CPU and memory are not counted):
 *
 * - peak memory per waiter: (peak RSS, peak heap used) − baseline after warm-up and GC, ÷ waiters,
 *   sampled every 50 ms;
 * - CPU per poll: `process.cpuUsage()` delta over the run ÷ requests sent;
 * - requests per second as seen by the emulator's request log: the most in any 1 s window against
 *   the token bucket's bound (burst + rate × 1 s), and in any 10 s window against burst + 10 × rate;
 * - false failures and false successes (must be 0), requests per job and detection lag, with the
 *   same figures for named baselines computed on the same job durations;
 * - coalescing: 100 waiters on the SAME job, against the requests 100 independent waiters send.
 *
 *   node dist/bench/concurrency-bench.js [--waiters 1000] [--rps 200] [--same 100] [--seed 1]
 *
 * It re-runs itself under `node --expose-gc` (for a clean memory baseline) unless it already has
 * `gc`. Exits 1 when the budget is exceeded or any wait ends wrong. Takes about a minute.
 *
 * @packageDocumentation
 */

import { spawnSync } from "node:child_process";
import { JobFailedError, JobTimeoutError } from "../provider/errors";
import { EmulatedService } from "../provider/testing/emulator";
import { DEFAULT_BURST } from "../provider/polling/budget";
import { waitForJob } from "../provider/waiter";
import { OWN_LOOP_BASELINES, stateChangeConf } from "./baselines";
import { CURVES, EmulatorHost, emulatorOptions, jobDefinition, seeded, SERVICES, waiterOptions } from "../test/support/storm";
import { fmt, maxInWindow, numberArg, printTable, quantile } from "./support";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc && !process.env.CONCURRENCY_BENCH_REEXEC) {
    const r = spawnSync(process.execPath, ["--expose-gc", __filename, ...process.argv.slice(2)], {
        stdio: "inherit",
        env: { ...process.env, CONCURRENCY_BENCH_REEXEC: "1" },
    });
    process.exit(r.status ?? 1);
}

const WAITERS = Math.round(numberArg("waiters", 1000));
const RPS = numberArg("rps", 200);
const SAME = Math.round(numberArg("same", 100));
const SEED = Math.round(numberArg("seed", 1));
/** Job durations: 5–20 s. */
const DURATION_MS: [number, number] = [5_000, 20_000];
const FAILED_SHARE = 0.15;
const TIMEOUT_S = 90;
/** Steady state: windows and CPU from this long after the start. */
const STEADY_AFTER_MS = 5_000;

interface Outcome {
    service: EmulatedService;
    durationMs: number;
    expected: "succeeded" | "failed";
    actual: string;
    polls: number;
    jobEndAt: number;
    startAt: number;
    endAt: number;
}

/** Run `run` while sampling memory every 50 ms; returns its value and the peaks. */
async function sampled<T>(run: () => Promise<T>): Promise<{ value: T; peakRss: number; peakHeap: number; samples: number }> {
    let peakRss = 0;
    let peakHeap = 0;
    let samples = 0;
    const sample = () => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
        samples++;
    };
    sample();
    const timer = setInterval(sample, 50);
    try {
        const value = await run();
        sample();
        return { value, peakRss, peakHeap, samples };
    } finally {
        clearInterval(timer);
    }
}

/** Requests and detection lag of a baseline waiter for a job of `durationMs` started with the wait. */
function baseline(run: ReturnType<typeof stateChangeConf>, durationMs: number): { polls: number; lagMs: number } {
    const r = run((t) => ({ done: t >= durationMs }), TIMEOUT_S * 1000 * 10, Math.random);
    return { polls: r.pollTimesMs.length, lagMs: r.pollTimesMs[r.pollTimesMs.length - 1] - durationMs };
}

/** The baseline of bench/baselines.ts named `name`, as the policy benchmark runs it. */
const ownLoop = (name: string) => OWN_LOOP_BASELINES.find((b) => b.name === name)!.run;

/** `while ! done; do sleep 10; done`, first check immediate: StateChangeConf without Delay, PollInterval 10 s. */
const fixed10s = (durationMs: number) => baseline(stateChangeConf({ delayMs: 0, pollIntervalMs: 10_000 }), durationMs);

const BASELINES: { name: string; note: string; run: (d: number) => { polls: number; lagMs: number } }[] = [
    { name: "fixed-10s", note: "fixed 10 s poll, first check at once", run: fixed10s },
    { name: "hw-tf-ddm", note: "Huawei Terraform provider style: Delay 5 s, PollInterval 10 s", run: (d) => baseline(ownLoop("hw-tf-ddm"), d) },
    { name: "hw-tf-dws", note: "Huawei Terraform provider style: Delay 60 s, PollInterval 10 s", run: (d) => baseline(ownLoop("hw-tf-dws"), d) },
];

async function main(): Promise<number> {
    if (!(WAITERS >= 1 && WAITERS <= 5000)) throw new Error("--waiters must be 1–5000");
    if (!(RPS > 0 && RPS <= 1000)) throw new Error("--rps must be in (0, 1000]");
    if (!(SAME >= 1 && SAME <= 1000)) throw new Error("--same must be 1–1000");
    const host = await EmulatorHost.spawn();
    try {
        const main = await host.start("main", emulatorOptions());
        const options = (service: EmulatedService, jobId: string) =>
            waiterOptions(main.endpoint, service, jobId, { timeoutSeconds: TIMEOUT_S, requestTimeoutSeconds: 10, maxRequestsPerSecond: RPS });

        // Warm-up: load every module, JIT the hot paths, open keep-alive sockets, create the budget.
        const warm = await main.define(SERVICES.map((service) => jobDefinition({ service, durationMs: 0, outcome: "succeeded" })));
        await Promise.all(warm.map(({ jobId }, i) => waitForJob(options(SERVICES[i], jobId))));
        await new Promise((r) => setTimeout(r, 1100)); // let the bucket refill
        gc?.();
        gc?.();
        const base = process.memoryUsage();
        const warmRequests = (await main.log()).length;

        // 1,000 jobs, mixed kinds, outcomes and progress curves, defined at once.
        const rng = seeded(SEED);
        const plans = Array.from({ length: WAITERS }, (_, i) => ({
            service: SERVICES[i % SERVICES.length],
            durationMs: Math.round(DURATION_MS[0] + rng() * (DURATION_MS[1] - DURATION_MS[0])),
            outcome: (rng() < FAILED_SHARE ? "failed" : "succeeded") as "succeeded" | "failed",
            progress: CURVES[(i >> 2) % CURVES.length],
        }));
        const defined = await main.define(plans.map((p) => jobDefinition({ ...p, failedCode: p.outcome === "failed" ? "BENCH.0001" : undefined })));

        const childCpu0 = (await host.usage()).cpu;
        const cpu0 = process.cpuUsage();
        const t0 = Date.now();
        let cpuSteady0: NodeJS.CpuUsage | undefined;
        const steadyTimer = setTimeout(() => (cpuSteady0 = process.cpuUsage()), STEADY_AFTER_MS);
        let syncStartMs = 0;
        let cpuStart: NodeJS.CpuUsage | undefined;
        const measured = await sampled(() => {
            const all = Promise.all(
                plans.map(async (plan, i): Promise<Outcome> => {
                    const { jobId, definedAt } = defined[i];
                    const startAt = Date.now();
                    let actual: string;
                    let polls: number;
                    try {
                        const done = await waitForJob(options(plan.service, jobId));
                        actual = "succeeded";
                        polls = done.polls;
                    } catch (error) {
                        actual = error instanceof JobFailedError ? "failed" : error instanceof JobTimeoutError ? "timeout" : String(error);
                        polls = (error as { polls?: number }).polls ?? 0;
                    }
                    return {
                        service: plan.service,
                        durationMs: plan.durationMs,
                        expected: plan.outcome,
                        actual,
                        polls,
                        jobEndAt: definedAt + plan.durationMs,
                        startAt,
                        endAt: Date.now(),
                    };
                }),
            );
            // All waitForJob calls are made in this one synchronous stretch ("at once").
            syncStartMs = Date.now() - t0;
            cpuStart = process.cpuUsage(cpu0);
            return all;
        });
        const cpu = process.cpuUsage(cpu0);
        const tEnd = Date.now();
        const wallS = (tEnd - t0) / 1000;
        clearTimeout(steadyTimer);
        const cpuSteady = cpuSteady0 ? process.cpuUsage(cpuSteady0) : undefined;

        const childUsage = await host.usage();
        const outcomes = measured.value;
        const log = (await main.log()).slice(warmRequests);
        const childCpuUs = childUsage.cpu.user + childUsage.cpu.system - (childCpu0.user + childCpu0.system);

        // Outcomes.
        const falseFailures = outcomes.filter((o) => o.expected === "succeeded" && o.actual !== "succeeded").length;
        const falseSuccesses = outcomes.filter((o) => o.expected !== "succeeded" && o.actual === "succeeded").length;
        const wrong = outcomes.filter((o) => o.actual !== o.expected);
        const polls = outcomes.reduce((s, o) => s + o.polls, 0);

        // Rate as seen by the emulator.
        const times = log.map((r) => r.at).sort((a, b) => a - b);
        const max1 = maxInWindow(times, 1000);
        const max10 = maxInWindow(times, 10_000);
        const steadyTimes = times.filter((t) => t >= t0 + STEADY_AFTER_MS);
        const max1Steady = maxInWindow(steadyTimes, 1000);
        const cpuUs = (u: NodeJS.CpuUsage | undefined) => (u ? u.user + u.system : NaN);
        const firstAtMs = times.length > 0 ? times[0] - t0 : NaN;
        const bound1 = DEFAULT_BURST + RPS;
        const bound10 = DEFAULT_BURST + 10 * RPS;

        // Requests and lag per job, ours and the baselines' on the same durations.
        const lags = outcomes.filter((o) => o.actual === o.expected).map((o) => o.endAt - o.jobEndAt);
        const perJob = polls / WAITERS;
        const baselines = BASELINES.map((b) => {
            const runs = plans.map((p) => b.run(p.durationMs));
            return {
                ...b,
                perJob: runs.reduce((s, r) => s + r.polls, 0) / runs.length,
                p50: quantile(
                    runs.map((r) => r.lagMs),
                    0.5,
                ),
                p95: quantile(
                    runs.map((r) => r.lagMs),
                    0.95,
                ),
            };
        });

        // Coalescing: SAME waiters on one job, on a second emulator with the default budget (10/s).
        const coal = await host.start("coalescing", emulatorOptions());
        const [{ jobId: sharedJob }] = await coal.define([jobDefinition({ service: "dws", durationMs: 10_000, outcome: "succeeded", progress: "linear" })]);
        const sharedResults = await Promise.all(
            Array.from({ length: SAME }, () =>
                waitForJob(waiterOptions(coal.endpoint, "dws", sharedJob, { timeoutSeconds: TIMEOUT_S })).then(
                    (done) => ({ ok: true, polls: done.polls }),
                    (error: { polls?: number }) => ({ ok: false, polls: error.polls ?? 0 }),
                ),
            ),
        );
        const sharedRequests = await coal.count(sharedJob);
        const sharedPolls = sharedResults.reduce((s, r) => s + r.polls, 0);
        const sharedFalse = sharedResults.filter((r) => !r.ok).length;
        const fixedShared = SAME * fixed10s(10_000).polls;

        // The table.
        const kib = (bytes: number) => fmt(bytes / 1024 / WAITERS, 1);
        const ratio = (ours: number, theirs: number) => (theirs > 0 ? `${fmt(ours / theirs, 2)}×` : "n/a");
        console.log(
            `Concurrency: ${WAITERS} concurrent waitForJob calls, jobs ${DURATION_MS[0] / 1000}–${DURATION_MS[1] / 1000} s ` +
                `(dws/ddm/roma/cfw, curves ${CURVES.join("/")}, ${fmt(FAILED_SHARE * 100)} % failing), one endpoint, budget ${RPS} req/s ` +
                `(burst ${DEFAULT_BURST}), default poll bounds, AK/SK signed; emulator in a child process; ` +
                `node ${process.version}${gc ? " --expose-gc" : " (no --expose-gc: baseline without GC)"}; wall ${fmt(wallS, 1)} s\n`,
        );
        const rows: (string | number)[][] = [
            [
                "false failures / false successes / other wrong",
                `${falseFailures} / ${falseSuccesses} / ${wrong.length - falseFailures - falseSuccesses}`,
                "must be 0",
                "",
                "",
            ],
            [
                "jobs succeeded / failed (as defined)",
                `${outcomes.filter((o) => o.actual === "succeeded").length} / ${outcomes.filter((o) => o.actual === "failed").length}`,
                "defined",
                `${plans.filter((p) => p.outcome === "succeeded").length} / ${plans.filter((p) => p.outcome === "failed").length}`,
                "",
            ],
            ["peak RSS Δ per waiter (KiB)", kib(measured.peakRss - base.rss), "", "", ""],
            ["peak heap-used Δ per waiter (KiB)", kib(measured.peakHeap - base.heapUsed), "", "", ""],
            [
                "CPU per poll, waiter process, whole run (µs)",
                fmt(cpuUs(cpu) / polls),
                "emulator CPU per request (µs)",
                fmt(childCpuUs / Math.max(1, log.length)),
                "",
            ],
            [`CPU per poll, steady state (t ≥ ${STEADY_AFTER_MS / 1000} s) (µs)`, fmt(cpuUs(cpuSteady) / steadyTimes.length), "", "", ""],
            [
                "synchronous start of all waitForJob calls (ms) / CPU per waiter (µs)",
                `${syncStartMs} / ${fmt(cpuUs(cpuStart) / WAITERS)}`,
                "first request at the emulator (ms after start)",
                firstAtMs,
                "",
            ],
            ["requests sent (emulator log) / polls counted", `${log.length} / ${polls}`, "", "", ""],
            ["max requests in any 1 s window", max1.count, "token-bucket bound: burst + rate × 1 s", bound1, max1.count <= bound1 ? "OK" : "EXCEEDED"],
            [
                `max requests in any 1 s window from t ≥ ${STEADY_AFTER_MS / 1000} s`,
                max1Steady.count,
                "token-bucket bound (rate alone)",
                `${bound1} (${RPS})`,
                max1Steady.count <= bound1 ? "OK" : "EXCEEDED",
            ],
            [
                "max requests in any 10 s window ÷ 10 (req/s)",
                fmt(max10.count / 10, 1),
                "bound: (burst + rate × 10 s) ÷ 10",
                fmt(bound10 / 10, 1),
                max10.count <= bound10 ? "OK" : "EXCEEDED",
            ],
            ["mean requests over the run (req/s)", fmt(log.length / wallS, 1), "budget rate", RPS, ""],
        ];
        for (const b of baselines) rows.push([`requests per job`, fmt(perJob, 2), `${b.name} (${b.note})`, fmt(b.perJob, 2), ratio(perJob, b.perJob)]);
        for (const b of baselines) {
            rows.push([
                `detection lag p50 / p95 (s)`,
                `${fmt(quantile(lags, 0.5) / 1000, 2)} / ${fmt(quantile(lags, 0.95) / 1000, 2)}`,
                b.name,
                `${fmt(b.p50 / 1000, 2)} / ${fmt(b.p95 / 1000, 2)}`,
                `${ratio(quantile(lags, 0.5), b.p50)} / ${ratio(quantile(lags, 0.95), b.p95)}`,
            ]);
        }
        rows.push(
            [
                `coalescing: ${SAME} waiters on one 10 s job — requests sent`,
                sharedRequests,
                `no coalescing (Σ polls of the ${SAME} waiters)`,
                sharedPolls,
                ratio(sharedRequests, sharedPolls),
            ],
            [`coalescing: requests sent`, sharedRequests, `${SAME} × fixed-10s`, fixedShared, ratio(sharedRequests, fixedShared)],
            [`coalescing: false failures`, sharedFalse, "must be 0", "", ""],
        );
        printTable(["figure", "ours", "baseline / bound", "value", "ratio / verdict"], rows);
        console.log(
            `\nMemory: baseline RSS ${fmt(base.rss / 2 ** 20, 1)} MiB, heap ${fmt(base.heapUsed / 2 ** 20, 1)} MiB; ` +
                `peaks ${fmt(measured.peakRss / 2 ** 20, 1)} / ${fmt(measured.peakHeap / 2 ** 20, 1)} MiB over ${measured.samples} samples. ` +
                `CPU ${fmt((cpu.user + cpu.system) / 1000)} ms for ${polls} polls.`,
        );

        const failures: string[] = [];
        if (max1.count > bound1) {
            failures.push(
                `budget exceeded: ${max1.count} requests in the 1 s window from t = ${fmt((max1.from - t0) / 1000, 2)} s (bound ${bound1} = burst ${DEFAULT_BURST} + ${RPS}/s × 1 s); ` +
                    `the synchronous start took ${syncStartMs} ms and the first request reached the emulator ${firstAtMs} ms after the start: ` +
                    `tokens are charged when granted, and those granted before the requests could go out reach the server together with those granted next`,
            );
        }
        if (max10.count > bound10) failures.push(`budget exceeded: ${max10.count} requests in a 10 s window (bound ${bound10})`);
        for (const o of wrong.slice(0, 20)) failures.push(`${o.service} job of ${o.durationMs} ms: expected ${o.expected}, got ${o.actual}`);
        if (sharedFalse > 0) failures.push(`${sharedFalse} coalesced waiters did not succeed`);
        if (failures.length > 0) {
            console.log(`\nFAIL:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
            return 1;
        }
        console.log("\nOK: budget held, zero false failures, zero false successes.");
        return 0;
    } finally {
        await host.close();
    }
}

if (gc || process.env.CONCURRENCY_BENCH_REEXEC) {
    main().then(
        (code) => process.exit(code),
        (error) => {
            console.error(error);
            process.exit(2);
        },
    );
}
