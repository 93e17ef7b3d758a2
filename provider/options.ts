/**
 * Every user-facing option of a wait, declared once in {@link SETTINGS} and validated here. Each rejection is a
 * `ConfigError` naming the field, the value and what is allowed, raised before any request.
 *
 * @packageDocumentation
 */

import { ConfigError, outOfOrderError } from "./errors";
import { validateEndpoint, validateRegion } from "./http/endpoint";
import { DEFAULT_NOT_FOUND_GRACE_MS } from "./polling/loop";
import { DEFAULT_BOUNDS, DEFAULT_TUNING, TUNING_RANGES } from "./polling/policy";
import { getService, kindsNeeding, printable } from "./services";
import type { ServiceAdapter } from "./services/types";

/** The default of each setting that has one, in the setting's unit. */
const DEFAULT_TIMEOUT_SECONDS = 3600;
const DEFAULT_MIN_POLL_INTERVAL_SECONDS = DEFAULT_BOUNDS.minIntervalMs / 1000;
const DEFAULT_MAX_POLL_INTERVAL_SECONDS = DEFAULT_BOUNDS.maxIntervalMs / 1000;
const DEFAULT_CALL_COST_SECONDS = DEFAULT_TUNING.callCostMs / 1000;
const DEFAULT_SHORTEST_JOB_SECONDS = DEFAULT_TUNING.shortestJobMs / 1000;
const DEFAULT_LONGEST_JOB_SECONDS = DEFAULT_TUNING.longestJobMs / 1000;
const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;
const DEFAULT_NOT_FOUND_GRACE_SECONDS = DEFAULT_NOT_FOUND_GRACE_MS / 1000;
const DEFAULT_MAX_REQUESTS_PER_SECOND = 10;
const DEFAULT_ALLOW_INSECURE_LOOPBACK = false;
const DEFAULT_ALLOW_FAILURE = false;

/** A tuning field's range (ms), in seconds: the settings that feed the policy's tuning accept what it does. */
const inSeconds = (range: { min: number; max: number }) => ({ min: range.min / 1000, max: range.max / 1000 });

/** The declaration of one setting: everything but its doc, which is the entry's TSDoc. */
export interface SettingSpec {
    /** The value's type. */
    readonly type: "string" | "boolean" | "number";
    /** True when the setting must be given. */
    readonly required?: boolean;
    /** The default (a named constant above), for a setting that has one of its own. */
    readonly default?: number | boolean;
    /** Where the value comes from when it is not given (markdown), for a default read from config or the environment. */
    readonly defaultFrom?: string;
    /** Unit of a number: seconds are resolved to whole milliseconds. */
    readonly unit?: "s" | "/s";
    /** Bounds of a number. `minExclusive`: the minimum itself is refused. */
    readonly min?: number;
    readonly max?: number;
    readonly minExclusive?: boolean;
    /** The field of {@link ResolvedWaitSettings} a number resolves to. */
    readonly resolvedAs?: ResolvedNumberKey;
    /** Changing it names another job: the `JobWaiter` is replaced (it waits again). Anything else updates in place. */
    readonly replaces?: boolean;
    /** A setting of the `JobWaiter` resource only (not of `waitForJob`). */
    readonly resourceOnly?: boolean;
}

/**
 * Every setting, declared once; the TSDoc of each entry is its documentation (the README's inputs
 * table repeats it, and a test checks that the two agree). The types ({@link JobWaitSettings},
 * `JobWaiterInputs`, `JobWaiterArgs`), the defaults, the numeric checks, the list of known keys and
 * the resource's replace list are derived from this table.
 */
export const SETTINGS = {
    /** Service kind: `"ecs"`, `"evs"`, `"cce"`, `"rds"`, `"dws"`... (the kinds table). */
    service: { type: "string", required: true, replaces: true },
    /** The job ID the service's create or modify API returned. 1–128 characters: letters, digits, `.`, `_`, `:`, `-`, first a letter or digit. */
    jobId: { type: "string", required: true, replaces: true },
    /** Project ID (in the request path). */
    projectId: { type: "string", defaultFrom: "`huaweicloud:projectId`, else `HW_PROJECT_ID`", replaces: true },
    /** Instance ID; required by `roma` and `dms`, refused by the other kinds. */
    instanceId: { type: "string", replaces: true },
    /** Region, e.g. `cn-north-4`. Needed unless `endpoint` is set (beside an endpoint, a change of region updates in place). */
    region: { type: "string", defaultFrom: "`huaweicloud:region`, else `HW_REGION_NAME`", replaces: true },
    /** Endpoint override (`https://dws.example.com`, a local emulator); plain http only to loopback with `allowInsecureLoopback`. */
    endpoint: { type: "string", replaces: true },
    /** Allow a plain-http endpoint on a loopback address (local emulator, tests). */
    allowInsecureLoopback: { type: "boolean", default: DEFAULT_ALLOW_INSECURE_LOOPBACK },
    /** Give up after this many seconds, after a final check at the deadline. (`customTimeouts` never reach dynamic providers.) */
    timeoutSeconds: { type: "number", unit: "s", default: DEFAULT_TIMEOUT_SECONDS, min: 0.001, max: 604_800, resolvedAs: "timeoutMs" },
    /** Shortest pause between polls. */
    minPollIntervalSeconds: { type: "number", unit: "s", default: DEFAULT_MIN_POLL_INTERVAL_SECONDS, min: 0.01, max: 3600, resolvedAs: "minIntervalMs" },
    /** Longest pause between polls (a server's `Retry-After` may exceed it). */
    maxPollIntervalSeconds: { type: "number", unit: "s", default: DEFAULT_MAX_POLL_INTERVAL_SECONDS, min: 0.01, max: 3600, resolvedAs: "maxIntervalMs" },
    /** What one status request is worth in seconds of detection lag: polling minimises lag + this × calls. */
    callCostSeconds: { type: "number", unit: "s", default: DEFAULT_CALL_COST_SECONDS, ...inSeconds(TUNING_RANGES.callCostMs), resolvedAs: "callCostMs" },
    /** Shortest job expected: without progress, polling is optimal for durations log-uniform from this to `longestJobSeconds`. */
    shortestJobSeconds: {
        type: "number",
        unit: "s",
        default: DEFAULT_SHORTEST_JOB_SECONDS,
        ...inSeconds(TUNING_RANGES.shortestJobMs),
        resolvedAs: "shortestJobMs",
    },
    /** Longest job expected. Jobs outside the range still end the wait, at a higher cost. */
    longestJobSeconds: {
        type: "number",
        unit: "s",
        default: DEFAULT_LONGEST_JOB_SECONDS,
        ...inSeconds(TUNING_RANGES.longestJobMs),
        resolvedAs: "longestJobMs",
    },
    /** Timeout of one HTTP request. */
    requestTimeoutSeconds: { type: "number", unit: "s", default: DEFAULT_REQUEST_TIMEOUT_SECONDS, min: 0.1, max: 300, resolvedAs: "requestTimeoutMs" },
    /** How long after the start a 404 (not visible yet) or an unresolved host name (`ENOTFOUND`) is waited out. */
    notFoundGraceSeconds: { type: "number", unit: "s", default: DEFAULT_NOT_FOUND_GRACE_SECONDS, min: 0, max: 3600, resolvedAs: "notFoundGraceMs" },
    /** Requests per second shared by all waiters of the process on one endpoint (the strictest limit asked holds). */
    maxRequestsPerSecond: {
        type: "number",
        unit: "/s",
        default: DEFAULT_MAX_REQUESTS_PER_SECOND,
        min: 0,
        minExclusive: true,
        max: 1000,
        resolvedAs: "maxRequestsPerSecond",
    },
    /** Record a failed job in the outputs instead of failing the deployment. */
    allowFailure: { type: "boolean", default: DEFAULT_ALLOW_FAILURE, resourceOnly: true },
} as const satisfies Record<string, SettingSpec>;

type Declared = typeof SETTINGS;
/** The plain type of a declared setting. */
type ValueOf<S> = S extends { type: "string" } ? string : S extends { type: "number" } ? number : boolean;
type KeysWhere<T, Flag extends string> = { [K in keyof T]: T[K] extends Record<Flag, true> ? K : never }[keyof T];
/** Plain values of declared settings. Homomorphic mapped types: each key keeps its entry's TSDoc. */
type Plain<T> = { -readonly [K in keyof T]: ValueOf<T[K]> };
/** Required settings required, the others optional. */
type ValuesOf<T> = Flatten<Plain<Pick<T, KeysWhere<T, "required">>> & Partial<Plain<Omit<T, KeysWhere<T, "required">>>>>;
type Flatten<T> = { [K in keyof T]: T[K] };

/** A setting's name. */
export type SettingKey = keyof Declared;
/** The settings that describe which job to wait on and how. Shared by `waitForJob` and the `JobWaiter` resource. */
export type JobWaitSettings = ValuesOf<Omit<Declared, KeysWhere<Declared, "resourceOnly">>>;
/** Every setting of a `JobWaiter` (plain values): {@link JobWaitSettings} and the resource's own. */
export type JobWaiterSettings = ValuesOf<Declared>;

/** Every setting's name, in the table's order. */
export const ALL_SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
/** Every key of {@link JobWaitSettings}. */
const SETTING_KEYS = ALL_SETTING_KEYS.filter((key) => !(SETTINGS[key] as SettingSpec).resourceOnly) as (keyof JobWaitSettings)[];
/** Settings whose change replaces a `JobWaiter` (the region only while no endpoint is set). */
export const REPLACE_ON_CHANGE = ALL_SETTING_KEYS.filter((key) => (SETTINGS[key] as SettingSpec).replaces === true);

type ResolvedNumberKey =
    | "timeoutMs"
    | "minIntervalMs"
    | "maxIntervalMs"
    | "callCostMs"
    | "shortestJobMs"
    | "longestJobMs"
    | "requestTimeoutMs"
    | "notFoundGraceMs"
    | "maxRequestsPerSecond";

/** The numeric settings that are resolved in seconds (or per second) to a field of {@link ResolvedWaitSettings}. */
type NumberSettingKey = { [K in SettingKey]: Declared[K] extends { resolvedAs: ResolvedNumberKey } ? K : never }[SettingKey];

/** Validated, defaulted settings (times in milliseconds). */
export interface ResolvedWaitSettings extends Record<ResolvedNumberKey, number> {
    service: ServiceAdapter;
    jobId: string;
    projectId?: string;
    instanceId?: string;
    region?: string;
    endpoint?: string;
}

/** The numeric settings, each with its spec: the one loop of {@link resolveWaitSettings} checks them from the table. */
const NUMBER_SETTINGS = ALL_SETTING_KEYS.flatMap((key) => {
    const spec: SettingSpec = SETTINGS[key];
    return spec.resolvedAs === undefined ? [] : [{ key, spec, resolvedAs: spec.resolvedAs }];
});

/** The numeric settings that tune the default poll policy (those resolved to a `PolicyTuning` field). */
export const POLICY_TUNING_SETTINGS = NUMBER_SETTINGS.filter(
    ({ key, resolvedAs }) => resolvedAs in DEFAULT_TUNING && SETTING_KEYS.includes(key as keyof JobWaitSettings),
) as {
    key: keyof JobWaitSettings;
    resolvedAs: ResolvedNumberKey;
}[];

/** Allowed characters of job and instance IDs, as documented for the user. */
const ID_RULE = "1–128 characters from A–Z, a–z, 0–9, '.', '_', ':', '-', starting with a letter or digit";
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const PROJECT_RULE = "1–64 characters from A–Z, a–z, 0–9, '_', '-' (a Huawei project ID is 32 hexadecimal characters)";
const PROJECT_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

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
        if (v === undefined)
            throw new ConfigError({
                field: "projectId",
                value: "(missing)",
                allowed: `${PROJECT_RULE}; set it on the waiter, in huaweicloud:projectId (Pulumi stack config) or in HW_PROJECT_ID (or OS_PROJECT_ID)`,
            });
        return checkId("projectId", v, PROJECT_PATTERN, PROJECT_RULE);
    });
    const instanceId = known(settings.instanceId, (v) => optionalId("instanceId", v, ID_PATTERN, ID_RULE));
    if (service !== undefined && !isUnknown(instanceId)) {
        if (service.requiredIds.includes("instanceId")) {
            if (instanceId === undefined) {
                throw new ConfigError({ field: "instanceId", value: "(missing)", allowed: `${ID_RULE}; the "${service.kind}" service needs the instance ID` });
            }
        } else if (instanceId !== undefined) {
            throw new ConfigError({
                field: "instanceId",
                value: printable(instanceId),
                allowed: `no instanceId for the "${service.kind}" service (only ${kindsNeeding("instanceId")
                    .map((k) => `"${k}"`)
                    .join(" and ")} use one)`,
            });
        }
    }
    const allowInsecureLoopback = known(settings.allowInsecureLoopback, (v) => checkBoolean("allowInsecureLoopback", v));
    // With the opt-in unknown (a preview), every rule is checked but the one it decides: http to loopback.
    const endpoint = known(settings.endpoint, (v) =>
        v === undefined
            ? undefined
            : validateEndpoint(checkString("endpoint", v), { allowInsecureLoopback: isUnknown(allowInsecureLoopback) ? true : allowInsecureLoopback }),
    );
    const region = known(settings.region ?? defaults.region, (v) => (v === undefined ? undefined : validateRegion(checkString("region", v))));
    if (endpoint === undefined && region === undefined) {
        throw new ConfigError({
            field: "region",
            value: "(missing)",
            allowed: 'a region such as "cn-north-4" (on the waiter, in huaweicloud:region or in HW_REGION_NAME), or an explicit endpoint',
        });
    }
    const numbers = {} as Record<ResolvedNumberKey, number>;
    for (const { key, spec, resolvedAs } of NUMBER_SETTINGS)
        numbers[resolvedAs] = known(settings[key as keyof JobWaitSettings], (v) => checkNumber(key, v, spec));
    checkOrdered(settings, numbers, isUnknown, { low: "minPollIntervalSeconds", high: "maxPollIntervalSeconds", equalAllowed: true });
    checkOrdered(settings, numbers, isUnknown, { low: "shortestJobSeconds", high: "longestJobSeconds", equalAllowed: false });
    return { service: service as ServiceAdapter, jobId, projectId, instanceId, region, endpoint, ...numbers };
}

/**
 * Refuse a pair of numeric settings out of order (`low` above `high`, or, where they must differ,
 * less than a millisecond apart), quoting the values as given ({@link outOfOrderError}).
 */
function checkOrdered(
    settings: JobWaitSettings,
    numbers: Record<ResolvedNumberKey, number>,
    isUnknown: (value: unknown) => boolean,
    pair: { low: NumberSettingKey; high: NumberSettingKey; equalAllowed: boolean },
): void {
    const lowMs = numbers[SETTINGS[pair.low].resolvedAs];
    const highMs = numbers[SETTINGS[pair.high].resolvedAs];
    if (isUnknown(lowMs) || isUnknown(highMs) || lowMs < highMs || (pair.equalAllowed && lowMs === highMs)) return;
    const setting = (key: NumberSettingKey, ms: number) => ({ field: key, value: String(settings[key] ?? ms / 1000), given: settings[key] !== undefined });
    throw outOfOrderError(
        setting(pair.low, lowMs),
        setting(pair.high, highMs),
        pair.equalAllowed ? { below: "no larger than", above: "no smaller than" } : { below: "at least 0.001 below", above: "at least 0.001 above" },
    );
}

/** `allowFailure` of a `JobWaiter`: true, false or (left out) its default. */
export function resolveAllowFailure(value: unknown): boolean {
    return checkBoolean("allowFailure", value);
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

/** A boolean setting, or its declared default when left out. */
function checkBoolean(field: "allowInsecureLoopback" | "allowFailure", value: unknown): boolean {
    if (value === undefined) return SETTINGS[field].default;
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

/** A numeric setting checked against its spec: the declared default when left out; seconds in whole milliseconds. */
function checkNumber(field: string, value: unknown, spec: SettingSpec): number {
    const number = value === undefined ? (spec.default as number) : numberIn(field, value, spec);
    return spec.unit === "s" ? Math.round(number * 1000) : number;
}

function numberIn(field: string, value: unknown, { min = 0, max = Number.POSITIVE_INFINITY, minExclusive = false }: SettingSpec): number {
    const low = minExclusive ? `greater than ${min}` : `at least ${min}`;
    const allowed = `a number ${low} and at most ${max}`;
    if (typeof value !== "number" || !Number.isFinite(value)) throw new ConfigError({ field, value: printable(value), allowed });
    if (value < min || (minExclusive && value === min) || value > max) {
        throw new ConfigError({ field, value: String(value), allowed });
    }
    return value;
}
