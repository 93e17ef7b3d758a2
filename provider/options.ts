/**
 * Every user-facing option of a wait, validated in one place. Each rejection is a
 * `ConfigError` naming the field, the value and what is allowed, raised before any request.
 *
 * @packageDocumentation
 */

import { ConfigError } from "./errors";
import { validateEndpoint, validateRegion } from "./http/endpoint";
import { DEFAULT_BOUNDS, DEFAULT_TUNING } from "./polling/policy";
import { getService, kindsNeeding, printable } from "./services";
import type { ServiceAdapter } from "./services/types";

/** The settings that describe which job to wait on and how. Shared by `waitForJob` and the `JobWaiter` resource. */
export interface JobWaitSettings {
    /** Service kind, one of `SERVICE_KINDS` (`"ecs"`, `"rds"`, `"dws"`...: the README's kinds table). */
    service: string;
    /** The job ID the service returned. 1–128 characters: letters, digits, `.`, `_`, `:`, `-`. */
    jobId: string;
    /** Project ID (in the path). Default: `HW_PROJECT_ID`. */
    projectId?: string;
    /** Instance ID; required by `roma` and `dms`, refused by the other kinds. */
    instanceId?: string;
    /** Region, e.g. `cn-north-4`. Default: `HW_REGION_NAME`. Needed unless `endpoint` is set. */
    region?: string;
    /** Endpoint override (`https://dws.example.com`); http only to loopback with `allowInsecureLoopback`. */
    endpoint?: string;
    /** Allow a plain-http endpoint on a loopback address (local emulator, tests). Default false. */
    allowInsecureLoopback?: boolean;
    /** Give up after this many seconds (after a final check at the deadline). Default 3600, range [0.001, 604800]. */
    timeoutSeconds?: number;
    /** Shortest pause between polls, seconds. Default `DEFAULT_BOUNDS` (1 s). */
    minPollIntervalSeconds?: number;
    /**
     * Longest pause between polls, seconds (a server `Retry-After` may exceed it). Default
     * `DEFAULT_BOUNDS` (600 s, reached only while progress says the end is far; without usable
     * progress the blind schedule's gaps stay below ≈ 100 s). At most 3600.
     */
    maxPollIntervalSeconds?: number;
    /**
     * What one status request costs, in seconds of detection lag: the policy minimises lag + this ×
     * calls. Larger means fewer calls and later detection. Default `DEFAULT_TUNING` (1 s), range [0, 3600].
     */
    callCostSeconds?: number;
    /** Timeout of one HTTP request, seconds. Default 30, range [0.1, 300]. */
    requestTimeoutSeconds?: number;
    /** How long after the start a 404 means "not visible yet", seconds. Default 30, range [0, 3600]. */
    notFoundGraceSeconds?: number;
    /**
     * Requests per second shared by all waiters of this process on the same endpoint (while waiters
     * asking different limits run together, the strictest holds). Default 10, range (0, 1000].
     */
    maxRequestsPerSecond?: number;
}

/** Validated, defaulted settings (times in milliseconds). */
export interface ResolvedWaitSettings {
    service: ServiceAdapter;
    jobId: string;
    projectId?: string;
    instanceId?: string;
    region?: string;
    endpoint?: string;
    timeoutMs: number;
    minIntervalMs: number;
    maxIntervalMs: number;
    callCostMs: number;
    requestTimeoutMs: number;
    notFoundGraceMs: number;
    maxRequestsPerSecond: number;
}

/** Allowed characters of job and instance IDs, as documented for the user. */
const ID_RULE = "1–128 characters from A–Z, a–z, 0–9, '.', '_', ':', '-', starting with a letter or digit";
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const PROJECT_RULE = "1–64 characters from A–Z, a–z, 0–9, '_', '-' (a Huawei project ID is 32 hexadecimal characters)";
const PROJECT_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Every key of {@link JobWaitSettings}. */
export const SETTING_KEYS: readonly (keyof JobWaitSettings)[] = [
    "service", "jobId", "projectId", "instanceId", "region", "endpoint", "allowInsecureLoopback",
    "timeoutSeconds", "minPollIntervalSeconds", "maxPollIntervalSeconds", "callCostSeconds", "requestTimeoutSeconds",
    "notFoundGraceSeconds", "maxRequestsPerSecond",
];

/**
 * Validate and default wait settings. `defaults` supplies `projectId`/`region` from credentials
 * resolution (environment) when the settings leave them out.
 *
 * `isUnknown` serves a preview, where some inputs are not known yet: a value it accepts is not
 * validated (nor reported missing), checks that involve it are skipped, and it comes back as is —
 * so only the known fields of the result mean anything. Every known value is still checked.
 */
export function resolveWaitSettings(
    settings: JobWaitSettings,
    defaults: { projectId?: string; region?: string } = {},
    isUnknown: (value: unknown) => boolean = () => false,
): ResolvedWaitSettings {
    /** `check(value)`, or the unknown value itself. */
    const known = <T>(value: unknown, check: (v: unknown) => T): T => (isUnknown(value) ? (value as T) : check(value));
    const service = isUnknown(settings.service) ? undefined : getService(settings.service);
    const jobId = known(settings.jobId, (v) => checkId("jobId", v, ID_PATTERN, ID_RULE));
    const projectId = known(settings.projectId ?? defaults.projectId, (v) => {
        if (v === undefined) throw new ConfigError({ field: "projectId", value: "(missing)", allowed: `${PROJECT_RULE}; set it on the waiter, in huaweicloud:projectId (Pulumi stack config) or in HW_PROJECT_ID (or OS_PROJECT_ID)` });
        return checkId("projectId", v, PROJECT_PATTERN, PROJECT_RULE);
    });
    const instanceId = known(settings.instanceId, (v) => optionalId("instanceId", v, ID_PATTERN, ID_RULE));
    if (service !== undefined && !isUnknown(instanceId)) {
        if (service.requiredIds.includes("instanceId")) {
            if (instanceId === undefined) {
                throw new ConfigError({ field: "instanceId", value: "(missing)", allowed: `${ID_RULE}; the "${service.kind}" service needs the instance ID` });
            }
        } else if (instanceId !== undefined) {
            throw new ConfigError({ field: "instanceId", value: printable(instanceId), allowed: `no instanceId for the "${service.kind}" service (only ${kindsNeeding("instanceId").map((k) => `"${k}"`).join(" and ")} use one)` });
        }
    }
    const allowInsecureLoopback = known(settings.allowInsecureLoopback, (v) => (v === undefined ? false : checkBoolean("allowInsecureLoopback", v)));
    const endpoint = known(settings.endpoint, (v) =>
        v === undefined || isUnknown(allowInsecureLoopback) ? (v as string | undefined) : validateEndpoint(checkString("endpoint", v), { allowInsecureLoopback }),
    );
    const region = known(settings.region ?? defaults.region, (v) => (v === undefined ? undefined : validateRegion(checkString("region", v))));
    if (endpoint === undefined && region === undefined) {
        throw new ConfigError({ field: "region", value: "(missing)", allowed: "a region such as \"cn-north-4\" (on the waiter, in huaweicloud:region or in HW_REGION_NAME), or an explicit endpoint" });
    }
    const timeoutMs = known(settings.timeoutSeconds, (v) => seconds("timeoutSeconds", v, 3600, { min: 0.001, max: 604_800 }));
    const minIntervalMs = known(settings.minPollIntervalSeconds, (v) => seconds("minPollIntervalSeconds", v, DEFAULT_BOUNDS.minIntervalMs / 1000, { min: 0.01, max: 3600 }));
    const maxIntervalMs = known(settings.maxPollIntervalSeconds, (v) => seconds("maxPollIntervalSeconds", v, DEFAULT_BOUNDS.maxIntervalMs / 1000, { min: 0.01, max: 3600 }));
    if (!isUnknown(minIntervalMs) && !isUnknown(maxIntervalMs) && minIntervalMs > maxIntervalMs) {
        // Blame the bound the user set (both set: the minimum).
        if (settings.minPollIntervalSeconds === undefined) {
            throw new ConfigError({ field: "maxPollIntervalSeconds", value: String(maxIntervalMs / 1000), allowed: `a value no smaller than minPollIntervalSeconds (${minIntervalMs / 1000}, the default)` });
        }
        throw new ConfigError({ field: "minPollIntervalSeconds", value: String(minIntervalMs / 1000), allowed: `a value no larger than maxPollIntervalSeconds (${maxIntervalMs / 1000})` });
    }
    const callCostMs = known(settings.callCostSeconds, (v) => seconds("callCostSeconds", v, DEFAULT_TUNING.callCostMs / 1000, { min: 0, max: 3600 }));
    const requestTimeoutMs = known(settings.requestTimeoutSeconds, (v) => seconds("requestTimeoutSeconds", v, 30, { min: 0.1, max: 300 }));
    const notFoundGraceMs = known(settings.notFoundGraceSeconds, (v) => seconds("notFoundGraceSeconds", v, 30, { min: 0, max: 3600 }));
    const maxRequestsPerSecond = known(settings.maxRequestsPerSecond, (v) => numberIn("maxRequestsPerSecond", v, 10, { min: 0, minExclusive: true, max: 1000 }));
    return {
        service: service as ServiceAdapter, jobId, projectId, instanceId, region, endpoint,
        timeoutMs, minIntervalMs, maxIntervalMs, callCostMs, requestTimeoutMs, notFoundGraceMs, maxRequestsPerSecond,
    };
}

/**
 * Refuse every key of `input` that is neither a setting ({@link SETTING_KEYS}) nor in `extra`: a
 * typo must not silently wait the default hour. The `ConfigError` names the key and the closest
 * valid one, never the value (it may be a credential given by mistake); `credentialHint` is
 * appended for keys that look like credentials.
 */
export function checkKnownSettings(input: object, extra: readonly string[], credentialHint = ""): void {
    const valid = [...new Set([...SETTING_KEYS, ...extra])];
    for (const key of Object.keys(input)) {
        if (valid.includes(key)) continue;
        const hint = /key|secret|token|password|credential/i.test(key) ? credentialHint : "";
        throw new ConfigError({
            field: key,
            value: "(value not shown)",
            allowed: `no such option (the closest is "${closest(key, valid)}"); valid options are ${valid.join(", ")}${hint}`,
        });
    }
}

/**
 * The candidate nearest to `key`, ignoring case: the shortest one that contains it (`timeout` →
 * `timeoutSeconds`), else the one at the least edit distance (the first of equals).
 */
function closest(key: string, candidates: readonly string[]): string {
    const lower = key.toLowerCase();
    const containing = candidates.filter((candidate) => candidate.toLowerCase().includes(lower));
    if (containing.length > 0) return containing.reduce((a, b) => (b.length < a.length ? b : a));
    const distances = candidates.map((candidate) => editDistance(lower, candidate.toLowerCase()));
    return candidates[distances.indexOf(Math.min(...distances))];
}

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

function checkString(field: string, value: unknown): string {
    if (typeof value !== "string") throw new ConfigError({ field, value: printable(value), allowed: "a string" });
    return value;
}

function checkBoolean(field: string, value: unknown): boolean {
    if (typeof value !== "boolean") throw new ConfigError({ field, value: printable(value), allowed: "true or false" });
    return value;
}

function checkId(field: string, value: unknown, pattern: RegExp, rule: string): string {
    if (typeof value !== "string" || !pattern.test(value)) throw new ConfigError({ field, value: printable(value), allowed: rule });
    return value;
}

function optionalId(field: string, value: unknown, pattern: RegExp, rule: string): string | undefined {
    return value === undefined ? undefined : checkId(field, value, pattern, rule);
}

interface Range {
    min: number;
    max: number;
    minExclusive?: boolean;
}

function numberIn(field: string, value: unknown, fallback: number, range: Range): number {
    if (value === undefined) return fallback;
    const low = range.minExclusive ? `greater than ${range.min}` : `at least ${range.min}`;
    const allowed = `a number ${low} and at most ${range.max}`;
    if (typeof value !== "number" || !Number.isFinite(value)) throw new ConfigError({ field, value: printable(value), allowed });
    if (value < range.min || (range.minExclusive && value === range.min) || value > range.max) {
        throw new ConfigError({ field, value: String(value), allowed });
    }
    return value;
}

function seconds(field: string, value: unknown, fallbackSeconds: number, range: Range): number {
    return Math.round(numberIn(field, value, fallbackSeconds, range) * 1000);
}
