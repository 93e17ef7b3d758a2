/**
 * The `JobWaiter` provider implementation. This module runs inside the Pulumi dynamic-provider
 * host process: the serialized provider (see `provider.ts`) is only a few `require` calls into it,
 * so no code and no credential is captured in the state.
 *
 * Credentials are read at run time, never from resource inputs: the stack's `huaweicloud:*`
 * config (passed by the engine to `configure`) first, then the `HW_*` environment of the host.
 *
 * @packageDocumentation
 */

import type * as dynamic from "@pulumi/pulumi/dynamic";
import { randomUUID } from "node:crypto";
import { unknownValue } from "@pulumi/pulumi/runtime";
import { ConfigError, JobApiError, JobFailedError, JobTimeoutError } from "../errors";
import { resolveSettingDefaults, SettingsInput } from "../http/credentials";
import { maskUserInfo, validateEndpoint } from "../http/endpoint";
import { ALL_SETTING_KEYS, checkKnownSettings, JobWaiterSettings, REPLACE_ON_CHANGE, resolveAllowFailure, resolveWaitSettings, SETTINGS } from "../options";
import { printable } from "../services";
import type { JobStatus } from "../services/types";
import { lookOnce, waitForJob, WaitForJobOptions } from "../waiter";
import { ADDED_OUTPUT_KEYS, JobWaiterOutputs, STATUS_OUTPUT_KEYS } from "./outputs";
import { createProgressReporter } from "./progressReporter";
import {
    recordedSecretInputs,
    Redact,
    redactDeep,
    redactedError,
    redactorFor,
    SECRET_INPUTS_KEY,
    SECRET_VALUE,
    secretInputsOf,
    Secrets,
    secretsFor,
} from "./secrets";

/** Where the dynamic-provider host keeps the serialized provider in inputs and state. */
const PROVIDER_KEY = "__provider";

/**
 * Properties as the engine passes them: inputs, state, and the host's serialized provider. Not
 * typed as `JobWaiterSettings`: `check` receives whatever the program gave (a typo, a string
 * where a number belongs) and must refuse it with a clear message, and a state recorded by an
 * older version may lack an output.
 */
type Props = Record<string, unknown>;

/** Stack config keys read by `configure`, mapped to credential settings. */
const CONFIG_KEYS: Record<string, keyof SettingsInput> = {
    "huaweicloud:accessKey": "accessKey",
    "huaweicloud:secretKey": "secretKey",
    "huaweicloud:securityToken": "securityToken",
    "huaweicloud:token": "token",
    "huaweicloud:region": "region",
    "huaweicloud:projectId": "projectId",
    "huaweicloud:cloud": "cloud",
};

/** Added to the refusal of an unknown input that looks like a credential. */
const CREDENTIALS_ARE_NOT_INPUTS = ". Credentials are never inputs: set huaweicloud:accessKey/secretKey (secret config) or HW_ACCESS_KEY/HW_SECRET_KEY";

/** Settings from the stack config, kept only in this process's memory. */
let stackSettings: SettingsInput = {};

/**
 * Waits in progress, with the job each waits for, aborted together on SIGINT/SIGTERM (the host's
 * `cancel` RPC does nothing).
 */
const activeWaits = new Map<AbortController, string>();

/** Receive the stack config. Called once per provider process by the host. */
export async function configure(req: dynamic.ConfigureRequest): Promise<void> {
    const settings: SettingsInput = {};
    for (const [key, field] of Object.entries(CONFIG_KEYS)) {
        const value = req.config.get(key);
        if (typeof value === "string" && value !== "") settings[field] = value;
    }
    stackSettings = settings;
}

/**
 * Validate inputs; fill `projectId`/`region` from config or environment so they are recorded and
 * diffed. During a preview some inputs may be unknown: every known one is still checked, and the
 * defaults are still filled, so that preview and update agree on what changes.
 */
export async function check(_olds: Props, news: Props): Promise<dynamic.CheckResult> {
    const inputs = pickInputs(news);
    const redact = redactorFor(news);
    let secret: string[];
    try {
        checkNoOutputsGiven(news);
        // The output keys the JobWaiter constructor adds, as unknowns to be filled, are no options.
        checkKnownSettings(without(news, [PROVIDER_KEY, ...ADDED_OUTPUT_KEYS]), [...ALL_SETTING_KEYS, SECRET_INPUTS_KEY], CREDENTIALS_ARE_NOT_INPUTS);
        secret = secretInputsOf(news);
    } catch (error) {
        // Not tied to a property: the engine prints a failing property's value, and an unknown
        // key may hold a credential given by mistake.
        if (error instanceof ConfigError) return { inputs: news, failures: [{ property: "", reason: error.message }] };
        throw redactedError(error, redact);
    }
    try {
        if (!isUnknown(inputs.allowFailure)) resolveAllowFailure(inputs.allowFailure);
        const resolved = resolveWaitSettings(inputs, defaultsFromEnvironment(), isUnknown);
        const filled: Props = { ...news, projectId: resolved.projectId };
        // The region only locates the job when no endpoint does: recording one from the
        // environment beside an endpoint would make a shell's HW_REGION_NAME a change.
        if (resolved.region !== undefined && (inputs.endpoint === undefined || inputs.region !== undefined)) filled.region = resolved.region;
        return { inputs: filled };
    } catch (error) {
        if (error instanceof ConfigError) return { inputs: news, failures: [checkFailure(error, news, secret, redact)] };
        throw redactedError(error, redact);
    }
}

/**
 * The outputs are the waiter's to set: one given a value as an input (from JavaScript, or through
 * a cast) would be recorded as it is where the job does not report it, and feed dependents.
 *
 * @throws ConfigError naming the first output given a value.
 */
function checkNoOutputsGiven(news: Props): void {
    const given = ADDED_OUTPUT_KEYS.find((key) => news[key] !== undefined);
    if (given === undefined) return;
    throw new ConfigError({
        field: given,
        value: "(value not shown)",
        allowed: `nothing: it is an output of JobWaiter, set from the job's status or the wait (read it as waiter.${given})`,
    });
}

/**
 * The check failure of `error`, every secret input's value redacted. A failing input that is a
 * secret, or holds one (an endpoint with a secret project ID in its path, or a password before an
 * `@`), is named in the reason, not as the failing property: the engine prints a failing
 * property's value, and prints a secret one unwrapped (`{&{{…}}}`, Pulumi v3.248).
 */
function checkFailure(error: ConfigError, news: Props, secret: readonly string[], redact: Redact): dynamic.CheckFailure {
    const reworded = (value: string) => redact(new ConfigError({ field: error.field, value, allowed: error.allowed }).message);
    if (secret.includes(error.field)) return { property: "", reason: reworded(SECRET_VALUE) };
    const value = news[error.field];
    const raw = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
    const text = maskUserInfo(raw);
    if (text === raw && redact(text) === text) return { property: error.field, reason: redact(error.message) };
    // The value quoted redacted before it is cut short: a cut could keep the start of a secret.
    return { property: "", reason: reworded(printable(redact(text))) };
}

/**
 * Replace when the job changes; anything else (timeouts, bounds, allowFailure, which inputs are
 * secrets) updates in place. A changed serialized provider (the package moved: a checkout
 * renamed, or installed into node_modules) is an update too, so that the state records where the
 * code is now: `refresh` and `destroy` load the provider recorded in the state.
 */
export async function diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
    const changed = ALL_SETTING_KEYS.filter((key) => JSON.stringify(comparable(key, olds[key])) !== JSON.stringify(comparable(key, news[key])));
    // With an endpoint on both sides, the region locates nothing: changing it is an update.
    const regionLocates = olds.endpoint === undefined || news.endpoint === undefined;
    const replaces = changed.filter((key) => REPLACE_ON_CHANGE.includes(key) && (key !== "region" || regionLocates));
    const moved = typeof news[PROVIDER_KEY] === "string" && !isUnknown(news[PROVIDER_KEY]) && olds[PROVIDER_KEY] !== news[PROVIDER_KEY];
    // An input given as a secret or no longer: an update, so that the state (which `read` redacts
    // by) names the secrets as the inputs now do. The resource ID stays: a job ID made secret
    // after the create keeps it (replacing would wait on the job again, which may have expired).
    const secretsChanged = JSON.stringify(olds[SECRET_INPUTS_KEY]) !== JSON.stringify(news[SECRET_INPUTS_KEY]);
    return { changes: changed.length > 0 || moved || secretsChanged || failureRefused(olds, news), replaces, deleteBeforeReplace: false };
}

/**
 * A setting as the diff compares it: an endpoint as the origin it names, so that a trailing "/"
 * or another letter case is no change (it would replace the waiter, and re-ask a job that may
 * have expired).
 */
function comparable(key: string, value: unknown): unknown {
    if (key !== "endpoint" || typeof value !== "string") return value;
    try {
        return validateEndpoint(value, { allowInsecureLoopback: true });
    } catch {
        return value;
    }
}

/**
 * A job recorded as failed that the inputs do not allow (`allowFailure` dropped, or a refresh that
 * found the job failed): an update, so that {@link update} fails the deployment instead of
 * letting dependents go on.
 */
function failureRefused(olds: Props, news: Props): boolean {
    return olds.state === "failed" && news.allowFailure !== true;
}

/**
 * Wait until the job is terminal. The resource ID is the job ID, or a random UUID when the job ID
 * is a secret: the engine keeps and prints resource IDs as they are.
 */
export async function create(inputs: Props): Promise<dynamic.CreateResult> {
    return redacting(inputs, async (secrets) => {
        const settings = pickInputs(inputs);
        const outs = await waitAndRecord(settings, secrets);
        return { id: recordedSecretInputs(inputs).includes("jobId") ? randomUUID() : settings.jobId, outs: { ...inputs, ...outs } };
    });
}

/**
 * Refresh: ask the job again, and wait while it is still running or the service answers with a
 * temporary failure (5xx, 429, no answer: retried within the deadline, as `create` does). A
 * failed job is recorded as failed, whatever `allowFailure` says: the state tells what the
 * service says, and the next `up` refuses it (see {@link diff}). A job the service no longer
 * knows (404: expired) keeps its last recorded state instead of disappearing from the stack, as
 * does one whose job API gives no status for {@link REFRESH_UNREACHABLE_SECONDS} or whose host
 * name does not resolve (the region or cloud changed since?).
 */
export async function read(id: string, props: Props): Promise<dynamic.ReadResult> {
    return redacting(props, (secrets) => readJob(id, props, secrets));
}

async function readJob(id: string, props: Props, secrets: Secrets): Promise<dynamic.ReadResult> {
    const settings = pickInputs(props);
    const keep = (why: string) => {
        process.stderr.write(secrets.redact(`jobwaiter: ${settings.service} job ${settings.jobId} ${why}; keeping its last recorded state.\n`));
        return { id, props };
    };
    const expired = () => keep("is no longer known to the service (expired?)");
    const first = await lookOnce(waitOptions(settings, secrets));
    if (first.kind === "status" && first.status.state !== "running") return { id, props: withStatus(props, outputsOf(first.status)) };
    if (first.kind === "notFound") return expired();
    if (first.kind === "permanent") throw first.error;
    // A job recorded as terminal stays so: an outage of the job API is waited out for a minute at
    // most, not for the waiter's whole timeout (an hour by default) in every refresh and preview.
    const unreachable = first.kind !== "status";
    const timeoutSeconds = unreachable
        ? Math.min(settings.timeoutSeconds ?? SETTINGS.timeoutSeconds.default, REFRESH_UNREACHABLE_SECONDS)
        : settings.timeoutSeconds;
    try {
        // The job was seen when it was created: a 404 now means it expired, with no grace.
        const {
            polls: _polls,
            waitedSeconds: _waited,
            ...status
        } = await waitAndRecord({ ...settings, timeoutSeconds, notFoundGraceSeconds: 0 }, secrets, { allowFailure: true });
        return { id, props: withStatus(props, status) };
    } catch (error) {
        if (error instanceof JobApiError && error.httpStatus === 404) return expired();
        if (error instanceof JobApiError && error.networkCode === "ENOTFOUND") return keep(`got no status from the job API (${error.message})`);
        if (unreachable && error instanceof JobTimeoutError && error.lastStatus === undefined) {
            return keep(`got no status from the job API within ${timeoutSeconds} s (${error.lastError?.message ?? "no answer"})`);
        }
        throw error;
    }
}

/**
 * `props` with the status outputs read now in place of those recorded: a field the new status
 * lacks is dropped, not kept from the old one (a failure code beside a success).
 */
function withStatus(props: Props, outs: Partial<JobWaiterOutputs>): Props {
    return { ...without(props, STATUS_OUTPUT_KEYS), ...outs };
}

/** Longest a refresh waits for the job API to answer at all before it keeps the recorded state. */
export const REFRESH_UNREACHABLE_SECONDS = 60;

/**
 * Apply changed timeouts, bounds, allowFailure or secret marks without waiting again. The
 * recorded status is redacted by the secret inputs as they are now (one given as a secret since
 * the create is hidden from then on, but for a part of it that an earlier cut to 300 characters
 * left: a refresh reads the status anew). A job ID made secret after the create stays the
 * resource ID, with a notice on every update until the waiter is replaced.
 */
export async function update(id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
    const outs = { ...olds, ...news };
    for (const key of [...ALL_SETTING_KEYS, SECRET_INPUTS_KEY]) if (!(key in news)) delete outs[key];
    const { redact } = secretsFor(news);
    for (const key of STATUS_OUTPUT_KEYS) if (key !== "state" && key in outs) outs[key] = redactDeep(outs[key], redact);
    if (recordedSecretInputs(news).includes("jobId") && id === news.jobId) {
        process.stderr.write(
            redact(
                `jobwaiter: ${String(news.service)} job ${id} is a secret now, but stays this waiter's resource ID, which the engine shows as it is: replace the waiter (pulumi up --replace <its URN>; it reads the job again, and fails if the service no longer knows it) to give it a random one.\n`,
            ),
        );
    }
    if (failureRefused(olds, news)) {
        throw redactedError(
            new Error(
                `${String(news.service)} job ${String(news.jobId)} is recorded as failed (${[olds.failedCode, olds.failedDetail].filter(Boolean).join(": ") || "no reason given"}) and allowFailure is not true: set allowFailure to true to keep the failed job, or wait on a new job (a new jobId replaces the waiter).`,
            ),
            redact,
        );
    }
    return { outs };
}

/** Nothing to delete in the cloud: the job belongs to the service that started it. */
export async function remove(): Promise<void> {}

/** Run an operation on `props`, its error redacted by their secret inputs ({@link secretsFor}). */
async function redacting<T>(props: Props, operation: (secrets: Secrets) => Promise<T>): Promise<T> {
    const secrets = secretsFor(props);
    try {
        return await operation(secrets);
    } catch (error) {
        throw redactedError(error, secrets.redact);
    }
}

async function waitAndRecord(settings: JobWaiterSettings, secrets: Secrets, override: { allowFailure?: boolean } = {}): Promise<JobWaiterOutputs> {
    const controller = new AbortController();
    const job = `${settings.service} job ${settings.jobId}`;
    beginWait(controller, secrets.redact(job));
    const started = performance.now();
    const reporter = createProgressReporter({ job, write: (line) => process.stderr.write(`${secrets.redact(line)}\n`) });
    try {
        const done = await waitForJob({
            ...waitOptions(settings, secrets),
            signal: controller.signal,
            onProgress: reporter.status,
            onRetry: reporter.retry,
        });
        return { ...outputsOf(done), polls: done.polls, waitedSeconds: round(done.waitedMs / 1000) };
    } catch (error) {
        if (error instanceof JobFailedError && (override.allowFailure ?? settings.allowFailure) === true) {
            return { ...outputsOf(error.status), polls: error.polls, waitedSeconds: round((performance.now() - started) / 1000) };
        }
        throw error;
    } finally {
        endWait(controller);
    }
}

/** The wait's options: the settings, the stack's credentials, and the secret inputs' values kept out of every text the waiter gives back (statuses become outputs). */
function waitOptions(settings: JobWaiterSettings, secrets: Secrets): WaitForJobOptions {
    const { allowFailure: _ignored, ...wait } = settings;
    return { ...wait, ...credentialSettings(), redact: secrets.values };
}

function credentialSettings(): Omit<SettingsInput, "region" | "projectId"> {
    const { region: _r, projectId: _p, ...credentials } = stackSettings;
    return credentials;
}

/** `projectId`/`region` from the stack config, else the environment (HW_*, then OS_*), resolved as `waitForJob` does. */
function defaultsFromEnvironment(): { projectId?: string; region?: string } {
    const { projectId, region } = stackSettings;
    return resolveSettingDefaults({ projectId, region });
}

/** The status fields recorded as outputs: only these, whatever else a status object carries. */
export function outputsOf(status: JobStatus): JobWaiterOutputs {
    const { state, status: raw, statusRecognised } = status;
    const outs: JobWaiterOutputs = { state, status: raw, statusRecognised };
    for (const key of STATUS_OUTPUT_KEYS) copyDefined(outs, status, key);
    return outs;
}

/** The settings among `props` (state holds outputs and the serialized provider too), as `check` validated them. */
function pickInputs(props: Props): JobWaiterSettings {
    const inputs: Props = {};
    for (const key of ALL_SETTING_KEYS) copyDefined(inputs, props, key);
    return inputs as JobWaiterSettings;
}

/** `to[key] = from[key]` when that is defined. */
function copyDefined<T, K extends keyof T>(to: Partial<T>, from: T, key: K): void {
    if (from[key] !== undefined) to[key] = from[key];
}

/** A copy of `props` without `keys`. */
function without(props: Props, keys: readonly string[]): Props {
    const rest = { ...props };
    for (const key of keys) delete rest[key];
    return rest;
}

/** The engine's marker for a value not known yet (during preview). */
function isUnknown(value: unknown): boolean {
    return value === unknownValue;
}

function round(n: number): number {
    return Math.round(n * 10) / 10;
}

/**
 * How long the waits stopped by a signal get to settle before the process ends anyway. The
 * engine sends SIGKILL 5 s after its signal; ending sooner frees the terminal sooner.
 */
const SIGNAL_EXIT_GRACE_MS = 1000;

/**
 * What to do after an interrupted create: the engine records it as a pending create, which the
 * next `pulumi up` goes past (with a warning) while it waits on the same job ID again.
 */
export const REATTACH_HINT =
    "Run `pulumi up` again to re-attach to it, then `pulumi refresh --clear-pending-creates --yes` to drop the pending create the engine recorded.";

/** The signal to end the process with once the stopped waits have settled. */
let exitSignal: NodeJS.Signals | undefined;

/**
 * On SIGINT/SIGTERM: stop every wait of this process at once, leaving the jobs untouched. The
 * real engine signals a provider only when it shuts it down (a second Ctrl-C, or the end of the
 * run), so unless another provider of this shared host handles the signal too, the process then
 * ends as it would have without this handler.
 */
function onSignal(signal: NodeJS.Signals): void {
    for (const [controller, job] of activeWaits) {
        process.stderr.write(`jobwaiter: ${job}: stopped waiting (${signal}); the job itself keeps running. ${REATTACH_HINT}\n`);
        controller.abort(new Error(`received ${signal}`));
    }
    if (process.listenerCount(signal) === 1) {
        exitSignal = signal;
        setTimeout(endProcess, SIGNAL_EXIT_GRACE_MS).unref();
    }
}

function endProcess(): void {
    const signal = exitSignal!;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.kill(process.pid, signal);
}

/**
 * Track a wait; the signal handlers are installed only while a wait runs. The host process is
 * shared by every dynamic resource of the program: when no JobWaiter waits, a signal gets the
 * process's default handling (or another provider's own).
 */
function beginWait(controller: AbortController, job: string): void {
    if (activeWaits.size === 0) {
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
    }
    activeWaits.set(controller, job);
}

function endWait(controller: AbortController): void {
    activeWaits.delete(controller);
    if (activeWaits.size === 0) {
        if (exitSignal) {
            setImmediate(endProcess);
            return;
        }
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    }
}

// Re-exported for the serialized provider's `delete` (a reserved word as a function name).
export { remove as delete };
