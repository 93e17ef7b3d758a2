/**
 * `JobApiEmulator`: a real HTTP server on the loopback interface that emulates the Huawei Cloud
 * job API of every service kind with the response shapes of its documentation: the four of the
 * seed documents below, and ECS, EVS, BMS, EIP (`/v1/{project_id}/jobs/{job_id}`, sub-jobs under
 * `entities.sub_jobs[]`), IMS (`/v1/cloudimages/job/{job_id}`), CCE, the RDS family (RDS, DDS,
 * TaurusDB, openGauss: `/v3/{project_id}/jobs?id={job_id}`), DCS, ELB, CBR, SFS Turbo and DMS
 * (`tasks[0]`), each with its sub-jobs, resource IDs, failure fields and time format as the API
 * references and the official SDK models give them (`emulator/render.ts`):
 *
 * | service | path | body |
 * |---|---|---|
 * | `dws`  | `GET /v1.0/{project_id}/job/{job_id}` | flat `{status, progress:"9%", job_id, job_name, begin_time, end_time, failed_code, failed_detail}` |
 * | `ddm`  | `GET /v3/{project_id}/jobs/{job_id}` | `{job:{id, name, status, created_time, end_time, process, instance}}` |
 * | `cfw`  | `GET /v3/{project_id}/jobs/{job_id}` | `{data:{id, status, begin_time, end_time}}` (+ `error_code`/`error_msg`) |
 * | `roma` | `GET /v2/{project_id}/instances/{instance_id}/assets/jobs/{job_id}` | `{id, type, status, reason[], progress_percent, archive_id, begin_time, end_time}` |
 *
 * Kinds that share a path (DDM and CFW; ECS, EVS, BMS and EIP; the RDS family) are served by
 * whichever service the job was defined for.
 * Authentication (IAM token or AK/SK `SDK-HMAC-SHA256` signature), time-driven job progress,
 * scheduled and seeded-random faults, and a bounded request log make it the test double of every
 * integration test, fault-injection test, benchmark and demo.
 *
 * The bodies are rendered from the seed documents independently of `provider/services`, so the
 * emulator is an oracle for those parsers.
 *
 * @example
 * ```ts
 * const emulator = await JobApiEmulator.start({ tokens: ["t0k3n"] });
 * const jobId = emulator.defineJob({ service: "dws", projectId: "p1", durationMs: 300, outcome: "succeeded" });
 * const res = await fetch(emulator.jobUrl(jobId), { headers: { "X-Auth-Token": "t0k3n" } });
 * await emulator.close();
 * ```
 *
 * @packageDocumentation
 */

import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ConfigError } from "../errors";
import { verifySignature } from "./emulator/verify";
import { redactSecrets } from "../serverText";
import {
    DEFAULT_FAILURES,
    DEFAULT_JOB_NAMES,
    faultError,
    hex32,
    htmlErrorPage,
    JobModel,
    newJobId,
    renderJobBody,
    serviceCode,
    snapshot,
} from "./emulator/render";
import { FaultQueue, mulberry32, RingBuffer, validateFaultSpec, validateRandomFaults } from "./emulator/support";
import {
    EMULATED_SERVICES,
    EmulatedJobDefinition,
    EmulatedService,
    EmulatorOptions,
    EmulatorRequestRecord,
    FaultKind,
    RandomFaults,
    RequestAuth,
} from "./emulator/types";

export * from "./emulator/types";

/** Longest request target (path and query) served, in characters; longer ones get 400. */
export const MAX_URL_LENGTH = 8192;
/** Largest request body read, in bytes (job APIs are GETs; a larger body gets 400). */
export const MAX_BODY_BYTES = 65_536;
/** Default capacity of the request log. */
export const DEFAULT_LOG_CAPACITY = 100_000;
/** Longest ID (project, instance, job) accepted by `defineJob`, in characters. */
const MAX_ID_LENGTH = 1024;
/** Most sub-jobs a defined job may have. */
const MAX_SUB_JOBS = 1000;
/** Longest path kept in a request record. */
const MAX_LOGGED_PATH = 2048;
/** Longest job ID kept in a request record, and as a request counter's key for an ID no job was defined with. */
const MAX_LOGGED_JOB_ID = 256;

/**
 * The first `max` characters of `text` as a string of their own: a plain slice of a long string
 * keeps the whole of it alive, so a log of slices of 8 KB URLs would hold 8 KB per record.
 */
function logged(text: string, max: number): string {
    return text.length <= max ? text : (JSON.parse(JSON.stringify(text.slice(0, max))) as string);
}

const JSON_TYPE = "application/json;charset=UTF-8";

/**
 * The path families of the emulated APIs: path segments with `{project}`, `{instance}` and `{job}`
 * placeholders, or a job ID in the `id` query parameter. Kinds that share a path (DDM and CFW; ECS,
 * EVS, BMS and EIP; the RDS family) share a family: a request is served by whichever service the job
 * was defined for.
 */
const PATH_FAMILIES = {
    dws: { segments: ["v1.0", "{project}", "job", "{job}"] },
    v3: { segments: ["v3", "{project}", "jobs", "{job}"] },
    roma: { segments: ["v2", "{project}", "instances", "{instance}", "assets", "jobs", "{job}"] },
    v1: { segments: ["v1", "{project}", "jobs", "{job}"] },
    ims: { segments: ["v1", "cloudimages", "job", "{job}"] },
    cce: { segments: ["api", "v3", "projects", "{project}", "jobs", "{job}"] },
    v3query: { segments: ["v3", "{project}", "jobs"], queryId: "id" },
    dcs: { segments: ["v2", "{project}", "jobs", "{job}"] },
    elb: { segments: ["v3", "{project}", "elb", "jobs", "{job}"] },
    cbr: { segments: ["v3", "{project}", "operation-logs", "{job}"] },
    sfsturbo: { segments: ["v1", "{project}", "sfs-turbo", "jobs", "{job}"] },
    dms: { segments: ["v2", "{project}", "instances", "{instance}", "tasks", "{job}"] },
} as const satisfies Record<string, { segments: readonly string[]; queryId?: string }>;

type PathFamily = keyof typeof PATH_FAMILIES;

const FAMILY: Record<EmulatedService, PathFamily> = {
    dws: "dws",
    ddm: "v3",
    cfw: "v3",
    roma: "roma",
    ecs: "v1",
    evs: "v1",
    bms: "v1",
    eip: "v1",
    ims: "ims",
    cce: "cce",
    rds: "v3query",
    dds: "v3query",
    taurusdb: "v3query",
    opengauss: "v3query",
    dcs: "dcs",
    elb: "elb",
    cbr: "cbr",
    sfsturbo: "sfsturbo",
    dms: "dms",
};

/** A request path matched to a job API. */
interface Route {
    family: PathFamily;
    /** Project ID; `""` for a family without one in the path (IMS: the project is the caller's). */
    projectId: string;
    instanceId?: string;
    jobId: string;
}

/** A defined job and its mutable state. */
interface JobRecord {
    model: JobModel;
    notFoundForMs: number;
    expireAfterMs?: number;
    faults: FaultQueue;
}

/** An answer about to be sent. */
interface Answer {
    status: number;
    body: string;
    contentType: string;
    headers?: Record<string, string>;
}

/** Unambiguous map key of a job's path. */
function routeKey(r: Route): string {
    return JSON.stringify([r.family, r.projectId, r.instanceId ?? null, r.jobId]);
}

/**
 * Match decoded path segments (the first one is the empty string before the leading `/`) and the
 * raw query. A query-ID family needs exactly one non-empty `id` parameter.
 */
function matchRoute(seg: readonly string[], rawQuery: string): Route | undefined {
    if (seg[0] !== "" || seg.slice(1).some((s) => s === "")) return undefined;
    for (const [family, pattern] of Object.entries(PATH_FAMILIES) as [PathFamily, (typeof PATH_FAMILIES)[PathFamily]][]) {
        const { segments } = pattern;
        if (seg.length !== segments.length + 1) continue;
        const ids: Record<string, string> = {};
        const matches = segments.every((expected, i) => {
            if (expected.startsWith("{")) ids[expected] = seg[i + 1];
            return expected.startsWith("{") || expected === seg[i + 1];
        });
        if (!matches) continue;
        if ("queryId" in pattern) {
            let values: string[];
            try {
                values = new URLSearchParams(rawQuery).getAll(pattern.queryId);
            } catch {
                return undefined;
            }
            if (values.length !== 1 || values[0] === "") return undefined;
            ids["{job}"] = values[0];
        }
        return { family, projectId: ids["{project}"] ?? "", instanceId: ids["{instance}"], jobId: ids["{job}"] };
    }
    return undefined;
}

/** The request path (and query) of a defined job, each ID percent-encoded. */
function pathOf(model: JobModel): string {
    const pattern = PATH_FAMILIES[FAMILY[model.service]];
    const fill: Record<string, string> = { "{project}": model.projectId, "{instance}": model.instanceId ?? "", "{job}": model.jobId };
    const path = `/${pattern.segments.map((s) => (s.startsWith("{") ? encodeURIComponent(fill[s]) : s)).join("/")}`;
    return "queryId" in pattern ? `${path}?${pattern.queryId}=${encodeURIComponent(model.jobId)}` : path;
}

/** The one service of a family, or undefined when several share it. */
function onlyServiceOf(family: PathFamily): EmulatedService | undefined {
    const services = EMULATED_SERVICES.filter((s) => FAMILY[s] === family);
    return services.length === 1 ? services[0] : undefined;
}

/** Kinds whose path carries an instance ID. */
const NEEDS_INSTANCE: readonly EmulatedService[] = EMULATED_SERVICES.filter((s) => PATH_FAMILIES[FAMILY[s]].segments.includes("{instance}" as never));

/** Kinds whose path carries no project ID. */
const NO_PROJECT: readonly EmulatedService[] = EMULATED_SERVICES.filter((s) => !PATH_FAMILIES[FAMILY[s]].segments.includes("{project}" as never));

/** One header as a single string, or undefined when absent or repeated in an unusable way. */
function header(req: http.IncomingMessage, name: string): string | undefined {
    const v = req.headers[name];
    return typeof v === "string" ? v : undefined;
}

function checkId(field: string, value: unknown): string {
    if (typeof value !== "string" || value.length === 0 || value.length > MAX_ID_LENGTH) {
        throw new ConfigError({
            field,
            value: typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value),
            allowed: `a non-empty string of at most ${MAX_ID_LENGTH} characters`,
        });
    }
    return value;
}

function checkMs(field: string, value: unknown, optional: boolean): number | undefined {
    if (value === undefined && optional) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new ConfigError({ field, value: String(value), allowed: "a finite number of milliseconds ≥ 0" });
    }
    return value;
}

/**
 * A local emulator of the job API of every service kind, on a real `node:http` server
 * bound to `127.0.0.1` on an ephemeral port. Start it with {@link JobApiEmulator.start}, define jobs
 * with {@link JobApiEmulator.defineJob}, point a client at {@link JobApiEmulator.endpoint}, and
 * {@link JobApiEmulator.close} it when done.
 *
 * Answers:
 * - a defined job: 200 with the service's body for the job's state at the current time;
 * - an unknown job on a known path, a job inside `notFoundForMs`, or an expired job: 404
 *   `{error_code, error_msg, request_id}` with an emulator-chosen service code (`DWS.0404`,
 *   `DDM.0404`, `CFW.00000404`, `ROMA.00000404`; `JOB.0404` for an unknown job on the path DDM and
 *   CFW share);
 * - an unknown path or a method other than GET: 404 `APIGW.0101`;
 * - a bad request target (bad percent-encoding, longer than {@link MAX_URL_LENGTH}, not
 *   origin-form) or a body over {@link MAX_BODY_BYTES}: 400 `APIGW.0201`;
 * - missing or bad credentials: 401 `APIGW.0301` "Incorrect IAM authentication information: ..."
 *   (the reason never contains a secret).
 *
 * Every response carries `X-Request-Id` (32 hex), repeated as `request_id` in error bodies.
 */
export class JobApiEmulator {
    /** Base URL, `http://127.0.0.1:<port>` (no trailing slash). */
    readonly endpoint: string;

    private readonly now: () => number;
    private readonly tokens: ReadonlySet<string>;
    private readonly accessKeys: ReadonlyMap<string, string>;
    private readonly temporaryKeys: ReadonlyMap<string, { secretKey: string; securityToken: string }>;
    private readonly requireAuth: boolean;
    private readonly randomFaults?: RandomFaults;
    private random: () => number;
    private readonly jobs = new Map<string, JobRecord>();
    private readonly jobsById = new Map<string, JobRecord>();
    private readonly log: RingBuffer<EmulatorRequestRecord>;
    private readonly counts = new Map<string, number>();
    private countsOverflowed = false;
    private total = 0;
    private readonly timers = new Set<NodeJS.Timeout>();
    private readonly sockets = new Set<Socket>();
    private closing?: Promise<void>;

    private constructor(
        private readonly server: http.Server,
        options: EmulatorOptions,
        port: number,
    ) {
        this.endpoint = `http://127.0.0.1:${port}`;
        this.now = options.now ?? Date.now;
        this.tokens = new Set(options.tokens ?? []);
        this.accessKeys = new Map(Object.entries(options.accessKeys ?? {}));
        this.temporaryKeys = new Map(Object.entries(options.temporaryKeys ?? {}));
        this.requireAuth = options.requireAuth ?? (this.tokens.size > 0 || this.accessKeys.size > 0 || this.temporaryKeys.size > 0);
        this.randomFaults = options.randomFaults;
        this.random = mulberry32(options.randomFaults?.seed ?? 0);
        this.log = new RingBuffer(options.logCapacity ?? DEFAULT_LOG_CAPACITY);
    }

    /**
     * Start an emulator listening on `127.0.0.1` (port `options.port`, default ephemeral).
     * Rejects with a {@link ConfigError} on invalid options, or with the listen error.
     */
    static async start(options: EmulatorOptions = {}): Promise<JobApiEmulator> {
        if (options.host !== undefined && options.host !== "127.0.0.1") {
            throw new ConfigError({ field: "host", value: String(options.host), allowed: '"127.0.0.1" (the emulator only listens on loopback)' });
        }
        if (options.randomFaults) validateRandomFaults(options.randomFaults);
        if (options.logCapacity !== undefined && !(Number.isInteger(options.logCapacity) && options.logCapacity >= 1)) {
            throw new ConfigError({ field: "logCapacity", value: String(options.logCapacity), allowed: "an integer ≥ 1" });
        }
        if (options.tokens?.some((t) => typeof t !== "string" || t === "")) {
            throw new ConfigError({ field: "tokens", value: "(a token that is not a non-empty string)", allowed: "non-empty strings" });
        }
        for (const [ak, sk] of Object.entries(options.accessKeys ?? {})) {
            if (ak === "" || typeof sk !== "string" || sk === "") {
                throw new ConfigError({ field: "accessKeys", value: "(an empty access key or secret key)", allowed: "non-empty access keys and secret keys" });
            }
        }
        for (const [ak, key] of Object.entries(options.temporaryKeys ?? {})) {
            const { secretKey, securityToken } = (key ?? {}) as Partial<{ secretKey: unknown; securityToken: unknown }>;
            if (ak === "" || typeof secretKey !== "string" || secretKey === "" || typeof securityToken !== "string" || securityToken === "") {
                throw new ConfigError({
                    field: "temporaryKeys",
                    value: "(an empty access key, secret key or security token)",
                    allowed: "access key → { secretKey, securityToken }, all non-empty strings",
                });
            }
            if (options.accessKeys?.[ak] !== undefined) {
                throw new ConfigError({
                    field: "temporaryKeys",
                    value: "(an access key also in accessKeys)",
                    allowed: "each access key either permanent or temporary",
                });
            }
        }
        const port = options.port ?? 0;
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
            throw new ConfigError({ field: "port", value: String(port), allowed: "an integer from 0 to 65535" });
        }

        let emulator: JobApiEmulator | undefined;
        // requireHostHeader off: a request without Host is still answered by the emulator (with X-Request-Id).
        const server = http.createServer({ requireHostHeader: false }, (req, res) => emulator!.handle(req, res));
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, "127.0.0.1", () => {
                server.off("error", reject);
                resolve();
            });
        });
        emulator = new JobApiEmulator(server, options, (server.address() as AddressInfo).port);
        emulator.attach();
        return emulator;
    }

    /**
     * Define a job and return its ID. The job's clock starts now: it answers 404 during
     * `notFoundForMs`, runs for `durationMs`, then stays in its terminal state (until
     * `expireAfterMs`, if given). Defining a job again with the same service, project (and instance)
     * and ID replaces it.
     *
     * @throws ConfigError on an invalid definition, or when the job's path is already used by a job
     *   of another service (DDM and CFW share `/v3/{project_id}/jobs/{job_id}`).
     */
    defineJob(def: EmulatedJobDefinition): string {
        if (def === null || typeof def !== "object") throw new ConfigError({ field: "job definition", value: String(def), allowed: "an object" });
        if (!EMULATED_SERVICES.includes(def.service)) {
            throw new ConfigError({ field: "service", value: String(def.service), allowed: EMULATED_SERVICES.join(", ") });
        }
        const service = def.service;
        const projectId = checkId("projectId", def.projectId);
        const subJobs = def.subJobs ?? 1;
        if (!Number.isInteger(subJobs) || subJobs < 1 || subJobs > MAX_SUB_JOBS) {
            throw new ConfigError({ field: "subJobs", value: String(def.subJobs), allowed: `an integer from 1 to ${MAX_SUB_JOBS}` });
        }
        const failedSubJobs = def.failedSubJobs ?? 1;
        if (!Number.isInteger(failedSubJobs) || failedSubJobs < 0 || failedSubJobs > subJobs) {
            throw new ConfigError({ field: "failedSubJobs", value: String(def.failedSubJobs), allowed: `an integer from 0 to subJobs (${subJobs})` });
        }
        if (
            def.resourceIds !== undefined &&
            (!Array.isArray(def.resourceIds) || def.resourceIds.length !== subJobs || def.resourceIds.some((id) => typeof id !== "string" || id === ""))
        ) {
            throw new ConfigError({ field: "resourceIds", value: "(not one non-empty string per sub-job)", allowed: `a list of ${subJobs} non-empty strings` });
        }
        const instanceId = NEEDS_INSTANCE.includes(service) ? checkId("instanceId", def.instanceId) : undefined;
        const jobId = def.jobId === undefined ? newJobId(service) : checkId("jobId", def.jobId);
        const durationMs = checkMs("durationMs", def.durationMs, false)!;
        if (def.outcome !== "succeeded" && def.outcome !== "failed") {
            throw new ConfigError({ field: "outcome", value: String(def.outcome), allowed: '"succeeded" or "failed"' });
        }
        const notFoundForMs = checkMs("notFoundForMs", def.notFoundForMs, true) ?? 0;
        const expireAfterMs = checkMs("expireAfterMs", def.expireAfterMs, true);
        const progress = def.progress ?? "linear";
        if (typeof progress !== "function" && !["linear", "none", "stuck90", "jumpy"].includes(progress)) {
            throw new ConfigError({ field: "progress", value: String(progress), allowed: '"linear", "none", "stuck90", "jumpy" or a function' });
        }
        const jobType = def.jobType ?? "exportAsset";
        if (jobType !== "exportAsset" && jobType !== "importAsset") {
            throw new ConfigError({ field: "jobType", value: String(jobType), allowed: '"exportAsset" or "importAsset"' });
        }
        if (def.faults !== undefined && !Array.isArray(def.faults)) {
            throw new ConfigError({ field: "faults", value: String(def.faults), allowed: "a list of faults" });
        }
        (def.faults ?? []).forEach((f, i) => validateFaultSpec(f, `faults[${i}]`));
        for (const [field, value] of [
            ["jobName", def.jobName],
            ["failedCode", def.failedCode],
            ["failedDetail", def.failedDetail],
            ["archiveId", def.archiveId],
        ] as const) {
            if (value !== undefined && typeof value !== "string") throw new ConfigError({ field, value: String(value), allowed: "a string" });
        }
        if (
            def.instance !== undefined &&
            (typeof def.instance !== "object" || typeof def.instance?.id !== "string" || typeof def.instance?.name !== "string")
        ) {
            throw new ConfigError({ field: "instance", value: String(def.instance), allowed: "an object { id: string, name: string }" });
        }
        if (def.reasons !== undefined && !Array.isArray(def.reasons)) {
            throw new ConfigError({ field: "reasons", value: String(def.reasons), allowed: "a list of {resource_type, resource_name, error_code, error_msg}" });
        }

        const failure = DEFAULT_FAILURES[service];
        const failedCode = def.failedCode ?? failure.code;
        const failedDetail = def.failedDetail ?? failure.detail;
        const model: JobModel = {
            service,
            jobId,
            projectId,
            instanceId,
            jobName: def.jobName ?? DEFAULT_JOB_NAMES[service],
            definedAt: this.now(),
            durationMs,
            outcome: def.outcome,
            failedCode,
            failedDetail,
            reasons: def.reasons?.map((r) => ({ ...r })) ?? [
                { resource_type: "application", resource_name: def.jobName ?? "emulatedApp", error_code: failedCode, error_msg: failedDetail },
            ],
            progress,
            archiveId: service === "roma" ? (def.archiveId ?? (jobType === "exportAsset" ? hex32() : undefined)) : undefined,
            instance: def.instance ? { id: def.instance.id, name: def.instance.name } : { id: `${hex32()}in09`, name: "DDM-emulated" },
            jobType,
            subJobs,
            failedSubJobs,
            resourceIds: def.resourceIds ? [...def.resourceIds] : Array.from({ length: subJobs }, () => randomUUID()),
        };
        const key = routeKey({ family: FAMILY[service], projectId: NO_PROJECT.includes(service) ? "" : projectId, instanceId, jobId });
        const existing = this.jobs.get(key);
        if (existing && existing.model.service !== service) {
            throw new ConfigError({
                field: "jobId",
                value: JSON.stringify(jobId.slice(0, 80)),
                allowed:
                    `an ID not already used by the ${existing.model.service} job in project ${JSON.stringify(projectId.slice(0, 80))} ` +
                    "(kinds that share a path, such as DDM and CFW or ECS and EVS, cannot share a job ID)",
            });
        }
        const record: JobRecord = { model, notFoundForMs, expireAfterMs, faults: new FaultQueue(def.faults ?? []) };
        this.jobs.set(key, record);
        this.jobsById.set(jobId, record);
        return jobId;
    }

    /**
     * The full URL of the most recently defined job with ID `jobId`, path segments percent-encoded
     * (`a/b` → `a%2Fb`).
     *
     * @throws ConfigError when no job has that ID.
     */
    jobUrl(jobId: string): string {
        const record = this.jobsById.get(jobId);
        if (!record) throw new ConfigError({ field: "jobId", value: JSON.stringify(String(jobId).slice(0, 80)), allowed: "the ID of a defined job" });
        return `${this.endpoint}${pathOf(record.model)}`;
    }

    /**
     * The request log, oldest first (at most `logCapacity` records). Records are live: a pending
     * slow answer updates its record's `status` when sent.
     */
    get requests(): readonly EmulatorRequestRecord[] {
        return this.log.toArray();
    }

    /**
     * Number of requests received since start or the last {@link reset}: all of them without
     * `jobId`, else those whose path named `jobId` (in any project or service, whatever the answer).
     */
    requestCount(jobId?: string): number {
        if (jobId === undefined) return this.total;
        const key = this.countKey(jobId);
        const counted = this.counts.get(key);
        if (counted !== undefined) return counted;
        if (!this.countsOverflowed) return 0;
        return this.log.toArray().filter((r) => r.jobId === key).length;
    }

    /**
     * Forget every job, the request log and the counters, and restart the random-fault PRNG from its
     * seed. The server keeps running with the same credentials.
     */
    reset(): void {
        this.jobs.clear();
        this.jobsById.clear();
        this.log.clear();
        this.counts.clear();
        this.countsOverflowed = false;
        this.total = 0;
        this.random = mulberry32(this.randomFaults?.seed ?? 0);
    }

    /** Stop listening, drop every connection (pending slow answers included) and resolve when closed. Idempotent. */
    close(): Promise<void> {
        if (this.closing) return this.closing;
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
        this.closing = new Promise<void>((resolve) => {
            this.server.close(() => resolve());
            this.server.closeAllConnections();
            for (const s of this.sockets) s.destroy();
        });
        return this.closing;
    }

    // ---------------------------------------------------------------- server plumbing

    private attach(): void {
        this.server.on("connection", (socket: Socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
        this.server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
            // Unparseable request (e.g. request line or headers over the parser's limit): answer 400, never crash.
            const requestId = hex32();
            this.total++;
            this.log.push({
                at: this.now(),
                method: "",
                path: "",
                status: 400,
                auth: { authenticated: false, via: "none" },
                requestId,
            });
            if (err.code === "ECONNRESET" || !socket.writable) {
                socket.destroy();
                return;
            }
            const body = JSON.stringify({ error_code: "APIGW.0201", error_msg: "API request error: the request could not be parsed.", request_id: requestId });
            socket.end(
                `HTTP/1.1 400 Bad Request\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
                    `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
            );
        });
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const requestId = hex32();
        const url = req.url ?? "";
        const record: EmulatorRequestRecord = {
            at: this.now(),
            method: req.method ?? "",
            path: logged(url.split("?")[0], MAX_LOGGED_PATH),
            status: 0,
            auth: { authenticated: false, via: "none" },
            requestId,
        };
        this.total++;
        this.log.push(record);
        res.setHeader("X-Request-Id", requestId);

        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        });
        req.on("error", () => undefined);
        req.on("end", () => {
            try {
                if (size > MAX_BODY_BYTES) {
                    this.sendError(res, record, 400, "APIGW.0201", "Request entity too large.");
                    return;
                }
                this.process(req, res, record, url, Buffer.concat(chunks));
            } catch {
                // An emulator bug or a throwing progress function must not bring the server down.
                this.sendError(res, record, 500, "EMULATOR.0500", "The emulator failed to render the answer.");
            }
        });
    }

    private process(req: http.IncomingMessage, res: http.ServerResponse, record: EmulatorRequestRecord, url: string, body: Buffer): void {
        if (url.length > MAX_URL_LENGTH) return this.sendError(res, record, 400, "APIGW.0201", "Request URI too large.");
        if (!url.startsWith("/")) return this.sendError(res, record, 400, "APIGW.0201", "API request error: the request target must be a path.");
        const q = url.indexOf("?");
        const rawPath = q < 0 ? url : url.slice(0, q);
        const rawQuery = q < 0 ? "" : url.slice(q + 1);
        let segments: string[];
        try {
            segments = rawPath.split("/").map(decodeURIComponent);
        } catch {
            return this.sendError(res, record, 400, "APIGW.0201", "API request error: the path is not correctly percent-encoded.");
        }
        const route = matchRoute(segments, rawQuery);
        if (!route) return this.sendError(res, record, 404, "APIGW.0101", "The API does not exist or has not been published in the environment.");
        record.jobId = logged(route.jobId, MAX_LOGGED_JOB_ID);
        const job = this.jobs.get(routeKey(route));
        const service: EmulatedService | undefined = job?.model.service ?? onlyServiceOf(route.family);
        if (service !== undefined) record.service = service;
        this.countRequest(route.jobId);
        if (req.method !== "GET") return this.sendError(res, record, 404, "APIGW.0101", "The API does not exist.");

        const auth = this.authenticate(req, rawPath, rawQuery, body);
        record.auth = auth;
        if (!auth.authenticated && (this.requireAuth || auth.via !== "none")) {
            const reason = auth.reason ?? "no credentials: send X-Auth-Token or an SDK-HMAC-SHA256 Authorization header";
            return this.sendError(res, record, 401, "APIGW.0301", `Incorrect IAM authentication information: ${reason}`);
        }

        const fault = job?.faults.take() ?? this.drawRandomFault();
        const normal = this.normalAnswer(job, service, record);
        if (!fault) return this.send(res, record, normal);
        record.fault = fault.kind;
        switch (fault.kind) {
            case "status": {
                const headers: Record<string, string> = {};
                if (fault.retryAfter !== undefined) headers["Retry-After"] = fault.retryAfter;
                if (fault.body === "html") {
                    return this.send(res, record, { status: fault.status, body: htmlErrorPage(fault.status), contentType: "text/html", headers });
                }
                const d = faultError(fault.status, service);
                const errorBody: Record<string, string> = { error_code: fault.errorCode ?? d.code, error_msg: fault.errorMsg ?? d.msg };
                if (fault.status === 403 && service === "roma") errorBody.error_details = "The user has no permission to query this job (emulated).";
                errorBody.request_id = record.requestId;
                return this.send(res, record, { status: fault.status, body: JSON.stringify(errorBody), contentType: JSON_TYPE, headers });
            }
            case "html":
                return this.send(res, record, { status: 502, body: htmlErrorPage(502), contentType: "text/html" });
            case "malformed":
                return this.send(res, record, { status: 200, body: normal.body.slice(0, Math.floor(normal.body.length / 2)), contentType: JSON_TYPE });
            case "drop":
                record.status = 0;
                req.socket.destroy();
                return;
            case "trickle": {
                record.status = normal.status;
                res.writeHead(normal.status, { "Content-Type": normal.contentType, "Content-Length": Buffer.byteLength(normal.body) });
                const bytes = Buffer.from(normal.body);
                let sent = 0;
                const timer = setInterval(() => {
                    if (res.destroyed) return;
                    res.write(bytes.subarray(sent, sent + 1));
                    sent++;
                    if (sent >= bytes.length) {
                        clearInterval(timer);
                        this.timers.delete(timer);
                        res.end();
                    }
                }, fault.intervalMs);
                this.timers.add(timer);
                res.on("close", () => {
                    clearInterval(timer);
                    this.timers.delete(timer);
                    if (!res.writableFinished) record.clientAborted = true;
                });
                return;
            }
            case "slow": {
                const timer = setTimeout(() => {
                    this.timers.delete(timer);
                    if (res.destroyed) record.clientAborted = true;
                    else this.send(res, record, normal);
                }, fault.delayMs);
                this.timers.add(timer);
                res.on("close", () => {
                    if (!res.writableFinished) {
                        clearTimeout(timer);
                        this.timers.delete(timer);
                        record.clientAborted = true;
                        record.status = 0;
                    }
                });
                return;
            }
        }
    }

    /** The answer without any fault: the job body, or a 404 while the job is invisible. */
    private normalAnswer(job: JobRecord | undefined, service: EmulatedService | undefined, record: EmulatorRequestRecord): Answer {
        const elapsed = job ? this.now() - job.model.definedAt : 0;
        const visible =
            job !== undefined && elapsed >= job.notFoundForMs && (job.expireAfterMs === undefined || elapsed < job.model.durationMs + job.expireAfterMs);
        if (!job || !visible) {
            record.state = "notFound";
            const body = { error_code: serviceCode(service, 404), error_msg: "The job does not exist.", request_id: record.requestId };
            return { status: 404, body: JSON.stringify(body), contentType: JSON_TYPE };
        }
        const snap = snapshot(job.model, Math.max(0, elapsed));
        record.state = snap.state;
        return { status: 200, body: JSON.stringify(renderJobBody(job.model, snap)), contentType: JSON_TYPE };
    }

    private drawRandomFault(): FaultKind | undefined {
        const rf = this.randomFaults;
        if (!rf || rf.rate <= 0) return undefined;
        if (this.random() >= rf.rate) return undefined;
        return rf.kinds[Math.min(rf.kinds.length - 1, Math.floor(this.random() * rf.kinds.length))];
    }

    private authenticate(req: http.IncomingMessage, rawPath: string, rawQuery: string, body: Buffer): RequestAuth {
        const token = header(req, "x-auth-token");
        if (token !== undefined) {
            return this.tokens.has(token)
                ? { authenticated: true, via: "token" }
                : { authenticated: false, via: "token", reason: "the X-Auth-Token is not a valid token" };
        }
        const authorization = header(req, "authorization");
        if (authorization === undefined) return { authenticated: false, via: "none" };
        const accessKey = /Access=([^,\s]+)/.exec(authorization)?.[1];
        const failed = (reason: string): RequestAuth => {
            const auth: RequestAuth = { authenticated: false, via: "aksk", reason: this.redact(reason) };
            if (accessKey !== undefined) auth.accessKey = this.redact(logged(accessKey, 128));
            return auth;
        };
        if (!/^SDK-HMAC-SHA256\s/i.test(authorization)) return failed("unsupported Authorization scheme (expected SDK-HMAC-SHA256)");
        try {
            const secretOf = (ak: string) => this.accessKeys.get(ak) ?? this.temporaryKeys.get(ak)?.secretKey;
            const result = verifySignature({ method: req.method ?? "GET", rawPath, rawQuery, headers: req.headers, body }, secretOf, {
                now: new Date(this.now()),
            });
            if (!result.ok) return failed(result.reason);
            const temporary = this.temporaryKeys.get(result.accessKey);
            if (temporary !== undefined && header(req, "x-security-token") !== temporary.securityToken) {
                return failed("a temporary access key needs its own X-Security-Token (missing, or another)");
            }
            return { authenticated: true, via: "aksk", accessKey: result.accessKey };
        } catch {
            return failed("the signature could not be verified");
        }
    }

    /** Replace every configured secret key and token (of 4 characters or more) occurring in `text` with `***`. */
    private redact(text: string): string {
        const temporary = [...this.temporaryKeys.values()].flatMap((key) => [key.secretKey, key.securityToken]);
        const secrets = [...this.accessKeys.values(), ...temporary, ...this.tokens].filter((secret) => secret.length >= 4);
        return redactSecrets(text, secrets).slice(0, 512);
    }

    /**
     * Count a request for `jobId`. A defined job is always counted exactly; IDs no job was defined
     * with are counted (under their first {@link MAX_LOGGED_JOB_ID} characters) while there are
     * fewer than the log's capacity of them, and from the log after that.
     */
    private countRequest(jobId: string): void {
        const key = this.countKey(jobId);
        const n = this.counts.get(key);
        if (n !== undefined || this.jobsById.has(jobId) || this.counts.size < this.log.capacity) this.counts.set(key, (n ?? 0) + 1);
        else this.countsOverflowed = true;
    }

    private countKey(jobId: string): string {
        return this.jobsById.has(jobId) ? jobId : logged(jobId, MAX_LOGGED_JOB_ID);
    }

    private sendError(res: http.ServerResponse, record: EmulatorRequestRecord, status: number, code: string, msg: string): void {
        const body = JSON.stringify({ error_code: code, error_msg: msg, request_id: record.requestId });
        this.send(res, record, { status, body, contentType: JSON_TYPE });
    }

    private send(res: http.ServerResponse, record: EmulatorRequestRecord, answer: Answer): void {
        if (res.destroyed || res.writableEnded || res.headersSent) return;
        record.status = answer.status;
        res.statusCode = answer.status;
        res.setHeader("Content-Type", answer.contentType);
        res.setHeader("Content-Length", Buffer.byteLength(answer.body));
        for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
        res.end(answer.body);
    }
}
