/**
 * Response bodies of the emulated job APIs, written from the seed documents (independently of the
 * parsers in `provider/services`, so that the emulator is an oracle for them): job bodies per
 * service and state, time formats, progress curves, and Huawei-style error bodies.
 *
 * @packageDocumentation
 */

import { randomBytes, randomUUID } from "node:crypto";
import type { EmulatedOutcome, EmulatedService, FaultStatus, ProgressCurve, RomaReason } from "./types";

/** A job's state at one instant, as the emulator renders it. */
export type RenderedState = "running" | "succeeded" | "failed";

/** Everything needed to render a job body; built once by `defineJob`. */
export interface JobModel {
    /** The service. */
    service: EmulatedService;
    /** Job ID. */
    jobId: string;
    /** Project ID. */
    projectId: string;
    /** Instance ID (ROMA). */
    instanceId?: string;
    /** Job name (DWS, DDM). */
    jobName: string;
    /** Definition time, ms since the epoch. */
    definedAt: number;
    /** Duration to the terminal state, ms. */
    durationMs: number;
    /** Terminal outcome. */
    outcome: EmulatedOutcome;
    /** Failure code (DWS, CFW, ROMA). */
    failedCode: string;
    /** Failure detail (DWS, CFW, ROMA). */
    failedDetail: string;
    /** ROMA failure reasons. */
    reasons: RomaReason[];
    /** Progress curve. */
    progress: ProgressCurve;
    /** ROMA archive ID. */
    archiveId?: string;
    /** DDM instance. */
    instance: { id: string; name: string };
    /** ROMA job type. */
    jobType: "exportAsset" | "importAsset";
}

/** A job's state and progress at elapsed time `elapsedMs` (≥ 0) since definition. */
export interface JobSnapshot {
    /** State. */
    state: RenderedState;
    /** Progress in percent, 0–100, or undefined when the curve is `"none"`. */
    percent?: number;
}

/** Progress values of the `"jumpy"` curve, one per tenth of the duration. */
const JUMPY_STEPS = [0, 0, 3, 3, 40, 38, 41, 75, 75, 97] as const;

/** Evaluate a progress curve at `fraction` (0–1); percent clamped to 0–100, or undefined for `"none"`. */
export function evaluateCurve(curve: ProgressCurve, fraction: number): number | undefined {
    const f = Math.min(1, Math.max(0, fraction));
    let p: number;
    if (typeof curve === "function") p = curve(f);
    else if (curve === "none") return undefined;
    else if (curve === "linear") p = 100 * f;
    else if (curve === "stuck90") p = f < 0.3 ? 300 * f : 90;
    else p = JUMPY_STEPS[Math.min(JUMPY_STEPS.length - 1, Math.floor(f * JUMPY_STEPS.length))];
    if (!Number.isFinite(p)) return 0;
    return Math.min(100, Math.max(0, p));
}

/** The state and progress of `job` at `elapsedMs` since its definition. */
export function snapshot(job: JobModel, elapsedMs: number): JobSnapshot {
    if (elapsedMs >= job.durationMs) {
        if (job.outcome === "succeeded") return { state: "succeeded", percent: job.progress === "none" ? undefined : 100 };
        const last = evaluateCurve(job.progress, 1);
        return { state: "failed", percent: last === undefined ? undefined : Math.min(99, last) };
    }
    const fraction = job.durationMs <= 0 ? 1 : elapsedMs / job.durationMs;
    const p = evaluateCurve(job.progress, fraction);
    return { state: "running", percent: p };
}

/** `2022-11-09T20:25:00`: UTC, seconds, no zone (DWS). */
export function formatDwsTime(ms: number): string {
    return new Date(ms).toISOString().slice(0, 19);
}

/** `2018-08-06T10:41:14+0000`: UTC with a colon-less offset (DDM). */
export function formatDdmTime(ms: number): string {
    return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

/** `2019-12-06T06:49:04Z` (ROMA). */
export function formatRomaTime(ms: number): string {
    return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Integer percent text, `"9%"`. */
function percentText(p: number): string {
    return `${Math.floor(p)}%`;
}

/** The 200 body of `job` in state `snap`, exactly shaped like the service's seed document. */
export function renderJobBody(job: JobModel, snap: JobSnapshot): Record<string, unknown> {
    const begin = job.definedAt;
    const end = job.definedAt + job.durationMs;
    const terminal = snap.state !== "running";
    switch (job.service) {
        case "dws": {
            // Seed: { status, progress, job_id, job_name, begin_time, end_time, failed_code, failed_detail }.
            const body: Record<string, unknown> = {
                status: snap.state === "running" ? "RUNNING" : snap.state === "succeeded" ? "SUCCESS" : "FAIL",
            };
            if (snap.percent !== undefined) body.progress = percentText(snap.percent);
            body.job_id = job.jobId;
            body.job_name = job.jobName;
            body.begin_time = formatDwsTime(begin);
            if (terminal) body.end_time = formatDwsTime(end);
            if (snap.state === "failed") {
                body.failed_code = job.failedCode;
                body.failed_detail = job.failedDetail;
            }
            return body;
        }
        case "ddm": {
            // Seed: { job: { id, name, status, created_time, end_time, process, instance } };
            // `process` only while running, "" otherwise; no failure fields exist.
            return {
                job: {
                    id: job.jobId,
                    name: job.jobName,
                    status: snap.state === "running" ? "Running" : snap.state === "succeeded" ? "Completed" : "Failed",
                    created_time: formatDdmTime(begin),
                    end_time: terminal ? formatDdmTime(end) : "",
                    process: snap.state === "running" && snap.percent !== undefined ? percentText(snap.percent) : "",
                    instance: { id: job.instance.id, name: job.instance.name },
                },
            };
        }
        case "cfw": {
            // Seed: { data: { begin_time, end_time, id, status } } with epoch-ms times; a failure adds
            // top-level error_code / error_msg.
            const data: Record<string, unknown> = { begin_time: begin };
            if (terminal) data.end_time = end;
            data.id = job.jobId;
            data.status = snap.state === "running" ? "Running" : snap.state === "succeeded" ? "Success" : "Failed";
            const body: Record<string, unknown> = { data };
            if (snap.state === "failed") {
                body.error_code = job.failedCode;
                body.error_msg = job.failedDetail;
            }
            return body;
        }
        case "roma": {
            // Seed: { id, type, status, reason[], progress_percent, archive_id, begin_time, end_time }.
            const body: Record<string, unknown> = {
                id: job.jobId,
                type: job.jobType,
                status: snap.state === "running" ? "RUNNING" : snap.state === "succeeded" ? "SUCCEEDED" : "FAILED",
                reason: snap.state === "failed" ? job.reasons.map((r) => ({ ...r })) : [],
            };
            if (snap.percent !== undefined) body.progress_percent = Math.floor(snap.percent) / 100;
            if (job.archiveId !== undefined) body.archive_id = job.archiveId;
            body.begin_time = formatRomaTime(begin);
            if (terminal) body.end_time = formatRomaTime(end);
            return body;
        }
    }
}

/** A fresh job ID shaped like the seeds: a UUID for DDM and CFW, 32 lower-case hex for DWS and ROMA. */
export function newJobId(service: EmulatedService): string {
    return service === "ddm" || service === "cfw" ? randomUUID() : hex32();
}

/** 32 random lower-case hex characters. */
export function hex32(): string {
    return randomBytes(16).toString("hex");
}

/** Default job names per service. */
export const DEFAULT_JOB_NAMES: Record<EmulatedService, string> = {
    dws: "emulatedDwsJob",
    ddm: "CreateInstance",
    cfw: "",
    roma: "",
};

/** Default failure code and detail per service (DWS and ROMA from the seed examples). */
export const DEFAULT_FAILURES: Record<EmulatedService, { code: string; detail: string }> = {
    dws: { code: "CreateELBTask-fail:DWS.0114", detail: "DWS.0114:ELB private IP is not configured." },
    ddm: { code: "", detail: "" },
    cfw: { code: "CFW.00200005", detail: "The job failed (emulated)." },
    roma: { code: "ROMA.00000101", detail: "some error details here" },
};

/** Error-code prefix of each service, for emulator-chosen service error codes. */
const SERVICE_PREFIX: Record<EmulatedService, string> = {
    dws: "DWS.",
    ddm: "DDM.",
    cfw: "CFW.0000",
    roma: "ROMA.0000",
};

/** An emulator-chosen service error code, e.g. `serviceCode("dws", 404)` → `DWS.0404`, `serviceCode("roma", 404)` → `ROMA.00000404`. */
export function serviceCode(service: EmulatedService | undefined, status: number): string {
    const prefix = service === undefined ? "JOB." : SERVICE_PREFIX[service];
    return `${prefix}${String(status).padStart(4, "0")}`;
}

/** A Huawei error body. */
export interface HuaweiErrorBody {
    /** Error code. */
    error_code: string;
    /** Error message. */
    error_msg: string;
    /** Error details (ROMA 403 only). */
    error_details?: string;
    /** Request ID, equal to the `X-Request-Id` header. */
    request_id: string;
}

/** Default `error_code` / `error_msg` of a fault status, for `service`. */
export function faultError(status: FaultStatus, service: EmulatedService | undefined): { code: string; msg: string } {
    switch (status) {
        case 400:
            return { code: serviceCode(service, 400), msg: "Invalid request parameters." };
        case 401:
            return { code: "APIGW.0301", msg: "Incorrect IAM authentication information: token expired" };
        case 403:
            return { code: "APIGW.0302", msg: "The IAM user is not authorized to access the API." };
        case 429:
            return {
                code: "APIGW.0308",
                msg: "The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 minute",
            };
        case 500:
            return { code: serviceCode(service, 500), msg: "Internal server error." };
        case 502:
            return { code: "APIGW.0202", msg: "Backend unavailable." };
        case 503:
            return { code: serviceCode(service, 503), msg: "Service unavailable." };
        case 504:
            return { code: "APIGW.0203", msg: "Backend timeout." };
    }
}

/** Reason phrases for the HTML error pages. */
const REASONS: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
};

/** An HTML error page like a reverse proxy sends (no JSON anywhere in it). */
export function htmlErrorPage(status: number): string {
    const title = `${status} ${REASONS[status] ?? "Error"}`;
    return (
        `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
        `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
    );
}
