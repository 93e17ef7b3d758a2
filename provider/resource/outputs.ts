/**
 * Every output of a `JobWaiter`, declared once. The class's output properties, the handler's
 * output keys and the outputs it records are derived from {@link OUTPUTS}; a test checks the
 * README's outputs table against it.
 *
 * @packageDocumentation
 */

import type * as pulumi from "@pulumi/pulumi";
import type { JobWaiterSettings } from "../options";
import type { JobStatus } from "../services/types";

/** The declaration of one output: everything but its doc, which is the entry's TSDoc. */
export interface OutputSpec {
    /** The value's type as the README shows it (checked against the TypeScript type at compile time). */
    readonly type: "string" | "boolean" | "number" | "object" | "string[]" | "object[]";
    /** Where the value comes from: an input recorded as is, the job's last status, or the wait in `create`. */
    readonly from: "input" | "status" | "wait";
}

/** The TypeScript type of output `K` declared as `S`. */
type OutputValue<K, S> = S extends { from: "status" }
    ? K extends keyof JobStatus
        ? JobStatus[K]
        : never
    : S extends { from: "input" }
      ? K extends keyof JobWaiterSettings
          ? NonNullable<JobWaiterSettings[K]>
          : never
      : number;

/** The README's name for a TypeScript type. */
type Display<T> = [T] extends [string]
    ? "string"
    : [T] extends [number]
      ? "number"
      : [T] extends [boolean]
        ? "boolean"
        : [T] extends [string[]]
          ? "string[]"
          : [T] extends [object[]]
            ? "object[]"
            : [T] extends [object]
              ? "object"
              : never;

/** The table, refused by the compiler when an output's declared type is not its TypeScript type (or names no status field or input). */
function declareOutputs<const T extends Record<string, OutputSpec>>(table: T & { [K in keyof T]: { type: Display<NonNullable<OutputValue<K, T[K]>>> } }): T {
    return table;
}

/** Every output of a `JobWaiter`. The TSDoc of each entry is its documentation. */
export const OUTPUTS = declareOutputs({
    /** The service kind. */
    service: { type: "string", from: "input" },
    /** The job ID (also the resource ID, unless secret at creation). */
    jobId: { type: "string", from: "input" },
    /** The project ID used (the input, or its default). */
    projectId: { type: "string", from: "input" },
    /** `succeeded`, or `failed` with `allowFailure` or from a refresh (the next update then fails). */
    state: { type: "string", from: "status" },
    /** The raw terminal status (`SUCCESS`, `Completed`, `FAIL`...). */
    status: { type: "string", from: "status" },
    /** False when the service sent a status this package does not know. */
    statusRecognised: { type: "boolean", from: "status" },
    /** Last progress in percent, when the service reports one. */
    progress: { type: "number", from: "status" },
    /** The job name or type, when the service reports one. */
    jobName: { type: "string", from: "status" },
    /** Start time, ISO 8601 UTC. */
    beginTime: { type: "string", from: "status" },
    /** End time, ISO 8601 UTC. */
    endTime: { type: "string", from: "status" },
    /** Failure code (state `failed`). */
    failedCode: { type: "string", from: "status" },
    /** Failure detail (state `failed`). */
    failedDetail: { type: "string", from: "status" },
    /** DDM and the RDS family: the instance the job ran on (`id`, `name`). */
    instance: { type: "object", from: "status" },
    /** ROMA: the archive of an export job. */
    archiveId: { type: "string", from: "status" },
    /** IDs of the resources the job and its sub-jobs produced (ECS server IDs, EVS volume IDs...), in order. */
    resourceIds: { type: "string[]", from: "status" },
    /** The job's sub-jobs: ID, type, status and resource IDs of each. */
    subJobs: { type: "object[]", from: "status" },
    /** Status requests sent while waiting in create. */
    polls: { type: "number", from: "wait" },
    /** Seconds waited in create. */
    waitedSeconds: { type: "number", from: "wait" },
});

type Declared = typeof OUTPUTS;
/** An output's name. */
export type OutputKey = keyof Declared;
type KeysFrom<F extends OutputSpec["from"]> = { [K in OutputKey]: Declared[K]["from"] extends F ? K : never }[OutputKey];
/** Outputs read from the job's status. */
export type StatusOutputKey = KeysFrom<"status">;

/** The output properties of a `JobWaiter` (mapped over the table: each keeps its entry's TSDoc). */
export type JobWaiterOutputProperties = { readonly [K in keyof Declared]: pulumi.Output<OutputValue<K, Declared[K]>> };

/** What a `JobWaiter` records beside its inputs: the job's status fields (as the job reports them) and what the wait cost. */
export type JobWaiterOutputs = Pick<JobStatus, StatusOutputKey> & { [K in KeysFrom<"wait">]?: number };

/** Every output's name, in the table's order. */
export const OUTPUT_KEYS = Object.keys(OUTPUTS) as OutputKey[];
/** Outputs that are not inputs: the keys the `JobWaiter` constructor adds, as unknowns to be filled. */
export const ADDED_OUTPUT_KEYS = OUTPUT_KEYS.filter((key) => OUTPUTS[key].from !== "input");
/** Outputs read from the job's status, recorded when the status has them. */
export const STATUS_OUTPUT_KEYS = OUTPUT_KEYS.filter((key): key is StatusOutputKey => OUTPUTS[key].from === "status");
