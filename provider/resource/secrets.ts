/**
 * Inputs given as secrets, kept out of every text the provider writes.
 *
 * The dynamic-provider host declines secrets: the engine hands `check`, `create` and `read` every
 * input, and `configure` every config value, without its secret mark. So the program side (the
 * `JobWaiter` constructor, {@link withSecretInputs}) records the names of the inputs it was given
 * as secrets in one more input, {@link SECRET_INPUTS_KEY}, and gives a secret config default
 * (`pulumi config set --secret huaweicloud:projectId`) as a secret input, so that the engine
 * encrypts it in the state. The provider side ({@link secretsFor}) has the waiter filter those
 * values out of the server's text (statuses, and so outputs) as it filters credentials, and
 * removes them from check failures, errors, progress and notice lines.
 *
 * @packageDocumentation
 */

import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../errors";
import { ALL_SETTING_KEYS } from "../options";
import { redactSecrets } from "../serverText";

/** The input that names the inputs given as secrets (absent when there are none). */
export const SECRET_INPUTS_KEY = "secretInputs";

/** A secret input's value as its own check failure shows it. */
export const SECRET_VALUE = "(secret, not shown)";

/** Settings the provider defaults from the stack config, by config key: given as secrets when the config value is one. */
const CONFIG_DEFAULTS = { "huaweicloud:projectId": "projectId", "huaweicloud:region": "region" } as const;

/**
 * The SDK's own test of a secret config value. It is internal to `@pulumi/pulumi` (the
 * public `Config.getSecret` marks every value secret, secret or not); where an SDK lacks it,
 * secret config defaults are treated as plain, as the provider sees them.
 */
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret ?? (() => false);

/** An input whose value is not known yet when the program runs: an output, or a promise (both are `pulumi.Input`). */
const isDeferred = (value: unknown) => pulumi.Output.isInstance(value) || typeof (value as PromiseLike<unknown> | null)?.then === "function";

/**
 * Program side: `args` with the stack's secret config defaults given as secret inputs (where the
 * input is left out, or is an output or a promise that resolves to nothing; a region left out only
 * where no endpoint is given: an endpoint locates the job without it), and with
 * {@link SECRET_INPUTS_KEY} naming every input that is a secret.
 */
export function withSecretInputs(args: Record<string, unknown>): Record<string, unknown> {
    const inputs = { ...args };
    for (const [key, field] of Object.entries(CONFIG_DEFAULTS)) {
        const value = pulumi.runtime.getConfig(key);
        if (value === undefined || value === "" || !isConfigSecret(key)) continue;
        const given = inputs[field];
        const locator = field === "region" ? inputs.endpoint : undefined;
        if ((given !== undefined && !isDeferred(given)) || (given === undefined && locator !== undefined && !isDeferred(locator))) continue;
        // An output or promise that resolves to nothing (another resource's optional output) is defaulted too, once known.
        inputs[field] =
            given === undefined && locator === undefined
                ? pulumi.secret(value)
                : pulumi
                      .all([given, locator])
                      .apply(([own, endpoint]) => (own !== undefined ? own : endpoint !== undefined ? undefined : pulumi.secret(value)));
    }
    const names = Promise.all(Object.entries(inputs).map(async ([key, value]) => ((await pulumi.isSecret(pulumi.output(value))) ? [key] : [])));
    // Sorted: the order of the program's keys is no change of the waiter.
    inputs[SECRET_INPUTS_KEY] = pulumi.output(names.then((found) => (found.flat().length > 0 ? found.flat().sort() : undefined)));
    return inputs;
}

/**
 * Provider side: the names in {@link SECRET_INPUTS_KEY} of `props`, each a setting.
 *
 * @throws ConfigError when the key holds anything else (the program set it by hand).
 */
export function secretInputsOf(props: Record<string, unknown>): string[] {
    const names = props[SECRET_INPUTS_KEY];
    if (names === undefined) return [];
    if (!Array.isArray(names) || !names.every((name) => typeof name === "string" && (ALL_SETTING_KEYS as readonly string[]).includes(name))) {
        throw new ConfigError({
            field: SECRET_INPUTS_KEY,
            value: "(value not shown)",
            allowed: "nothing: JobWaiter sets it itself, to the names of the inputs given as secrets (wrap an input in pulumi.secret instead)",
        });
    }
    return names as string[];
}

/** {@link secretInputsOf}, or none where `props` (a state written by hand?) hold anything else. */
export function recordedSecretInputs(props: Record<string, unknown>): string[] {
    try {
        return secretInputsOf(props);
    } catch {
        return [];
    }
}

/** A text with every secret input's value replaced (see {@link redactorFor}). */
export type Redact = (text: string) => string;

/** Shortest secret input value redacted: a shorter one would garble every text it occurs in (`a`, `20`). */
export const MIN_REDACTED_LENGTH = 4;

/**
 * The values of `props`' secret inputs that texts must not show: each string value, and for a
 * secret endpoint also its origin and host as messages write them (`https://Host:443/` →
 * `https://host`, `host`; a host name without a dot only within those). A secret number or
 * boolean is hidden only as the value of its own check failure, as is a value shorter than
 * {@link MIN_REDACTED_LENGTH}.
 */
function secretValues(props: Record<string, unknown>): string[] {
    const secret = recordedSecretInputs(props);
    const values = secret.map((name) => props[name]).filter((value): value is string => typeof value === "string");
    const endpoint = props.endpoint;
    if (secret.includes("endpoint") && typeof endpoint === "string" && URL.canParse(endpoint)) {
        const url = new URL(endpoint);
        values.push(url.origin, ...[url.host, url.hostname].filter((host) => /[.:]/.test(host)));
    }
    return [...new Set(values.filter((value) => value.length >= MIN_REDACTED_LENGTH))];
}

/** What an operation on one waiter keeps out of sight: the {@link secretValues}, and the {@link Redact} of them. */
export interface Secrets {
    values: readonly string[];
    redact: Redact;
}

/**
 * The {@link Secrets} of `props`' secret inputs: `redact` replaces each of their values, in every
 * form `redactSecrets` finds (raw, JSON-escaped, URL-encoded, base64, hex, any letter case), by `***`.
 */
export function secretsFor(props: Record<string, unknown>): Secrets {
    const values = secretValues(props);
    return { values, redact: values.length === 0 ? (text) => text : (text) => redactSecrets(text, values) };
}

/** The {@link Redact} of `props`' secret inputs (see {@link secretsFor}). */
export function redactorFor(props: Record<string, unknown>): Redact {
    return secretsFor(props).redact;
}

/** `value` with every string in it, in lists and objects too, redacted. */
export function redactDeep(value: unknown, redact: Redact): unknown {
    if (typeof value === "string") return redact(value);
    if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)]));
    return value;
}

/** `error` with its message and stack redacted (the host prints one or the other), its class and code kept. */
export function redactedError(error: unknown, redact: Redact): unknown {
    if (!(error instanceof Error)) return typeof error === "string" ? redact(error) : error;
    error.message = redact(error.message);
    if (error.stack !== undefined) error.stack = redact(error.stack);
    return error;
}
