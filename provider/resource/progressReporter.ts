/**
 * Progress lines for `pulumi up`. The dynamic-provider host is not connected to the engine's log
 * service; only its plain stdout/stderr reaches the CLI. So the provider prints one line when
 * something changed (status, whole-percent progress, or whether there is an ETA), at most once per
 * `minIntervalMs`, one at least every `heartbeatMs` while statuses are read (a job without
 * progress would otherwise print nothing between its first and last line), and always the
 * terminal line — never one line per poll. Polls that read no status (an outage of the job API,
 * throttling, a job not visible yet) print lines by the same rules, so an outage is seen while
 * it lasts; the first status read after such a line prints at once, so is its end.
 *
 * @packageDocumentation
 */

import { JobApiError, JobWaiterError } from "../errors";
import { isRemainingTime, RetryUpdate, StatusUpdate } from "../polling/loop";

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
    /** Where lines go. */
    write: (line: string) => void;
    /** Current time in ms. Default `performance.now` (monotonic: a step of the wall clock neither silences lines nor skews "after …"). */
    now?: () => number;
    /** Least time between two non-terminal lines (but for the first status after a retry line), in ms. Default 10 000. */
    minIntervalMs?: number;
    /** Longest time without a line while statuses are read, in ms. Default 120 000. */
    heartbeatMs?: number;
    /** The job as retry lines name it before a status has been read, e.g. `dws job 2c90…`. */
    job: string;
}

/** The hooks of one wait: `status` for `onProgress`, `retry` for `onRetry`. */
export interface ProgressReporter {
    status(update: StatusUpdate): void;
    retry(update: RetryUpdate): void;
}

/** Returns the hooks that print change-only, rate-limited lines. */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
    const now = options.now ?? (() => performance.now());
    const minIntervalMs = options.minIntervalMs ?? 10_000;
    const heartbeatMs = options.heartbeatMs ?? 120_000;
    const start = now();
    let last: { key: string; at: number; retry: boolean } | undefined;
    /**
     * Print `line()` unless it says what the last line said within `heartbeatMs`, or comes within
     * `minIntervalMs` of it. The terminal line, and the first status after a retry line (the
     * outage is over), always print.
     */
    const report = (key: string, kind: { retry: boolean; terminal: boolean }, line: (elapsedMs: number) => string) => {
        const at = now();
        const urgent = kind.terminal || (!kind.retry && last?.retry === true);
        if (last !== undefined && !urgent) {
            if (key === last.key && kind.retry === last.retry && at - last.at < heartbeatMs) return;
            if (at - last.at < minIntervalMs) return;
        }
        last = { key, at, retry: kind.retry };
        options.write(line(at - start));
    };
    let job = options.job;
    return {
        status(status) {
            job = jobLabel(status);
            const eta = status.estimatedRemainingMs === undefined ? "" : "eta";
            const key = `${status.status}|${status.progress === undefined ? "" : Math.floor(status.progress)}|${eta}`;
            report(key, { retry: false, terminal: status.state !== "running" }, (elapsedMs) => formatProgressLine(status, elapsedMs));
        },
        retry(retry) {
            const reason = shortReason(retry.error);
            report(`${retry.kind}|${reason}`, { retry: true, terminal: false }, (elapsedMs) => formatRetryLine(job, retry, reason, elapsedMs));
        },
    };
}

/** What a retry line says a poll got. */
const RETRY_WORDS: Record<RetryUpdate["kind"], string> = { transient: "no status", throttled: "throttled", notFound: "not found yet" };

/**
 * A retry line: `jobwaiter: dws job 2c90… no status after 3m10s (4 in a row: HTTP 503 DWS.5000), next try in 40s`.
 */
function formatRetryLine(job: string, retry: RetryUpdate, reason: string, elapsedMs: number): string {
    const next = retry.nextPollInMs > 0 ? `, next try in ${formatEta(retry.nextPollInMs)}` : "";
    return `jobwaiter: ${job} ${RETRY_WORDS[retry.kind]} after ${formatDuration(elapsedMs)} (${retry.consecutiveErrors} in a row: ${reason})${next}`;
}

/**
 * A poll's error in a few words: the HTTP status and the service's or the network's code, else
 * the error's code or class name. Never its message: cut to a few words, a message could keep the
 * start of a secret that the line's redaction no longer recognises.
 */
function shortReason(error: Error): string {
    if (error instanceof JobApiError) {
        const words = [error.httpStatus === undefined ? undefined : `HTTP ${error.httpStatus}`, error.errorCode, error.networkCode].filter(Boolean);
        if (words.length > 0) return words.join(" ");
    }
    return error instanceof JobWaiterError ? error.code : error.name;
}

/** `dws job 2c90… (createCluster)`: the job as a status names it. */
function jobLabel(status: StatusUpdate): string {
    return `${status.service} job ${status.jobId}${status.jobName ? ` (${status.jobName})` : ""}`;
}

/**
 * One progress line: `jobwaiter: dws job 2c90… (createCluster) RUNNING 45% after 2m05s`, and
 * `, about 3m left` when the policy forecasts the end.
 */
export function formatProgressLine(status: StatusUpdate, elapsedMs: number): string {
    const progress = status.progress === undefined ? "" : ` ${Math.floor(status.progress)}%`;
    const job = jobLabel(status);
    const unknown = status.statusRecognised ? "" : " [unrecognised status, treated as running]";
    const remaining = status.estimatedRemainingMs;
    const eta = isRemainingTime(remaining) ? `, about ${formatEta(remaining)} left` : "";
    return `jobwaiter: ${job} ${status.status}${progress}${unknown} after ${formatDuration(elapsedMs)}${eta}`;
}

/** A forecast remaining time, as precise as a forecast is: `40s`, `3m`, `1h20m` (whole seconds, minutes, then 10-minute steps). */
export function formatEta(ms: number): string {
    const s = Math.max(1, Math.round(ms / 1000));
    if (s < 60) return `${s}s`;
    const minutes = Math.round(s / 60);
    if (minutes < 60) return `${minutes}m`;
    const tenMinutes = Math.round(s / 600);
    const h = Math.floor(tenMinutes / 6);
    const m = (tenMinutes % 6) * 10;
    return m === 0 ? `${h}h` : `${h}h${m}m`;
}

/** `65_000` → `1m05s`; `3_725_000` → `1h02m05s`. */
export function formatDuration(ms: number): string {
    const total = Math.max(0, Math.round(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    const pad = (n: number) => String(n).padStart(2, "0");
    if (h > 0) return `${h}h${pad(m)}m${pad(s)}s`;
    if (m > 0) return `${m}m${pad(s)}s`;
    return `${s}s`;
}
