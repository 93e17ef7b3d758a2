/**
 * Faithful re-implementations of the waiters this package is compared against.
 *
 * Two of them fit this package's loop contract (poll at 0, then `policy(...)` between polls) and
 * are expressed as {@link PollPolicy} functions so that they run through the real
 * `pollUntilTerminal`. The others have semantics the loop deliberately does not have (an initial
 * delay before the first request, giving up before the deadline without a final check, a retry
 * budget), so each gets its own small loop here, written after the original source:
 *
 * | baseline         | source                                                                                  |
 * |------------------|-----------------------------------------------------------------------------------------|
 * | hw-tf-dws        | huaweicloud/terraform-provider-huaweicloud DWS job wait: StateChangeConf Delay 60 s, PollInterval 10 s |
 * |                  | (`huaweicloud/services/dws/resource_huaweicloud_dws_cluster.go`, `jobStatusRefreshFunc`) |
 * | hw-tf-ddm        | same provider, DDM job wait: Delay 5 s, PollInterval 10 s                               |
 * |                  | (`huaweicloud/services/ddm/resource_huaweicloud_ddm_instance_group.go`)                 |
 * | tf-sdk-default   | hashicorp terraform-plugin-sdk v2 helper/retry `StateChangeConf.WaitForStateContext`:  |
 * |                  | first refresh after `Delay` (0), then wait 100 ms·2 = 200 ms, doubling, capped at 10 s  |
 * | aws-sdk-v3       | @smithy/util-waiter `runPolling` (in @smithy/core 3.41): first call immediate; attempt  |
 * |                  | k waits U(min, min·2^(k−1)) s while k ≤ log2(max/min)+1 (cut to the time left − 0.5 s   |
 * |                  | when it would pass the deadline; its busy re-checks after that are not modelled), then  |
 * |                  | `maxDelay`; returns TIMEOUT when                                                        |
 * |                  | `now + delay > waitUntil` (no final check). Defaults minDelay 2 s, maxDelay 120 s.      |
 * | fixed-10s        | `while ! done; do sleep 10; done` shell loop (first check immediate)                     |
 * | p-retry-default  | sindresorhus/p-retry 7 `calculateDelay`: retries 10, factor 2, minTimeout 1 s,          |
 * |                  | randomize false → waits 1, 2, 4 … 512 s, gives up after 11 attempts (≈17 min)          |
 *
 * The StateChangeConf loop (refresh, `wait *= 2`, PollInterval override when 0 < x < 180 s,
 * MinTimeout floor, 10 s cap) was checked against terraform-plugin-sdk's
 * `helper/resource/state.go` (v2's `helper/retry` holds the same code); the AWS loop against `@aws-sdk/util-waiter/dist/cjs/poller.js`; p-retry against its `index.js`
 * (7.1.1, the version in node_modules).
 *
 * @packageDocumentation
 */

import type { PollPolicy } from "../provider/polling/policy";
import type { TracePoint } from "./traces";

/** What the job API answers at `elapsedMs` after the waiter started. */
export type Probe = (elapsedMs: number) => TracePoint;

/** The outcome of one baseline wait. */
export interface WaitRecord {
    outcome: "detected" | "timeout" | "gaveUp";
    /** Elapsed ms (since the waiter started) of every request, in order. */
    pollTimesMs: number[];
}

/** A baseline with its own loop. */
export interface OwnLoopBaseline {
    name: string;
    run(probe: Probe, timeoutMs: number, random: () => number): WaitRecord;
}

/** A baseline that is just a delay policy: run through the package's real loop. */
export interface PolicyBaseline {
    name: string;
    policy: PollPolicy;
}

/** Terraform plugin SDK v2 `StateChangeConf` (helper/retry), timing only. */
export function stateChangeConf(conf: { delayMs: number; pollIntervalMs?: number; minTimeoutMs?: number }): OwnLoopBaseline["run"] {
    return (probe, timeoutMs) => {
        const pollTimesMs: number[] = [];
        let now = conf.delayMs; // time.Sleep(conf.Delay)
        let wait = 0; // "start with 0 delay for the first loop"
        for (;;) {
            now += wait;
            if (wait === 0) wait = 100; // "first round had no wait"
            // The Timeout fires independently of the refresh goroutine: no refresh after it.
            if (now > timeoutMs) return { outcome: "timeout", pollTimesMs };
            pollTimesMs.push(now);
            if (probe(now).done) return { outcome: "detected", pollTimesMs };
            wait *= 2;
            const pi = conf.pollIntervalMs ?? 0;
            if (pi > 0 && pi < 180_000) wait = pi;
            else if (wait < (conf.minTimeoutMs ?? 0)) wait = conf.minTimeoutMs ?? 0;
            else if (wait > 10_000) wait = 10_000;
        }
    };
}

/** @smithy/util-waiter `runPolling` with `minDelay`/`maxDelay` in seconds. */
function awsRunPolling(minDelay = 2, maxDelay = 120): OwnLoopBaseline["run"] {
    return (probe, timeoutMs, random) => {
        const pollTimesMs: number[] = [0];
        if (probe(0).done) return { outcome: "detected", pollTimesMs };
        let currentAttempt = 1;
        const waitUntil = timeoutMs;
        const attemptCeiling = Math.log(maxDelay / minDelay) / Math.log(2) + 1;
        let now = 0;
        for (;;) {
            let delayMs = 1000 * (currentAttempt > attemptCeiling ? maxDelay : minDelay + random() * (minDelay * 2 ** (currentAttempt - 1) - minDelay));
            if (currentAttempt <= attemptCeiling && now + delayMs > waitUntil) delayMs = waitUntil - now - 500;
            // No final check. A cut wait of ≤ 0 ends it too: the real waiter re-checks without pause
            // through its last 0.5 s, as often as requests take, which a virtual clock cannot model.
            if (delayMs <= 0 || now + delayMs > waitUntil) return { outcome: "timeout", pollTimesMs };
            now += delayMs;
            pollTimesMs.push(now);
            if (probe(now).done) return { outcome: "detected", pollTimesMs };
            currentAttempt += 1;
        }
    };
}

/** p-retry with its defaults, treating "not done yet" as a failed attempt. */
function pRetryDefaults(): OwnLoopBaseline["run"] {
    const retries = 10;
    const factor = 2;
    const minTimeout = 1000;
    return (probe, timeoutMs) => {
        const pollTimesMs: number[] = [];
        let now = 0;
        for (let retriesConsumed = 0; ; retriesConsumed++) {
            if (now > timeoutMs) return { outcome: "timeout", pollTimesMs };
            pollTimesMs.push(now);
            if (probe(now).done) return { outcome: "detected", pollTimesMs };
            if (retries - retriesConsumed <= 0) return { outcome: "gaveUp", pollTimesMs };
            const attempt = Math.max(1, retriesConsumed + 1);
            now += Math.round(1 * minTimeout * factor ** (attempt - 1)); // randomize: false
        }
    };
}

/** Fixed interval, first check immediate: `fixed-10s`. As a policy, run through the real loop. */
const fixedIntervalPolicy =
    (ms: number): PollPolicy =>
    () =>
        ms;

/**
 * Terraform SDK defaults as a policy (Delay 0, no PollInterval, MinTimeout 0): after the n-th
 * refresh the wait is 100 ms·2^n, capped at 10 s — identical to {@link stateChangeConf} with
 * `delayMs: 0` (the benchmark checks that).
 */
const terraformSdkDefaultPolicy: PollPolicy = (obs) => Math.min(10_000, 100 * 2 ** Math.min(obs.polls, 20));

/** Bounds that let a baseline policy through unclamped. */
export const UNBOUNDED = { minIntervalMs: 0, maxIntervalMs: Number.MAX_SAFE_INTEGER };

export const OWN_LOOP_BASELINES: readonly OwnLoopBaseline[] = [
    { name: "hw-tf-dws", run: stateChangeConf({ delayMs: 60_000, pollIntervalMs: 10_000 }) },
    { name: "hw-tf-ddm", run: stateChangeConf({ delayMs: 5_000, pollIntervalMs: 10_000 }) },
    { name: "aws-sdk-v3", run: awsRunPolling(2, 120) },
    { name: "p-retry-default", run: pRetryDefaults() },
];

export const POLICY_BASELINES: readonly PolicyBaseline[] = [
    { name: "tf-sdk-default", policy: terraformSdkDefaultPolicy },
    { name: "fixed-10s", policy: fixedIntervalPolicy(10_000) },
];
