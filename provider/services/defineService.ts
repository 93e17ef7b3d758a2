/**
 * One mechanism for every job API: a service is a declarative {@link ServiceSpec} (where the
 * fields are, which statuses mean what, how progress is scaled) and `defineService` turns it into
 * a {@link ServiceAdapter} with a pure `parse`. Whatever a spec reads, the mechanism passes every
 * string of it through the waiter's server-text filter: a new kind cannot forget to.
 *
 * @packageDocumentation
 */

import { clipText, MAX_SERVER_TEXT, type ServerTextFilter } from "../serverText";
import { optionalText, parseProgress, parseTime, ProgressScale, readAll, readPath } from "./fields";
import { JobState, JobStatus, PathId, ServiceAdapter, ServiceKind, SubJobStatus, UnexpectedBodyError } from "./types";

/** One field path, or several of which the first one present wins. Paths may use `[N]` and `[]` (see `readAll`). */
export type PathChoice = string | readonly string[];

/** Where, inside each sub-job, its fields are (paths relative to the sub-job). */
export interface SubJobPaths {
    /** Path, from the root of the body, of the sub-jobs: ends with `[]` (`"entities.sub_jobs[]"`). */
    list: string;
    /** Raw status string; read with the kind's status table. */
    status: string;
    /** Sub-job ID. */
    jobId?: string;
    /** Sub-job type. */
    jobType?: string;
    /** Failure code. */
    failedCode?: PathChoice;
    /** Failure detail. */
    failedDetail?: PathChoice;
    /** Resource IDs the sub-job produced: every value at every path, in order. */
    resourceIds?: readonly string[];
}

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
    failedCode?: PathChoice;
    /** Failure detail. */
    failedDetail?: PathChoice;
    /** A list of `{resource_type, resource_name, error_code, error_msg}` failure reasons (ROMA). The first path present wins. */
    failureReasons?: readonly string[];
    /** Instance object `{id, name}` (DDM, RDS family). */
    instance?: string;
    /** Archive ID (ROMA export jobs). */
    archiveId?: string;
    /** Resource IDs the job itself produced: every value at every path, in order (the sub-jobs' follow). */
    resourceIds?: readonly string[];
    /** The sub-jobs of a batch job. */
    subJobs?: SubJobPaths;
}

/** Declarative description of one job API. */
export interface ServiceSpec {
    /** The kind. */
    kind: ServiceKind;
    /** Human-readable name of the API. */
    title: string;
    /** The endpoint's service prefix (`dws` → `https://dws.{region}.myhuaweicloud.com`). */
    endpointService: string;
    /** Path template, e.g. `/v1.0/{project_id}/job/{job_id}`; a query may carry an ID (`/v3/{project_id}/jobs?id={job_id}`). */
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
            throw new UnexpectedBodyError(`expected a JSON object, got ${describe(body, safeText)}`);
        }
        const status = optionalText(readPath(body, f.status));
        if (status === undefined) {
            throw new UnexpectedBodyError(`no status string at "${f.status}" (got ${describe(readPath(body, f.status), safeText)})`);
        }
        const reasons = foldReasons(f.failureReasons?.map((p) => readPath(body, p)).find(Array.isArray));
        const subJobs = f.subJobs && readAll(body, f.subJobs.list).map((item) => readSubJob(item, f.subJobs!, states));
        const failedSubJobs = subJobs?.filter((sub) => sub.state === "failed") ?? [];
        // The state is decided on the status as sent: filtering must never turn "SUCCESS\u0000" into a success.
        const known = stateOf(status, states);
        // A batch whose parent says success while a sub-job failed did not do all it was asked: failed.
        const state = known === "succeeded" && failedSubJobs.length > 0 ? "failed" : (known ?? "running");
        const fromAnswer = {
            status,
            jobName: f.jobName && optionalText(readPath(body, f.jobName)),
            progress: f.progress && parseProgress(readPath(body, f.progress), spec.progressScale),
            beginTime: f.beginTime && parseTime(readPath(body, f.beginTime)),
            endTime: f.endTime && parseTime(readPath(body, f.endTime)),
            failedCode:
                firstText(body, f.failedCode) ?? reasons?.code ?? (state === "failed" ? failedSubJobs.find((sub) => sub.failedCode)?.failedCode : undefined),
            failedDetail: describeFailure(firstText(body, f.failedDetail) ?? reasons?.detail, state === "failed" ? failedSubJobs : [], safeText),
            instance: f.instance && readInstance(readPath(body, f.instance)),
            archiveId: f.archiveId && optionalText(readPath(body, f.archiveId)),
            resourceIds: nonEmpty(unique([...readTexts(body, f.resourceIds), ...(subJobs ?? []).flatMap((sub) => sub.resourceIds ?? [])])),
            subJobs: subJobs && nonEmpty(subJobs),
        };
        const safe = (keepSafe(fromAnswer, safeText) ?? {}) as Partial<JobStatus>;
        // A status is always a string, empty when the service sent none (or nothing printable).
        const subJobStatuses = safe.subJobs && { subJobs: safe.subJobs.map((sub) => ({ ...sub, status: sub.status ?? "" })) };
        return { service: spec.kind, jobId, state, statusRecognised: known !== undefined, ...safe, ...subJobStatuses, status: safe.status ?? "" };
    }

    return {
        kind: spec.kind,
        title: spec.title,
        endpointService: spec.endpointService,
        pathTemplate: spec.pathTemplate,
        requiredIds,
        states,
        spec,
        parse,
    };
}

/** At most this many failed sub-jobs are named in `failedDetail`; the rest are counted. */
export const MAX_NAMED_SUB_JOB_FAILURES = 10;
/** Longest part of a `failedDetail` that names failed sub-jobs (the job's own detail, or one sub-job), so several fit beside the count. */
export const MAX_FAILURE_PART_TEXT = 100;

/** The state a status maps to in a kind's table, or `undefined` when the table does not know it. */
function stateOf(status: string, states: Readonly<Record<JobState, readonly string[]>>): JobState | undefined {
    const upper = status.toUpperCase();
    return (Object.keys(states) as JobState[]).find((s) => states[s].includes(upper));
}

/** Read one sub-job with the kind's status table. A sub-job without a status is running and flagged. */
function readSubJob(item: unknown, paths: SubJobPaths, states: Readonly<Record<JobState, readonly string[]>>): SubJobStatus {
    const status = optionalText(readPath(item, paths.status));
    const known = status === undefined ? undefined : stateOf(status, states);
    const sub: SubJobStatus = { state: known ?? "running", status: status ?? "", statusRecognised: known !== undefined };
    assignDefined(sub, {
        jobId: paths.jobId && optionalText(readPath(item, paths.jobId)),
        jobType: paths.jobType && optionalText(readPath(item, paths.jobType)),
        resourceIds: nonEmpty(unique(readTexts(item, paths.resourceIds))),
        failedCode: firstText(item, paths.failedCode),
        failedDetail: firstText(item, paths.failedDetail),
    });
    return sub;
}

/**
 * The job's own detail; when sub-jobs failed, that detail cut short, then `sub-job <id> (<type>)
 * <status>: <code>: <detail>` for failed sub-jobs — at most ten, and only as many as fit in
 * {@link MAX_SERVER_TEXT} — then how many more failed: the count always survives the filter's cut
 * (which only ever shortens a text).
 */
function describeFailure(detail: string | undefined, failed: readonly SubJobStatus[], safeText: ServerTextFilter): string | undefined {
    if (failed.length === 0) return detail;
    const counted = (n: number, more: boolean) => (n > 0 ? `${n} ${more ? "more " : ""}failed sub-job(s)` : undefined);
    // Each part is filtered before it is cut, as the filter itself does: a cut must never leave part of a secret behind.
    const own = detail && clipText(safeText(detail), MAX_FAILURE_PART_TEXT);
    const named: string[] = [];
    for (const sub of failed.slice(0, MAX_NAMED_SUB_JOB_FAILURES)) {
        const who = ["sub-job", sub.jobId, sub.jobType && `(${sub.jobType})`, sub.status].filter(Boolean).join(" ");
        const why = joinDefined([sub.failedCode, sub.failedDetail], ": ") ?? "no reason given";
        const entry = clipText(safeText(`${who}: ${why}`), MAX_FAILURE_PART_TEXT);
        const left = failed.length - named.length - 1;
        if (joinDefined([own, ...named, entry, counted(left, true)])!.length > MAX_SERVER_TEXT) break;
        named.push(entry);
    }
    return joinDefined([own, ...named, counted(failed.length - named.length, named.length > 0)]);
}

/** The first text found at a path of the choice. */
function firstText(body: unknown, paths: PathChoice | undefined): string | undefined {
    if (paths === undefined) return undefined;
    for (const path of typeof paths === "string" ? [paths] : paths) {
        const text = optionalText(readPath(body, path));
        if (text !== undefined) return text;
    }
    return undefined;
}

/** Every text at every path, in order. */
function readTexts(body: unknown, paths: readonly string[] | undefined): string[] {
    return (paths ?? []).flatMap((path) => readAll(body, path).map(optionalText)).filter((t): t is string => t !== undefined);
}

function unique(values: readonly string[]): string[] {
    return [...new Set(values)];
}

function nonEmpty<T>(values: T[]): T[] | undefined {
    return values.length > 0 ? values : undefined;
}

/** The defined parts joined with `separator`; `undefined` when there is none. */
function joinDefined(parts: readonly (string | undefined)[], separator = "; "): string | undefined {
    const defined = parts.filter((p): p is string => p !== undefined && p !== "");
    return defined.length > 0 ? defined.join(separator) : undefined;
}

/** Copy only the keys whose value is neither `undefined` nor `""` (so outputs stay clean). */
function assignDefined<T extends object>(target: T, values: Partial<Record<keyof T, unknown>>): void {
    for (const [k, v] of Object.entries(values)) {
        if (v !== undefined && v !== "") (target as Record<string, unknown>)[k] = v;
    }
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
    // A Set keeps the first-seen order, and a body of tens of thousands of reasons linear.
    const codes = new Set<string>();
    const details: string[] = [];
    for (const item of list) {
        const code = optionalText(readPath(item, "error_code"));
        if (code) codes.add(code);
        const subject = [readPath(item, "resource_type"), readPath(item, "resource_name")].map(optionalText).filter(Boolean).join(" ");
        const msg = optionalText(readPath(item, "error_msg"));
        if (subject || msg) details.push(subject && msg ? `${subject}: ${msg}` : subject || msg!);
    }
    return {
        code: codes.size ? [...codes].join(", ") : undefined,
        detail: details.length ? details.join("; ") : undefined,
    };
}

function readInstance(value: unknown): { id?: string; name?: string } | undefined {
    const id = optionalText(readPath(value, "id"));
    const name = optionalText(readPath(value, "name"));
    return id === undefined && name === undefined ? undefined : { id, name };
}

/** Longest part of an unreadable string an error quotes. */
const MAX_QUOTED_TEXT = 40;

/** What an unreadable value is, a string quoted in part: filtered first, so that no cut keeps the start of a secret. */
function describe(value: unknown, safeText: ServerTextFilter): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "string") return `the string ${JSON.stringify(clipText(safeText(value), MAX_QUOTED_TEXT))}`;
    return `a ${typeof value}`;
}
