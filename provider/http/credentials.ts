/**
 * Where credentials and connection settings come from: explicit options first, then the
 * environment variables of Huawei's Terraform provider, and which of them are secrets.
 *
 * Environment variables (huaweicloud/terraform-provider-huaweicloud `huaweicloud/provider.go`,
 * `schema.MultiEnvDefaultFunc` / `EnvDefaultFunc`, first one set wins):
 *
 * | setting         | variables                              |
 * | --------------- | -------------------------------------- |
 * | `accessKey`     | `HW_ACCESS_KEY`, `OS_ACCESS_KEY`       |
 * | `secretKey`     | `HW_SECRET_KEY`, `OS_SECRET_KEY`       |
 * | `securityToken` | `HW_SECURITY_TOKEN`                    |
 * | `token`         | `HW_AUTH_TOKEN`, `OS_AUTH_TOKEN`       |
 * | `region`        | `HW_REGION_NAME`, `OS_REGION_NAME`     |
 * | `projectId`     | `HW_PROJECT_ID`, `OS_PROJECT_ID`       |
 * | `cloud`         | `HW_CLOUD`                             |
 *
 * @packageDocumentation
 */

import { ConfigError } from "../errors";
import { printable } from "../services";
import { validateCloud } from "./endpoint";
import type { AkSkCredentials } from "./signer";

export type { AkSkCredentials } from "./signer";

/** How requests are authenticated: AK/SK signing (optionally temporary, with a security token) or an IAM token (`X-Auth-Token`). */
export type Credentials = ({ kind: "aksk" } & AkSkCredentials) | { kind: "token"; token: string };

/** Settings after merging explicit values and the environment. */
export interface ResolvedSettings {
    /** The credentials to use. */
    credentials: Credentials;
    /** Region ID, e.g. `cn-north-4` (not validated here). */
    region?: string;
    /** Project ID (not validated here). */
    projectId?: string;
    /** Endpoint domain, e.g. `myhuaweicloud.com` (validated, lower-case). */
    cloud?: string;
}

/** Explicit settings; any field left out (or empty) is read from the environment. */
export interface SettingsInput {
    /** Access key ID. Env: `HW_ACCESS_KEY`, `OS_ACCESS_KEY`. */
    accessKey?: string;
    /** Secret access key. Env: `HW_SECRET_KEY`, `OS_SECRET_KEY`. */
    secretKey?: string;
    /** Security token of temporary AK/SK credentials. Env: `HW_SECURITY_TOKEN`. */
    securityToken?: string;
    /** IAM token, used when no complete AK/SK pair is available. Env: `HW_AUTH_TOKEN`, `OS_AUTH_TOKEN`. */
    token?: string;
    /** Region ID. Env: `HW_REGION_NAME`, `OS_REGION_NAME`. */
    region?: string;
    /** Project ID. Env: `HW_PROJECT_ID`, `OS_PROJECT_ID`. */
    projectId?: string;
    /** Endpoint domain. Env: `HW_CLOUD`. Default: by region (see `serviceEndpoint`). */
    cloud?: string;
}

/** The environment variables read for each setting, in order of precedence. */
export const ENV_VARS: Readonly<Record<keyof SettingsInput, readonly string[]>> = {
    accessKey: ["HW_ACCESS_KEY", "OS_ACCESS_KEY"],
    secretKey: ["HW_SECRET_KEY", "OS_SECRET_KEY"],
    securityToken: ["HW_SECURITY_TOKEN"],
    token: ["HW_AUTH_TOKEN", "OS_AUTH_TOKEN"],
    region: ["HW_REGION_NAME", "OS_REGION_NAME"],
    projectId: ["HW_PROJECT_ID", "OS_PROJECT_ID"],
    cloud: ["HW_CLOUD"],
};

/** Settings whose values are never shown. */
const SECRET_FIELDS: ReadonlySet<keyof SettingsInput> = new Set(["secretKey", "securityToken", "token"]);

/** Shown instead of a secret value. */
const HIDDEN = "(set, hidden)";

/** Where a setting can come from, for messages: the option (stack config for the resource) or the environment. */
function source(field: keyof SettingsInput): string {
    const [first, ...rest] = ENV_VARS[field];
    return `the ${field} option (huaweicloud:${field} in the Pulumi stack config) or the ${first}${rest.length ? ` (or ${rest.join(", ")})` : ""} environment variable`;
}

/**
 * Merge explicit settings and the environment.
 *
 * - Field by field, an explicit non-empty value wins over the environment; among the
 *   environment variables the first set one wins (see {@link ENV_VARS}). Values are trimmed;
 *   empty values count as unset.
 * - Explicit credentials beat the environment's as a kind too: an explicit token wins over an
 *   AK/SK pair that comes wholly from the environment. Otherwise a complete AK/SK pair wins over
 *   a token.
 * - `securityToken` only goes with AK/SK, and one from the environment only with a pair that
 *   comes wholly from the environment: a temporary token left in the environment is never
 *   attached to explicitly given keys.
 * - Half a pair (an access key without a secret key, or the reverse) is a `ConfigError`, unless
 *   the half comes from the environment only and a token was given explicitly (the token is used).
 * - No usable credentials is a `ConfigError` as well. Both errors name the
 *   options and the environment variables that would supply them. Secret values are never
 *   echoed: they appear as `"(set, hidden)"`.
 *
 * `env` defaults to `process.env`.
 */
export function resolveSettings(explicit: SettingsInput = {}, env: NodeJS.ProcessEnv = process.env): ResolvedSettings {
    if (explicit === null || typeof explicit !== "object") {
        throw new ConfigError({ field: "settings", value: printable(explicit), allowed: "an object of credential settings" });
    }
    const explicitFields = new Set<keyof SettingsInput>();
    const pick = (field: keyof SettingsInput): string | undefined => {
        const { value, explicit: given } = settingFrom(field, (explicit as Record<string, unknown>)[field], env);
        if (given) explicitFields.add(field);
        return value;
    };

    const accessKey = pick("accessKey");
    const secretKey = pick("secretKey");
    const securityToken = pick("securityToken");
    const token = pick("token");
    const region = pick("region");
    const projectId = pick("projectId");
    const cloudInput = pick("cloud");
    const cloud = cloudInput === undefined ? undefined : validateCloud(cloudInput);

    // An explicit token is the caller's choice over keys found in the environment (a whole pair,
    // or half of one: that half is then no mistake to report).
    const noHalfPair = accessKey === undefined && secretKey === undefined;
    const halfPairExplicit = explicitFields.has("accessKey") || explicitFields.has("secretKey");
    const tokenExplicit = explicitFields.has("token");
    const tokenWins = token !== undefined && (noHalfPair || (tokenExplicit && !halfPairExplicit));
    const stsGoesWithPair = securityToken !== undefined && (explicitFields.has("securityToken") || !halfPairExplicit);

    let credentials: Credentials;
    if (accessKey !== undefined && secretKey !== undefined && !(tokenWins && tokenExplicit)) {
        credentials = { kind: "aksk", accessKey, secretKey, ...(stsGoesWithPair ? { securityToken } : {}) };
    } else if (tokenWins) {
        credentials = { kind: "token", token };
    } else if (accessKey !== undefined) {
        throw new ConfigError({ field: "secretKey", value: "(missing)", allowed: `the secret key that goes with accessKey: set ${source("secretKey")}` });
    } else if (secretKey !== undefined) {
        throw new ConfigError({
            field: "accessKey",
            value: `(missing; secretKey is ${HIDDEN})`,
            allowed: `the access key ID that goes with secretKey: set ${source("accessKey")}`,
        });
    } else if (securityToken !== undefined) {
        throw new ConfigError({
            field: "accessKey",
            value: `(missing; securityToken is ${HIDDEN})`,
            allowed: `a temporary access key and secret key to go with securityToken: set ${source("accessKey")} and ${source("secretKey")}`,
        });
    } else {
        throw new ConfigError({
            field: "credentials",
            value: "(missing)",
            allowed:
                `either an access key pair — ${source("accessKey")} and ${source("secretKey")}, plus ${source("securityToken")} ` +
                `for temporary keys — or an IAM token: ${source("token")}`,
        });
    }
    return {
        credentials,
        ...(region !== undefined ? { region } : {}),
        ...(projectId !== undefined ? { projectId } : {}),
        ...(cloud !== undefined ? { cloud } : {}),
    };
}

/**
 * One setting: the explicit value when it is a non-empty string, else the first set environment
 * variable of {@link ENV_VARS}; trimmed and checked (see {@link resolveSettings}).
 */
function settingFrom(field: keyof SettingsInput, value: unknown, env: NodeJS.ProcessEnv | undefined): { value?: string; explicit: boolean } {
    if (value !== undefined && value !== null) {
        if (typeof value !== "string") {
            throw new ConfigError({
                field,
                value: SECRET_FIELDS.has(field) ? HIDDEN : printable(value),
                allowed: `a string (or leave it out to use ${source(field)})`,
            });
        }
        const trimmed = value.trim();
        if (trimmed !== "") return { value: checkValue(field, trimmed), explicit: true };
    }
    for (const name of ENV_VARS[field]) {
        const fromEnv = env?.[name]?.trim();
        if (fromEnv) return { value: checkValue(field, fromEnv, name), explicit: false };
    }
    return { explicit: false };
}

/**
 * `projectId` and `region` exactly as {@link resolveSettings} resolves them (explicit, else
 * `HW_*`, else `OS_*`), without asking for credentials: for validating inputs before any request.
 */
export function resolveSettingDefaults(
    explicit: Pick<SettingsInput, "projectId" | "region">,
    env: NodeJS.ProcessEnv = process.env,
): { projectId?: string; region?: string } {
    const projectId = settingFrom("projectId", explicit.projectId, env).value;
    const region = settingFrom("region", explicit.region, env).value;
    return { ...(projectId !== undefined ? { projectId } : {}), ...(region !== undefined ? { region } : {}) };
}

/**
 * Refuse values that cannot travel in an HTTP header (control characters), and access keys with
 * spaces or commas (they would break the `Authorization` header). Secrets are never shown.
 */
function checkValue(field: keyof SettingsInput, value: string, envName?: string): string {
    const from = envName ? ` (from ${envName})` : "";
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(value)) {
        throw new ConfigError({
            field,
            value: `${SECRET_FIELDS.has(field) ? HIDDEN : printable(value)}${from}`,
            allowed: "a value without control characters or line breaks",
        });
    }
    if (field === "accessKey" && /[\s,]/.test(value)) {
        throw new ConfigError({ field, value: `${printable(value)}${from}`, allowed: "an access key ID without spaces or commas" });
    }
    return value;
}

/**
 * Every secret `credentials` hold, for the waiter's server-text filter: the secret key, the
 * security token, the token — and the access key ID, which is not secret to Huawei but names the
 * account, and nothing a server says is worth echoing it back.
 */
export function secretsOf(credentials: Credentials): string[] {
    const held = credentials.kind === "token" ? [credentials.token] : [credentials.accessKey, credentials.secretKey, credentials.securityToken];
    return held.filter((secret): secret is string => typeof secret === "string" && secret !== "");
}
