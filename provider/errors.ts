/**
 * Error classes thrown by the job waiter. Every class carries a stable `code` that callers can
 * match on (`err.code === "JOB_FAILED"`), and a message that says what happened and what to do
 * next. No message ever contains a secret key or token.
 *
 * @packageDocumentation
 */

import type { JobStatus } from "./services/types";

/**
 * Stable codes of {@link JobWaiterError} subclasses:
 *
 * - `CONFIG_INVALID` ({@link ConfigError}): an option or input is wrong, before any request;
 * - `JOB_FAILED` ({@link JobFailedError}): the job reached a failed state;
 * - `JOB_TIMEOUT` ({@link JobTimeoutError}): not terminal at the deadline;
 * - `JOB_API_ERROR` ({@link JobApiError}): the job API answered with an error, or no answer came;
 * - `NO_REQUEST_SLOT` ({@link NoRequestSlotError}): the process's request budget had no slot before the deadline;
 * - `JOB_CANCELLED` ({@link JobCancelledError}): the caller stopped the wait.
 */
export type JobWaiterErrorCode = "CONFIG_INVALID" | "JOB_FAILED" | "JOB_TIMEOUT" | "JOB_API_ERROR" | "NO_REQUEST_SLOT" | "JOB_CANCELLED";

/**
 * Base class of every error this package throws on purpose. Each subclass is built from one
 * object of named fields (`new JobApiError({ jobId, httpStatus, hint })`), which it keeps as
 * properties; its message is made from them.
 */
export abstract class JobWaiterError extends Error {
    /** Stable, matchable code of this error class. */
    abstract readonly code: JobWaiterErrorCode;

    /** `fields` become the error's properties (each subclass declares them). */
    constructor(message: string, fields: object) {
        super(message);
        this.name = new.target.name;
        Object.assign(this, fields);
    }
}

/**
 * An option or input is invalid (an unknown option too). Thrown before any request.
 * `field` names the option, `value` is the offending value (already truncated and never a
 * secret), `allowed` says what would be accepted.
 */
export class ConfigError extends JobWaiterError {
    readonly code = "CONFIG_INVALID" as const;
    /** The option or input that is wrong, e.g. `"jobId"`. */
    declare readonly field: string;
    /** A printable rendering of the rejected value (never a secret). */
    declare readonly value: string;
    /** What is allowed instead. */
    declare readonly allowed: string;

    constructor(fields: Pick<ConfigError, "field" | "value" | "allowed">) {
        super(`Invalid ${fields.field}: ${fields.value}. Allowed: ${fields.allowed}.`, fields);
    }
}

/** One of two settings that must be in order: its name, its value, and whether the caller set it. */
export interface OrderedSetting {
    field: string;
    value: string;
    given: boolean;
}

/**
 * The error for two settings out of order: it blames the one the caller set (both set: the low
 * one) and quotes the other, with ", the default" when it was left out. `relation` says what the
 * blamed value must be: `below` the high one, or `above` the low one.
 */
export function outOfOrderError(low: OrderedSetting, high: OrderedSetting, relation: { below: string; above: string }): ConfigError {
    const quote = (s: OrderedSetting) => `${s.field} (${s.value}${s.given ? "" : ", the default"})`;
    return low.given
        ? new ConfigError({ field: low.field, value: low.value, allowed: `a value ${relation.below} ${quote(high)}` })
        : new ConfigError({ field: high.field, value: high.value, allowed: `a value ${relation.above} ${quote(low)}` });
}

/** The job reached a terminal failed state. The job's own failure fields are kept. */
export class JobFailedError extends JobWaiterError {
    readonly code = "JOB_FAILED" as const;
    /** The last status read, in which the job is failed. */
    declare readonly status: JobStatus;
    /** Status requests sent before the failure was seen (0 when unknown). */
    declare readonly polls: number;
    /** The service's failure code (DWS `failed_code`, ROMA `reason[].error_code`, ...), if any. */
    declare readonly failedCode?: string;
    /** The service's failure detail (DWS `failed_detail`, ROMA `reason[].error_msg`, ...), if any. */
    declare readonly failedDetail?: string;
    /** The job ID that failed. */
    declare readonly jobId: string;

    constructor(fields: Pick<JobFailedError, "status"> & Partial<Pick<JobFailedError, "polls">>) {
        const { status } = fields;
        const reason = [status.failedCode, status.failedDetail].filter(Boolean).join(": ");
        super(
            `${status.service} job ${status.jobId}${status.jobName ? ` (${status.jobName})` : ""} failed ` +
                `with status "${status.status}"${reason ? `: ${reason.replace(/[.\s]+$/, "")}` : " (the service gave no failure reason)"}. ` +
                `Fix the cause in the service, then start a new job and wait on its ID.`,
            { status, polls: fields.polls ?? 0, jobId: status.jobId, failedCode: status.failedCode, failedDetail: status.failedDetail },
        );
    }
}

/** The deadline passed before the job reached a terminal state. The job itself is left untouched. */
export class JobTimeoutError extends JobWaiterError {
    readonly code = "JOB_TIMEOUT" as const;
    /** The job ID waited on. */
    declare readonly jobId: string;
    /** Wall-clock time waited, in milliseconds. */
    declare readonly elapsedMs: number;
    /** Number of status requests sent. */
    declare readonly polls: number;
    /** The last status read, if any request succeeded. */
    declare readonly lastStatus?: JobStatus;
    /** The deadline that was configured, in seconds. */
    declare readonly timeoutSeconds: number;
    /** Why the last poll read no status (a transient, throttled or 404 answer, or no request slot), if it did not. */
    declare readonly lastError?: Error;

    constructor(fields: Pick<JobTimeoutError, "jobId" | "elapsedMs" | "polls" | "lastStatus" | "timeoutSeconds" | "lastError">) {
        const { jobId, elapsedMs, polls, lastStatus, timeoutSeconds, lastError } = fields;
        const last = lastStatus
            ? `last status "${lastStatus.status}"${lastStatus.progress !== undefined ? ` at ${lastStatus.progress}%` : ""}`
            : "no status was ever read";
        const failure = lastError ? ` The last poll failed: ${lastError.message}` : "";
        super(
            `Timed out after ${(elapsedMs / 1000).toFixed(1)} s (timeoutSeconds=${timeoutSeconds}) waiting for job ${jobId}: ` +
                `${polls} poll(s), ${last}.${failure} The job may still be running: wait again with the same job ID ` +
                `and a larger timeoutSeconds.`,
            fields,
        );
    }
}

/**
 * The job API answered with an error (400/401/403, an unusable body, a 404 past the grace window;
 * as a poll's outcome also 5xx, 429 or a gateway page), or a request got no HTTP answer at all
 * (connection refused or reset, DNS failure, request timeout; thrown for a host name that still
 * does not resolve after the grace window): then `httpStatus` is absent and
 * `networkCode`/`networkMessage` say what happened.
 */
export class JobApiError extends JobWaiterError {
    readonly code = "JOB_API_ERROR" as const;
    /** The job ID that was queried. */
    declare readonly jobId: string;
    /** HTTP status code of the answer; absent when no HTTP answer came. */
    declare readonly httpStatus?: number;
    /** The service's `error_code`, if the body had one. */
    declare readonly errorCode?: string;
    /** The service's `error_msg` (and `error_details`), if the body had one. */
    declare readonly errorMsg?: string;
    /** The request ID (`X-Request-Id` header or `request_id` field), if any. */
    declare readonly requestId?: string;
    /** No HTTP answer: Node's or axios' error code (`ECONNRESET`, `ETIMEDOUT`, `ENOTFOUND`...), if the platform gave one. */
    declare readonly networkCode?: string;
    /** No HTTP answer: what the network layer said. */
    declare readonly networkMessage?: string;
    /** What the caller can do about it. */
    declare readonly hint: string;

    constructor(fields: Pick<JobApiError, "jobId" | "httpStatus" | "errorCode" | "errorMsg" | "requestId" | "networkCode" | "networkMessage" | "hint">) {
        const { jobId, httpStatus, errorCode, errorMsg, requestId, networkCode, networkMessage, hint } = fields;
        const service = [errorCode, errorMsg].filter(Boolean).join(": ");
        const network = [networkCode, networkMessage].filter(Boolean).join(": ");
        super(
            `Job API error for job ${jobId}` +
                `${httpStatus !== undefined ? ` (HTTP ${httpStatus})` : ""}` +
                `${service ? `: ${service}` : ""}` +
                `${network ? `: no HTTP answer (${network})` : ""}` +
                `${requestId ? ` [request id ${requestId}]` : ""}. ${hint}`,
            fields,
        );
    }
}

/**
 * No request could be sent before the deadline: every waiter of this process that calls the same
 * endpoint draws from one request budget (`maxRequestsPerSecond`), and it had no slot left in
 * time. No request was sent for this poll. Seen as a `JobTimeoutError`'s `lastError`, or thrown by
 * `getJobStatus`.
 */
export class NoRequestSlotError extends JobWaiterError {
    readonly code = "NO_REQUEST_SLOT" as const;
    /** The job ID that was to be queried. */
    declare readonly jobId: string;
    /** The endpoint whose budget was exhausted (scheme, host and port). */
    declare readonly origin: string;
    /** The budget's rate when the slot was refused, requests per second. */
    declare readonly maxRequestsPerSecond: number;

    constructor(fields: Pick<NoRequestSlotError, "jobId" | "origin" | "maxRequestsPerSecond">) {
        const { jobId, origin, maxRequestsPerSecond } = fields;
        super(
            `No request for job ${jobId} could be sent before the deadline: this process's request budget for ${origin} ` +
                `(maxRequestsPerSecond=${maxRequestsPerSecond}) is shared by too many waiters. Wait on fewer jobs at once, ` +
                `or raise maxRequestsPerSecond if the API allows it.`,
            fields,
        );
    }
}

/** Waiting was cancelled through the caller's `AbortSignal` (or SIGINT/SIGTERM in the provider). */
export class JobCancelledError extends JobWaiterError {
    readonly code = "JOB_CANCELLED" as const;
    /** The job ID that was being waited on; the job itself is left untouched. */
    declare readonly jobId: string;
    /** Why waiting stopped (the abort reason, as text). */
    declare readonly reason: string;
    /** Number of status requests sent before stopping. */
    declare readonly polls: number;

    constructor(fields: Pick<JobCancelledError, "jobId" | "reason" | "polls">) {
        const { jobId, reason, polls } = fields;
        super(
            `Stopped waiting for job ${jobId} (${reason}) after ${polls} poll(s). The job was not touched and ` +
                `may still be running: run again with the same job ID to resume waiting.`,
            fields,
        );
    }
}
