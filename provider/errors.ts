/**
 * Error classes thrown by the job waiter. Every class carries a stable `code` that callers can
 * match on (`err.code === "JOB_FAILED"`), and a message that says what happened and what to do
 * next. No message ever contains a secret key or token.
 *
 * @packageDocumentation
 */

import type { JobStatus } from "./services/types";

/** Stable codes of {@link JobWaiterError} subclasses. */
export type JobWaiterErrorCode =
    | "CONFIG_INVALID"
    | "JOB_FAILED"
    | "JOB_TIMEOUT"
    | "JOB_API_ERROR"
    | "JOB_CANCELLED";

/** Base class of every error this package throws on purpose. */
export abstract class JobWaiterError extends Error {
    /** Stable, matchable code of this error class. */
    abstract readonly code: JobWaiterErrorCode;

    constructor(message: string) {
        super(message);
        this.name = new.target.name;
    }
}

/**
 * An option or input is invalid. Thrown before any request is sent.
 * `field` names the option, `value` is the offending value (already truncated and never a
 * secret), `allowed` says what would be accepted.
 */
export class ConfigError extends JobWaiterError {
    readonly code = "CONFIG_INVALID" as const;

    constructor(
        /** The option or input that is wrong, e.g. `"jobId"`. */
        readonly field: string,
        /** A printable rendering of the rejected value (never a secret). */
        readonly value: string,
        /** What is allowed instead. */
        readonly allowed: string,
    ) {
        super(`Invalid ${field}: ${value}. Allowed: ${allowed}.`);
    }
}

/** The job reached a terminal failed state. The job's own failure fields are kept. */
export class JobFailedError extends JobWaiterError {
    readonly code = "JOB_FAILED" as const;
    /** The service's failure code (DWS `failed_code`, ROMA `reason[].error_code`, ...), if any. */
    readonly failedCode?: string;
    /** The service's failure detail (DWS `failed_detail`, ROMA `reason[].error_msg`, ...), if any. */
    readonly failedDetail?: string;
    /** The job ID that failed. */
    readonly jobId: string;

    constructor(
        /** The last status read, in which the job is failed. */
        readonly status: JobStatus,
        /** Status requests sent before the failure was seen (0 when unknown). */
        readonly polls = 0,
    ) {
        const reason = [status.failedCode, status.failedDetail].filter(Boolean).join(": ");
        super(
            `${status.service} job ${status.jobId}${status.jobName ? ` (${status.jobName})` : ""} failed ` +
                `with status "${status.status}"${reason ? `: ${reason.replace(/[.\s]+$/, "")}` : " (the service gave no failure reason)"}. ` +
                `Fix the cause in the service, then start a new job and wait on its ID.`,
        );
        this.jobId = status.jobId;
        this.failedCode = status.failedCode;
        this.failedDetail = status.failedDetail;
    }
}

/** The deadline passed before the job reached a terminal state. The job itself is left untouched. */
export class JobTimeoutError extends JobWaiterError {
    readonly code = "JOB_TIMEOUT" as const;

    constructor(
        /** The job ID waited on. */
        readonly jobId: string,
        /** Wall-clock time waited, in milliseconds. */
        readonly elapsedMs: number,
        /** Number of status requests sent. */
        readonly polls: number,
        /** The last status read, if any request succeeded. */
        readonly lastStatus: JobStatus | undefined,
        /** The deadline that was configured, in seconds. */
        readonly timeoutSeconds: number,
        /** Why the last poll read no status (a transient, throttled or 404 answer), if it did not. */
        readonly lastError?: Error,
    ) {
        const last = lastStatus
            ? `last status "${lastStatus.status}"${lastStatus.progress !== undefined ? ` at ${lastStatus.progress}%` : ""}`
            : "no status was ever read";
        const failure = lastError ? ` The last poll failed: ${lastError.message}` : "";
        super(
            `Timed out after ${(elapsedMs / 1000).toFixed(1)} s (timeoutSeconds=${timeoutSeconds}) waiting for job ${jobId}: ` +
                `${polls} poll(s), ${last}.${failure} The job may still be running: wait again with the same job ID ` +
                `and a larger timeoutSeconds.`,
        );
    }
}

/**
 * The job API answered with a permanent error (400/401/403, an unusable body, or a 404 past the
 * grace window). `httpStatus` is 0 when no HTTP answer was involved.
 */
export class JobApiError extends JobWaiterError {
    readonly code = "JOB_API_ERROR" as const;

    constructor(
        /** The job ID that was queried. */
        readonly jobId: string,
        /** HTTP status code of the answer (0 when not applicable). */
        readonly httpStatus: number,
        /** The service's `error_code`, if the body had one. */
        readonly errorCode: string | undefined,
        /** The service's `error_msg` (and `error_details`), if the body had one. */
        readonly errorMsg: string | undefined,
        /** The request ID (`X-Request-Id` header or `request_id` field), if any. */
        readonly requestId: string | undefined,
        /** What the caller can do about it. */
        readonly hint: string,
    ) {
        const service = [errorCode, errorMsg].filter(Boolean).join(": ");
        super(
            `Job API error for job ${jobId}` +
                `${httpStatus ? ` (HTTP ${httpStatus})` : ""}` +
                `${service ? `: ${service}` : ""}` +
                `${requestId ? ` [request id ${requestId}]` : ""}. ${hint}`,
        );
    }
}

/** Waiting was cancelled through the caller's `AbortSignal` (or SIGINT/SIGTERM in the provider). */
export class JobCancelledError extends JobWaiterError {
    readonly code = "JOB_CANCELLED" as const;

    constructor(
        /** The job ID that was being waited on; the job itself is left untouched. */
        readonly jobId: string,
        /** Why waiting stopped (the abort reason, as text). */
        readonly reason: string,
        /** Number of status requests sent before stopping. */
        readonly polls: number,
    ) {
        super(
            `Stopped waiting for job ${jobId} (${reason}) after ${polls} poll(s). The job was not touched and ` +
                `may still be running: run again with the same job ID to resume waiting.`,
        );
    }
}
