/**
 * One mechanism for every job API: a service is a declarative {@link ServiceSpec} (where the
 * fields are, which statuses mean what, how progress is scaled) and `defineService` turns it into
 * a {@link ServiceAdapter} with a pure `parse`. Whatever a spec reads, the mechanism passes every
 * string of it through the waiter's server-text filter: a new kind cannot forget to.
 *
 * @packageDocumentation
 */

import type { ServerTextFilter } from "../serverText";
import { optionalText, parseProgress, parseTime, ProgressScale, readPath } from "./fields";
import { JobState, JobStatus, PathId, ServiceAdapter, ServiceKind, UnexpectedBodyError } from "./types";

/** Dotted paths, from the root of the response body, of the fields a service reports. */
export interface FieldPaths {
    /** Raw status string (required in every answer). */
    status: string;
    /** Job name or type. */
    jobName?: string;
    /** Progress value. */
    progress?: string;
    /** Start time. */
    beginTime?: string;
    /** End time. */
    endTime?: string;
    /** Failure code. */
    failedCode?: string;
    /** Failure detail. */
    failedDetail?: string;
    /** A list of `{resource_type, resource_name, error_code, error_msg}` failure reasons (ROMA). The first path present wins. */
    failureReasons?: readonly string[];
    /** Instance object `{id, name}` (DDM). */
    instance?: string;
    /** Archive ID (ROMA export jobs). */
    archiveId?: string;
}

/** Declarative description of one job API. */
export interface ServiceSpec {
    /** The kind. */
    kind: ServiceKind;
    /** Human-readable name of the API. */
    title: string;
    /** The endpoint's service prefix (`dws` → `https://dws.{region}.myhuaweicloud.com`). */
    endpointService: string;
    /** Path template, e.g. `/v1.0/{project_id}/job/{job_id}`. */
    pathTemplate: string;
    /** Where each field is. */
    fields: FieldPaths;
    /** How progress is expressed. */
    progressScale: ProgressScale;
    /** Documented statuses by state. Compared case-insensitively. */
    states: Record<JobState, readonly string[]>;
}

const PLACEHOLDER_IDS: Record<string, PathId | "jobId"> = {
    project_id: "projectId",
    instance_id: "instanceId",
    job_id: "jobId",
};

/** Build a {@link ServiceAdapter} from its spec. */
export function defineService(spec: ServiceSpec): ServiceAdapter {
    const states: Record<JobState, readonly string[]> = {
        running: spec.states.running.map((s) => s.toUpperCase()),
        succeeded: spec.states.succeeded.map((s) => s.toUpperCase()),
        failed: spec.states.failed.map((s) => s.toUpperCase()),
    };
    const requiredIds = [...spec.pathTemplate.matchAll(/\{(\w+)\}/g)]
        .map((m) => PLACEHOLDER_IDS[m[1]])
        .filter((id): id is PathId => id !== undefined && id !== "jobId");
    const f = spec.fields;

    function parse(body: unknown, jobId: string, safeText: ServerTextFilter): JobStatus {
        if (body === null || typeof body !== "object" || Array.isArray(body)) {
            throw new UnexpectedBodyError(`expected a JSON object, got ${describe(body)}`);
        }
        const status = optionalText(readPath(body, f.status));
        if (status === undefined) {
            throw new UnexpectedBodyError(`no status string at "${f.status}" (got ${describe(readPath(body, f.status))})`);
        }
        // The state is decided on the status as sent: filtering must never turn "SUCCESS\u0000" into a success.
        const upper = status.toUpperCase();
        const known = (Object.keys(states) as JobState[]).find((s) => states[s].includes(upper));
        const reasons = foldReasons(f.failureReasons?.map((p) => readPath(body, p)).find(Array.isArray));
        const fromAnswer = {
            status,
            jobName: f.jobName && optionalText(readPath(body, f.jobName)),
            progress: f.progress && parseProgress(readPath(body, f.progress), spec.progressScale),
            beginTime: f.beginTime && parseTime(readPath(body, f.beginTime)),
            endTime: f.endTime && parseTime(readPath(body, f.endTime)),
            failedCode: (f.failedCode && optionalText(readPath(body, f.failedCode))) || reasons?.code,
            failedDetail: (f.failedDetail && optionalText(readPath(body, f.failedDetail))) || reasons?.detail,
            instance: f.instance && readInstance(readPath(body, f.instance)),
            archiveId: f.archiveId && optionalText(readPath(body, f.archiveId)),
        };
        const safe = (keepSafe(fromAnswer, safeText) ?? {}) as Partial<JobStatus>;
        return { service: spec.kind, jobId, state: known ?? "running", statusRecognised: known !== undefined, ...safe, status: safe.status ?? "" };
    }

    return {
        kind: spec.kind,
        title: spec.title,
        endpointService: spec.endpointService,
        pathTemplate: spec.pathTemplate,
        requiredIds,
        states,
        parse,
    };
}

/**
 * Everything read from an answer, made safe in one pass: every string, at any depth, through
 * `safeText`; what is left `undefined` or `""` (and any object or list left empty) is dropped, so
 * outputs stay clean. Numbers and booleans pass as they are.
 */
function keepSafe(value: unknown, safeText: ServerTextFilter): unknown {
    if (typeof value === "string") return safeText(value) || undefined;
    if (Array.isArray(value)) {
        const items = value.map((item) => keepSafe(item, safeText)).filter((item) => item !== undefined);
        return items.length > 0 ? items : undefined;
    }
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value)
        .map(([key, item]) => [key, keepSafe(item, safeText)] as const)
        .filter(([, item]) => item !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * Fold a list of ROMA-style failure reasons into one code and one detail line:
 * codes de-duplicated and joined with `, `; details as `type name: message` joined with `; `.
 */
function foldReasons(list: unknown[] | undefined): { code?: string; detail?: string } | undefined {
    if (!list || list.length === 0) return undefined;
    const codes: string[] = [];
    const details: string[] = [];
    for (const item of list) {
        const code = optionalText(readPath(item, "error_code"));
        if (code && !codes.includes(code)) codes.push(code);
        const subject = [readPath(item, "resource_type"), readPath(item, "resource_name")]
            .map(optionalText)
            .filter(Boolean)
            .join(" ");
        const msg = optionalText(readPath(item, "error_msg"));
        if (subject || msg) details.push(subject && msg ? `${subject}: ${msg}` : subject || msg!);
    }
    return {
        code: codes.length ? codes.join(", ") : undefined,
        detail: details.length ? details.join("; ") : undefined,
    };
}

function readInstance(value: unknown): { id?: string; name?: string } | undefined {
    const id = optionalText(readPath(value, "id"));
    const name = optionalText(readPath(value, "name"));
    return id === undefined && name === undefined ? undefined : { id, name };
}

function describe(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
    return `a ${typeof value}`;
}
