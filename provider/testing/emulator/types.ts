/**
 * Public types of the job API emulator ({@link JobApiEmulator} in `provider/testing/emulator.ts`).
 *
 * @packageDocumentation
 */

import { SERVICE_KINDS, ServiceKind } from "../../services/types";

/** Every job API the emulator serves: one per service kind of the package, in the same order. */
export const EMULATED_SERVICES: readonly ServiceKind[] = SERVICE_KINDS;

/** A job API the emulator serves. */
export type EmulatedService = ServiceKind;

/** How a job ends once its `durationMs` has elapsed. */
export type EmulatedOutcome = "succeeded" | "failed";

/**
 * How reported progress moves while a job runs, as a function of the elapsed fraction
 * `f = elapsed / durationMs` (0 ≤ f < 1):
 *
 * - `"linear"` (default): `100 × f`.
 * - `"none"`: the job reports no progress at all (DWS and ROMA omit the field, DDM sends
 *   `process: ""`). CFW never reports progress, whatever the curve.
 * - `"stuck90"`: rises linearly to 90 % at `f = 0.3`, then stays at 90 % until the end.
 * - `"jumpy"`: a step function over ten equal slices of the duration,
 *   `0, 0, 3, 3, 40, 38, 41, 75, 75, 97` — long plateaus, big jumps and one small regression
 *   (40 → 38), as real services do.
 * - a function `(fraction) => percent`: any curve; the result is clamped to 0–100
 *   (a non-finite result counts as 0).
 *
 * The rendered value is floored to an integer percent for DWS and DDM (`"9%"`) and to two decimals
 * of a fraction for ROMA (`0.35`). A succeeded job reports 100 % (DWS `"100%"`, ROMA `1`, DDM `""`);
 * a failed job keeps the progress it had when it failed (the curve at `f = 1`, at most 99 %).
 */
export type ProgressCurve = "linear" | "none" | "stuck90" | "jumpy" | ((fraction: number) => number);

/** HTTP statuses a `status` fault can answer with. */
export type FaultStatus = 400 | 401 | 403 | 429 | 500 | 502 | 503 | 504;

/**
 * One kind of misbehaviour the emulator can inject in place of a normal answer.
 *
 * - `status`: answer `status` with a Huawei error body `{error_code, error_msg, request_id}`
 *   (`body: "html"` sends an HTML page instead). 429 uses the API-gateway throttling code
 *   `APIGW.0308`; 401 `APIGW.0301`; 403 `APIGW.0302` (ROMA adds `error_details`); 502 `APIGW.0202`;
 *   504 `APIGW.0203`; 400, 500 and 503 use an emulator-chosen code of the service
 *   (e.g. `DWS.0400`). `errorCode`/`errorMsg` override the body. `retryAfter` is sent verbatim as
 *   `Retry-After` (delta-seconds such as `"2"`, or an HTTP-date).
 * - `slow`: answer normally, but only after `delayMs` milliseconds (real time). The job state is
 *   read when the request arrives. A client that disconnects meanwhile gets nothing and the log
 *   records status 0.
 * - `trickle`: send the normal answer's status and headers at once, then its body one byte every
 *   `intervalMs` milliseconds (real time): a client whose timeout stops at the headers hangs.
 * - `drop`: destroy the connection without answering.
 * - `malformed`: answer 200 with `Content-Type: application/json` and the normal body cut in half
 *   (truncated JSON).
 * - `html`: answer 502 with an HTML gateway error page (`Content-Type: text/html`).
 */
export type FaultKind =
    | {
          kind: "status";
          status: FaultStatus;
          /** Sent verbatim as the `Retry-After` header: delta-seconds or an HTTP-date. */
          retryAfter?: string;
          /** Body format; default `"json"`. */
          body?: "json" | "html";
          /** Overrides the body's `error_code`. */
          errorCode?: string;
          /** Overrides the body's `error_msg`. */
          errorMsg?: string;
      }
    | {
          kind: "slow";
          /** Delay before the answer, in milliseconds (real time), 0–600 000. */
          delayMs: number;
      }
    | {
          kind: "trickle";
          /** Gap between two body bytes, in milliseconds (real time), 1–60 000. */
          intervalMs: number;
      }
    | { kind: "drop" }
    | { kind: "malformed" }
    | { kind: "html" };

/** The name of a {@link FaultKind}. */
export type FaultName = FaultKind["kind"];

/**
 * A fault scheduled on one job: it replaces the answers to the next `count` requests for the job
 * (default 1; `Infinity` for every request). A job's faults are consumed in order.
 */
export type FaultSpec = FaultKind & {
    /** How many requests this fault affects, ≥ 1; default 1. */
    count?: number;
};

/** Emulator-wide random faults, drawn from a seeded PRNG so that a run is reproducible. */
export interface RandomFaults {
    /** Probability, 0–1, that a request (to a known API path, not already hit by a job fault) gets a fault. */
    rate: number;
    /** The faults to choose from, uniformly. Must not be empty. */
    kinds: FaultKind[];
    /** PRNG seed (any integer; the same seed and request order give the same faults). */
    seed: number;
}

/** One ROMA failure reason, exactly as ROMA renders it in `reason[]`. */
export interface RomaReason {
    /** Resource type, e.g. `"application"`. */
    resource_type: string;
    /** Resource name, e.g. `"myApp"`. */
    resource_name: string;
    /** Error code, e.g. `"ROMA.00000101"`. */
    error_code: string;
    /** Error message. */
    error_msg: string;
}

/** A job to emulate. Time is measured from the call to `defineJob`, with the emulator's clock. */
export interface EmulatedJobDefinition {
    /** Which job API serves the job. */
    service: EmulatedService;
    /** Project ID in the request path. */
    projectId: string;
    /** Instance ID in the request path; required for `roma` and `dms`, ignored otherwise. */
    instanceId?: string;
    /**
     * Job ID. Default: a fresh random ID shaped like the seeds' examples (32 lower-case hex for DWS
     * and ROMA, a UUID for DDM and CFW). Any text of 1–1024 characters is accepted (`a/b` must be
     * requested as `a%2Fb`).
     */
    jobId?: string;
    /** Job name (DWS `job_name`, DDM `job.name`). Default `"emulatedDwsJob"` / `"CreateInstance"`. */
    jobName?: string;
    /** Time from definition to the terminal state, in milliseconds, ≥ 0. */
    durationMs: number;
    /** Terminal state. */
    outcome: EmulatedOutcome;
    /**
     * Failure code, used when `outcome` is `"failed"`: DWS `failed_code`, CFW top-level
     * `error_code`, ROMA `reason[0].error_code`. Not rendered by DDM (its API has no failure
     * fields). Defaults: DWS `"CreateELBTask-fail:DWS.0114"` and ROMA `"ROMA.00000101"` (the
     * seeds' examples), CFW `"CFW.00200005"` (emulator-chosen).
     */
    failedCode?: string;
    /** Failure detail: DWS `failed_detail`, CFW `error_msg`, ROMA `reason[0].error_msg`. Not rendered by DDM. */
    failedDetail?: string;
    /** ROMA only: the full `reason[]` list of a failed job (overrides `failedCode`/`failedDetail`). */
    reasons?: RomaReason[];
    /** Progress curve; default `"linear"`. */
    progress?: ProgressCurve;
    /** The job answers 404 for its first N milliseconds (jobs are briefly invisible after creation). Default 0. */
    notFoundForMs?: number;
    /** After reaching its terminal state, the job answers 404 once N more milliseconds have passed (expired). Default: never. */
    expireAfterMs?: number;
    /** ROMA only: `archive_id`. Default: a fresh 32-hex ID for `exportAsset` jobs, absent for `importAsset`. */
    archiveId?: string;
    /** DDM only: `job.instance`. Default `{ id: <32 hex>"in09", name: "DDM-emulated" }`. */
    instance?: { id: string; name: string };
    /** ROMA only: `type`. Default `"exportAsset"`. */
    jobType?: "exportAsset" | "importAsset";
    /** Faults that replace the answers to this job's next requests, consumed in order. */
    faults?: FaultSpec[];
    /**
     * Kinds with sub-jobs (ECS, BMS, EVS, EIP, IMS, CCE, ELB, SFS Turbo): how many, ≥ 1. Default 1.
     * Kinds that report what a job produced render one resource ID per sub-job (see `resourceIds`).
     */
    subJobs?: number;
    /** With `outcome: "failed"`, how many sub-jobs fail (the last ones), 0–`subJobs`. Default 1. */
    failedSubJobs?: number;
    /** The resource IDs the job produces, one per sub-job (server, volume, node, image IDs...). Default: fresh UUIDs. */
    resourceIds?: string[];
}

/** How a request was authenticated. */
export interface RequestAuth {
    /** True when the request carried valid credentials. */
    authenticated: boolean;
    /**
     * The means used: `token` (`X-Auth-Token`), `aksk` (`Authorization: SDK-HMAC-SHA256 ...`), or
     * `none` (no credentials sent, or the request never reached the authentication step).
     */
    via: "token" | "aksk" | "none";
    /** The access key of an AK/SK request (never the secret), when one could be read. */
    accessKey?: string;
    /** Why authentication failed (never contains a secret). */
    reason?: string;
}

/** One request as the emulator saw and answered it. */
export interface EmulatorRequestRecord {
    /** Arrival time, ms since the epoch, on the emulator's clock. */
    at: number;
    /** HTTP method. */
    method: string;
    /** The path as received (still percent-encoded, without the query), truncated to 2048 characters. */
    path: string;
    /** Decoded job ID, when the path matched a job API. */
    jobId?: string;
    /** The service of the job, when the job is defined (or the path is unambiguous). */
    service?: EmulatedService;
    /** Status sent; 0 while a slow answer is pending, or when no answer was sent (dropped, client gone). */
    status: number;
    /** The fault applied, if any. */
    fault?: FaultName;
    /** The job's state as rendered (`notFound` for a 404 of a defined or unknown job). */
    state?: "running" | "succeeded" | "failed" | "notFound";
    /** How the request was authenticated. */
    auth: RequestAuth;
    /** The `X-Request-Id` sent (also in error bodies as `request_id`). */
    requestId: string;
    /** True when the client disconnected before a (slow) answer was sent. */
    clientAborted?: boolean;
}

/** Options of {@link JobApiEmulator.start}. */
export interface EmulatorOptions {
    /** Accepted AK/SK pairs, access key → secret key, for `SDK-HMAC-SHA256` signed requests. */
    accessKeys?: Record<string, string>;
    /**
     * Accepted temporary AK/SK pairs (from IAM's security-token API), access key → its secret key
     * and security token: a request signed with one must carry exactly that `X-Security-Token`,
     * signed; without it, or with another, it is refused (401).
     */
    temporaryKeys?: Record<string, { secretKey: string; securityToken: string }>;
    /** Accepted IAM tokens (`X-Auth-Token`). */
    tokens?: string[];
    /**
     * Whether every job request must authenticate. Default: true when `accessKeys`,
     * `temporaryKeys` or `tokens` is given, false otherwise (then unauthenticated requests are
     * served and logged with `via: "none"`; credentials that are sent are still checked).
     */
    requireAuth?: boolean;
    /** Emulator-wide random faults. */
    randomFaults?: RandomFaults;
    /** The clock, ms since the epoch; default `Date.now`. Drives job time, log times and the signature skew check. */
    now?: () => number;
    /** Interface to listen on; only the loopback address is supported. Default `"127.0.0.1"`. */
    host?: "127.0.0.1";
    /** TCP port; default 0 (an ephemeral port). */
    port?: number;
    /** How many request records to keep (oldest dropped first); default 100 000. */
    logCapacity?: number;
}
