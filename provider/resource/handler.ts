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
import { ConfigError, JobApiError, JobFailedError } from "../errors";
import { resolveSettingDefaults, SettingsInput } from "../http/credentials";
import { checkKnownSettings, JobWaitSettings, resolveWaitSettings, SETTING_KEYS } from "../options";
import type { JobStatus, SubJobStatus } from "../services/types";
import { getJobStatus, waitForJob, WaitForJobOptions } from "../waiter";
import { createProgressReporter } from "./progressReporter";

/** Inputs of a `JobWaiter` as stored by the engine (plain values). */
export interface JobWaiterInputs extends JobWaitSettings {
    /** Record a failed job in the outputs instead of failing the deployment. Default false. */
    allowFailure?: boolean;
}

/** Outputs a `JobWaiter` adds to its inputs. */
export interface JobWaiterOutputs {
    state: JobStatus["state"];
    status: string;
    statusRecognised: boolean;
    progress?: number;
    jobName?: string;
    beginTime?: string;
    endTime?: string;
    failedCode?: string;
    failedDetail?: string;
    instance?: { id?: string; name?: string };
    archiveId?: string;
    resourceIds?: string[];
    subJobs?: SubJobStatus[];
    /** Status requests sent by the wait in `create`. */
    polls?: number;
    /** Seconds waited in `create`. */
    waitedSeconds?: number;
}

/**
 * Inputs that name a different job: changing one replaces the waiter (it waits again). The
 * region and endpoint say where the job lives: the same ID elsewhere is another job (the region
 * only while no endpoint is set).
 */
export const REPLACE_ON_CHANGE: readonly (keyof JobWaiterInputs)[] = ["service", "jobId", "projectId", "instanceId", "region", "endpoint"];

const INPUT_KEYS: readonly (keyof JobWaiterInputs)[] = [...SETTING_KEYS, "allowFailure"];

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

/** The engine's marker for a value not known yet (during preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

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
export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.CheckResult> {
    const inputs = pickInputs(news);
    try {
        checkKnownSettings(withoutProviderKey(news), ["allowFailure", ...OUTPUT_KEYS], CREDENTIALS_ARE_NOT_INPUTS);
    } catch (error) {
        // Not tied to a property: the engine prints a failing property's value, and an unknown
        // key may hold a credential given by mistake.
        if (error instanceof ConfigError) return { inputs: news, failures: [{ property: "", reason: error.message }] };
        throw error;
    }
    try {
        if (inputs.allowFailure !== undefined && !isUnknown(inputs.allowFailure) && typeof inputs.allowFailure !== "boolean") {
            throw new ConfigError({ field: "allowFailure", value: JSON.stringify(inputs.allowFailure), allowed: "true or false" });
        }
        const resolved = resolveWaitSettings(inputs, defaultsFromEnvironment(), isUnknown);
        const filled: Record<string, unknown> = { ...news, projectId: resolved.projectId };
        // The region only locates the job when no endpoint does: recording one from the
        // environment beside an endpoint would make a shell's HW_REGION_NAME a change.
        if (resolved.region !== undefined && (inputs.endpoint === undefined || inputs.region !== undefined)) filled.region = resolved.region;
        return { inputs: filled };
    } catch (error) {
        if (error instanceof ConfigError) return { inputs: news, failures: [{ property: error.field, reason: error.message }] };
        throw error;
    }
}

/**
 * Replace when the job changes; anything else (timeouts, bounds, allowFailure) updates in place. A
 * changed serialized provider (the package moved: a checkout renamed, or installed into
 * node_modules) is an update too, so that the state records where the code is now: `refresh`
 * and `destroy` load the provider recorded in the state.
 */
export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.DiffResult> {
    const changed = INPUT_KEYS.filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
    // With an endpoint on both sides, the region locates nothing: changing it is an update.
    const regionLocates = olds.endpoint === undefined || news.endpoint === undefined;
    const replaces = changed.filter((key) => REPLACE_ON_CHANGE.includes(key) && (key !== "region" || regionLocates));
    const moved = typeof news[PROVIDER_KEY] === "string" && !isUnknown(news[PROVIDER_KEY]) && olds[PROVIDER_KEY] !== news[PROVIDER_KEY];
    return { changes: changed.length > 0 || moved, replaces, deleteBeforeReplace: false };
}

/** Wait until the job is terminal. The resource ID is the job ID. */
export async function create(inputs: Record<string, unknown>): Promise<dynamic.CreateResult> {
    const settings = pickInputs(inputs);
    const outs = await waitAndRecord(settings);
    return { id: settings.jobId, outs: { ...inputs, ...outs } };
}

/**
 * Refresh: ask the job again (and wait if it is still running). A job the service no longer
 * knows (404: expired) keeps its last recorded state instead of disappearing from the stack.
 */
export async function read(id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult> {
    const settings = pickInputs(props);
    try {
        const first = await getJobStatus(waitOptions(settings));
        if (first.state !== "running") return { id, props: { ...props, ...outputsOf(first) } };
        const { polls: _polls, waitedSeconds: _waited, ...status } = await waitAndRecord(settings, { allowFailure: true });
        return { id, props: { ...props, ...status } };
    } catch (error) {
        if (error instanceof JobApiError && error.httpStatus === 404) {
            process.stderr.write(`jobwaiter: ${settings.service} job ${id} is no longer known to the service (expired?); keeping its last recorded state.\n`);
            return { id, props };
        }
        throw error;
    }
}

/** Apply changed timeouts/bounds/endpoint without waiting again. */
export async function update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.UpdateResult> {
    const outs = { ...olds, ...news };
    for (const key of INPUT_KEYS) if (!(key in news)) delete outs[key];
    if (olds.state === "failed" && news.allowFailure !== true) {
        throw new Error(
            `${String(news.service)} job ${String(news.jobId)} is recorded as failed (${[olds.failedCode, olds.failedDetail].filter(Boolean).join(": ") || "no reason given"}) and allowFailure is no longer true.`,
        );
    }
    return { outs };
}

/** Nothing to delete in the cloud: the job belongs to the service that started it. */
export async function remove(): Promise<void> {}

/** Status fields a job reports only sometimes: recorded when present. */
const OPTIONAL_STATUS_KEYS = [
    "progress", "jobName", "beginTime", "endTime", "failedCode", "failedDetail", "instance", "archiveId", "resourceIds", "subJobs",
] as const;

const OUTPUT_KEYS: readonly (keyof JobWaiterOutputs)[] = ["state", "status", "statusRecognised", ...OPTIONAL_STATUS_KEYS, "polls", "waitedSeconds"];

async function waitAndRecord(settings: JobWaiterInputs, override: { allowFailure?: boolean } = {}): Promise<JobWaiterOutputs> {
    const controller = new AbortController();
    beginWait(controller, `${settings.service} job ${settings.jobId}`);
    const started = Date.now();
    try {
        const done = await waitForJob({
            ...waitOptions(settings),
            signal: controller.signal,
            onProgress: createProgressReporter({
                write: (line) => process.stderr.write(`${line}\n`),
            }),
        });
        return { ...outputsOf(done), polls: done.polls, waitedSeconds: round(done.waitedMs / 1000) };
    } catch (error) {
        if (error instanceof JobFailedError && (override.allowFailure ?? settings.allowFailure) === true) {
            return { ...outputsOf(error.status), polls: error.polls, waitedSeconds: round((Date.now() - started) / 1000) };
        }
        throw error;
    } finally {
        endWait(controller);
    }
}

function waitOptions(settings: JobWaiterInputs): WaitForJobOptions {
    const { allowFailure: _ignored, ...wait } = settings;
    return { ...wait, ...credentialSettings() };
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
    const outs: JobWaiterOutputs = { state: status.state, status: status.status, statusRecognised: status.statusRecognised };
    for (const key of OPTIONAL_STATUS_KEYS) {
        if (status[key] !== undefined) (outs as unknown as Record<string, unknown>)[key] = status[key];
    }
    return outs;
}

function pickInputs(props: Record<string, unknown>): JobWaiterInputs {
    const inputs: Record<string, unknown> = {};
    for (const key of INPUT_KEYS) if (props[key] !== undefined) inputs[key] = props[key];
    return inputs as unknown as JobWaiterInputs;
}

/** Where the dynamic-provider host keeps the serialized provider in inputs and state. */
const PROVIDER_KEY = "__provider";

function withoutProviderKey(props: Record<string, unknown>): Record<string, unknown> {
    const { [PROVIDER_KEY]: _p, ...rest } = props;
    return rest;
}

function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
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
export const REATTACH_HINT = "Run `pulumi up` again to re-attach to it, then `pulumi refresh --clear-pending-creates --yes` to drop the pending create the engine recorded.";

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
