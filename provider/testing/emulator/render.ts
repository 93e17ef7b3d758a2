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
    /** Number of sub-jobs (kinds with sub-jobs). */
    subJobs: number;
    /** How many of the last sub-jobs fail when the job fails. */
    failedSubJobs: number;
    /** One resource ID per sub-job. */
    resourceIds: string[];
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

/** `2016-04-25T20:04:47.591Z`: ISO 8601 with milliseconds (ECS, EVS, BMS, EIP, IMS, ELB). */
export function formatIsoMsTime(ms: number): string {
    return new Date(ms).toISOString();
}

/** `2020-02-02 08:12:40.672772389 +0000 UTC`: Go's `time.String()` (CCE). */
export function formatGoTime(ms: number): string {
    const iso = new Date(ms).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000000 +0000 UTC`;
}

/** `2016-01-02 15:04:05`: UTC, no zone (SFS Turbo). */
export function formatSpaceTime(ms: number): string {
    return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** `"1684191545379"`: epoch milliseconds as a string (DCS). */
export function formatEpochText(ms: number): string {
    return String(Math.round(ms));
}

/** The raw status words of a kind, by rendered state (from each API reference). */
const STATUS_WORDS: Record<Exclude<EmulatedService, "dws" | "ddm" | "cfw" | "roma">, Record<RenderedState, string>> = {
    ecs: { running: "RUNNING", succeeded: "SUCCESS", failed: "FAIL" },
    evs: { running: "RUNNING", succeeded: "SUCCESS", failed: "FAIL" },
    bms: { running: "RUNNING", succeeded: "SUCCESS", failed: "FAIL" },
    eip: { running: "RUNNING", succeeded: "SUCCESS", failed: "FAIL" },
    ims: { running: "RUNNING", succeeded: "SUCCESS", failed: "FAIL" },
    dcs: { running: "RUNNING", succeeded: "SUCCESS", failed: "FAIL" },
    cce: { running: "Running", succeeded: "Success", failed: "Failed" },
    rds: { running: "Running", succeeded: "Completed", failed: "Failed" },
    dds: { running: "Running", succeeded: "Completed", failed: "Failed" },
    taurusdb: { running: "Running", succeeded: "Completed", failed: "Failed" },
    opengauss: { running: "Running", succeeded: "Completed", failed: "Failed" },
    elb: { running: "RUNNING", succeeded: "SUCCESS", failed: "FAIL" },
    cbr: { running: "running", succeeded: "success", failed: "failed" },
    sfsturbo: { running: "running", succeeded: "success", failed: "failed" },
    dms: { running: "EXECUTING", succeeded: "SUCCESS", failed: "FAILED" },
};

/** One sub-job's state: the job's, except that a failed job's last `failedSubJobs` fail and the others succeed. */
function subJobStates(job: JobModel, state: RenderedState): RenderedState[] {
    return Array.from({ length: job.subJobs }, (_, i) => (state !== "failed" ? state : i >= job.subJobs - job.failedSubJobs ? "failed" : "succeeded"));
}

/** The flat "netAPI" job body (ECS, EVS, BMS, EIP): sub-jobs under `entities.sub_jobs[]`, each with its entities. */
function renderFlatJob(
    job: JobModel,
    snap: JobSnapshot,
    words: Record<RenderedState, string>,
    subEntities: (id: string) => Record<string, unknown>,
): Record<string, unknown> {
    const end = job.definedAt + job.durationMs;
    const terminal = snap.state !== "running";
    const sub_jobs = subJobStates(job, snap.state).map((state, i) => ({
        status: words[state],
        entities: state === "succeeded" ? subEntities(job.resourceIds[i]) : {},
        job_id: `${job.jobId}-${i + 1}`,
        job_type: `${job.jobName}Single`,
        begin_time: formatIsoMsTime(job.definedAt),
        end_time: state === "running" ? "" : formatIsoMsTime(end),
        error_code: state === "failed" ? job.failedCode : null,
        fail_reason: state === "failed" ? job.failedDetail : null,
    }));
    return {
        status: words[snap.state],
        entities: { sub_jobs_total: job.subJobs, sub_jobs },
        job_id: job.jobId,
        job_type: job.jobName,
        begin_time: formatIsoMsTime(job.definedAt),
        end_time: terminal ? formatIsoMsTime(end) : "",
        error_code: snap.state === "failed" ? job.failedCode : null,
        fail_reason: snap.state === "failed" ? job.failedDetail : null,
    };
}

/** The RDS-family body `{ job: { id, name, status, created, ended, process|progress, instance, fail_reason } }`. */
function renderRdsFamily(job: JobModel, snap: JobSnapshot, progressKey: "process" | "progress"): Record<string, unknown> {
    const words = STATUS_WORDS.rds;
    return {
        job: {
            id: job.jobId,
            name: job.jobName,
            status: words[snap.state],
            created: formatDdmTime(job.definedAt),
            ended: snap.state === "running" ? "" : formatDdmTime(job.definedAt + job.durationMs),
            [progressKey]: snap.state === "running" && snap.percent !== undefined ? percentText(snap.percent) : "",
            instance: { id: job.instance.id, name: job.instance.name },
            fail_reason: snap.state === "failed" ? job.failedDetail : "",
        },
    };
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
        case "ecs":
        case "bms":
            // ECS ShowJobResponse / BMS ShowJobInfosResponse: each sub-job's entities name the server.
            return renderFlatJob(job, snap, STATUS_WORDS[job.service], (id) => ({ server_id: id }));
        case "evs":
            // EVS ShowJobResponse: one volume in entities.volume_id, a batch in entities.sub_jobs[].
            if (job.subJobs === 1) {
                const { entities: _batch, ...flat } = renderFlatJob(job, snap, STATUS_WORDS.evs, () => ({}));
                return { ...flat, entities: snap.state === "succeeded" ? { volume_id: job.resourceIds[0], size: 10 } : {} };
            }
            return renderFlatJob(job, snap, STATUS_WORDS.evs, (id) => ({ volume_id: id, size: 10 }));
        case "eip":
            // EIP ShowResourcesJobDetailResponse: sub-jobs have the parent's shape, no documented ID field.
            return renderFlatJob(job, snap, STATUS_WORDS.eip, () => ({}));
        case "ims": {
            // IMS ShowJobProgressResponse: entities.process_percent a fraction, entities.image_id.
            const { entities: _flat, ...flat } = renderFlatJob(job, snap, STATUS_WORDS.ims, () => ({}));
            const entities: Record<string, unknown> = {};
            if (snap.percent !== undefined) entities.process_percent = Math.floor(snap.percent) / 100;
            if (snap.state === "succeeded") entities.image_id = job.resourceIds[0];
            return { ...flat, entities };
        }
        case "dcs":
            // DCS ShowJobInfoResponse: epoch-ms strings, fail_reason only.
            return {
                job_id: job.jobId,
                job_type: job.jobName,
                status: STATUS_WORDS.dcs[snap.state],
                begin_time: formatEpochText(begin),
                end_time: terminal ? formatEpochText(end) : "",
                fail_reason: snap.state === "failed" ? job.failedDetail : "",
            };
        case "cce": {
            // CCE Job: status.phase/reason, spec.subJobs[] (full jobs), Go times.
            const words = STATUS_WORDS.cce;
            const subJobs = subJobStates(job, snap.state).map((state, i) => ({
                kind: "Job",
                metadata: { uid: `${job.jobId}-${i + 1}`, creationTimestamp: formatGoTime(begin), updateTimestamp: formatGoTime(terminal ? end : begin) },
                spec: { type: "CreateNode", clusterUID: job.instance.id, resourceID: job.resourceIds[i] },
                status: { phase: words[state], reason: state === "failed" ? job.failedDetail : "" },
            }));
            return {
                kind: "Job",
                apiVersion: "v3",
                metadata: { uid: job.jobId, creationTimestamp: formatGoTime(begin), updateTimestamp: formatGoTime(terminal ? end : begin) },
                spec: { type: job.jobName, clusterUID: job.instance.id, resourceID: job.instance.id, subJobs },
                status: { phase: words[snap.state], reason: snap.state === "failed" ? job.failedDetail : "" },
            };
        }
        case "rds":
        case "taurusdb":
            return renderRdsFamily(job, snap, "process");
        case "dds":
        case "opengauss":
            return renderRdsFamily(job, snap, "progress");
        case "elb": {
            // ELB ShowJobResponse: { job: MainJob, request_id }, sub-jobs with resource_id and entities[].
            const words = STATUS_WORDS.elb;
            const subJobs = subJobStates(job, snap.state).map((state, i) => ({
                status: words[state],
                job_id: `${job.jobId}-${i + 1}`,
                job_type: "createListener",
                resource_id: job.resourceIds[i],
                entities: [{ resource_id: job.resourceIds[i], resource_type: "listener" }],
                error_code: state === "failed" ? job.failedCode : null,
                error_msg: state === "failed" ? job.failedDetail : null,
            }));
            return {
                job: {
                    status: words[snap.state],
                    begin_time: formatIsoMsTime(begin),
                    end_time: terminal ? formatIsoMsTime(end) : "",
                    job_id: job.jobId,
                    job_type: job.jobName,
                    error_code: snap.state === "failed" ? job.failedCode : null,
                    error_msg: snap.state === "failed" ? job.failedDetail : null,
                    project_id: job.projectId,
                    resource_id: job.instance.id,
                    sub_jobs: subJobs,
                },
                request_id: hex32(),
            };
        }
        case "cbr":
            // CBR ShowOpLogResponse: operation_log with error_info and checkpoint_id.
            return {
                operation_log: {
                    id: job.jobId,
                    operation_type: job.jobName,
                    status: STATUS_WORDS.cbr[snap.state],
                    created_at: formatRomaTime(begin),
                    started_at: formatRomaTime(begin),
                    ended_at: terminal ? formatRomaTime(end) : "",
                    updated_at: formatRomaTime(terminal ? end : begin),
                    project_id: job.projectId,
                    checkpoint_id: snap.state === "succeeded" ? job.resourceIds[0] : "",
                    error_info: snap.state === "failed" ? { code: job.failedCode, message: job.failedDetail } : { code: "", message: "" },
                },
            };
        case "sfsturbo": {
            // SFS Turbo ShowJobDetailResponse: lower-case statuses, top-level sub_jobs[], zone-less times.
            const words = STATUS_WORDS.sfsturbo;
            return {
                status: words[snap.state],
                job_id: job.jobId,
                job_type: job.jobName,
                begin_time: formatSpaceTime(begin),
                end_time: terminal ? formatSpaceTime(end) : "",
                error_code: snap.state === "failed" ? job.failedCode : "",
                fail_reason: snap.state === "failed" ? job.failedDetail : "",
                sub_jobs: subJobStates(job, snap.state).map((state, i) => ({
                    status: words[state],
                    job_id: `${job.jobId}-${i + 1}`,
                    job_type: job.jobName,
                    error_code: state === "failed" ? job.failedCode : "",
                    fail_reason: state === "failed" ? job.failedDetail : "",
                })),
            };
        }
        case "dms":
            // Kafka/RabbitMQ ShowBackgroundTaskResponse: the task is tasks[0]; no failure text.
            return {
                task_count: "1",
                tasks: [
                    {
                        id: job.jobId,
                        name: job.jobName,
                        user_name: "emulated",
                        user_id: hex32(),
                        params: "{}",
                        status: STATUS_WORDS.dms[snap.state],
                        created_at: formatEpochText(begin),
                        updated_at: formatEpochText(terminal ? end : begin),
                    },
                ],
            };
    }
}

/** Kinds whose job IDs are UUIDs in their documentation; the others use 32 lower-case hex. */
const UUID_JOB_IDS: readonly EmulatedService[] = ["ddm", "cfw", "rds", "dds", "taurusdb", "opengauss", "cce", "dcs", "elb", "cbr", "dms"];

/** A fresh job ID shaped like the documentation's examples: a UUID or 32 lower-case hex. */
export function newJobId(service: EmulatedService): string {
    return UUID_JOB_IDS.includes(service) ? randomUUID() : hex32();
}

/** 32 random lower-case hex characters. */
export function hex32(): string {
    return randomBytes(16).toString("hex");
}

/** Default job names (or types) per service, from each API reference's examples. */
export const DEFAULT_JOB_NAMES: Record<EmulatedService, string> = {
    dws: "emulatedDwsJob",
    ddm: "CreateInstance",
    cfw: "",
    roma: "",
    ecs: "createServer",
    evs: "createVolume",
    bms: "baremetalBatchCreate",
    eip: "createBatchPublicip",
    ims: "createImageByInstance",
    cce: "CreateCluster",
    rds: "CreateMysqlInstance",
    dds: "CreateMongoDB",
    taurusdb: "CreateGaussDBV5Instance",
    opengauss: "CreateGaussDBInstance",
    dcs: "masterStandbySwapJob",
    elb: "copyLoadbalancer",
    cbr: "backup",
    sfsturbo: "expandShare",
    dms: "modifySpec",
};

/** Default failure code and detail per service (DWS and ROMA from the seed examples). */
export const DEFAULT_FAILURES: Record<EmulatedService, { code: string; detail: string }> = {
    dws: { code: "CreateELBTask-fail:DWS.0114", detail: "DWS.0114:ELB private IP is not configured." },
    ddm: { code: "", detail: "" },
    cfw: { code: "CFW.00200005", detail: "The job failed (emulated)." },
    roma: { code: "ROMA.00000101", detail: "some error details here" },
    ecs: { code: "Ecs.0111", detail: "insufficient quota (emulated)" },
    evs: { code: "EVS.2024", detail: "insufficient capacity (emulated)" },
    bms: { code: "BMS.0221", detail: "no flavor available (emulated)" },
    eip: { code: "VPC.0507", detail: "insufficient EIP quota (emulated)" },
    ims: { code: "IMS.0100", detail: "image file is damaged (emulated)" },
    cce: { code: "", detail: "install node failed (emulated)" },
    rds: { code: "", detail: "instance creation failed (emulated)" },
    dds: { code: "", detail: "instance creation failed (emulated)" },
    taurusdb: { code: "", detail: "instance creation failed (emulated)" },
    opengauss: { code: "", detail: "instance creation failed (emulated)" },
    dcs: { code: "", detail: "switchover failed (emulated)" },
    elb: { code: "ELB.8902", detail: "listener creation failed (emulated)" },
    cbr: { code: "BackupService.6302", detail: "backup failed (emulated)" },
    sfsturbo: { code: "SFSTurbo.0001", detail: "expansion failed (emulated)" },
    dms: { code: "", detail: "" },
};

/** Error-code prefix of each service, for emulator-chosen service error codes. */
const SERVICE_PREFIX: Record<EmulatedService, string> = {
    dws: "DWS.",
    ddm: "DDM.",
    cfw: "CFW.0000",
    roma: "ROMA.0000",
    ecs: "Ecs.",
    evs: "EVS.",
    bms: "BMS.",
    eip: "VPC.",
    ims: "IMS.",
    cce: "CCE.0",
    rds: "DBS.20",
    dds: "DBS.20",
    taurusdb: "DBS.20",
    opengauss: "DBS.20",
    dcs: "DCS.400",
    elb: "ELB.",
    cbr: "BackupService.",
    sfsturbo: "SFSTurbo.",
    dms: "DMS.0000",
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
