/**
 * Messages between the harness (parent, the "engine") and the program process (child).
 *
 * @module
 */
import type { PropertyMap } from "./wire";

/** What the runner needs to know (passed in the PULUMI_HARNESS_RUNNER_SPEC environment variable). */
export interface RunnerSpec {
    program?: string;
    inlineSource?: string;
    programArgs?: unknown;
    programDir: string;
    project: string;
    stack: string;
    organization: string;
    preview: boolean;
}

/** The parts of a RegisterResourceRequest the harness uses. */
export interface RegisterInfo {
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    object: PropertyMap;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    deleteBeforeReplace: boolean;
    deleteBeforeReplaceDefined: boolean;
    additionalSecretOutputs: string[];
    ignoreChanges: string[];
    protect: boolean;
    retainOnDelete: boolean;
    provider: string;
    importId: string;
    customTimeouts?: { create: string; update: string; delete: string };
}

/** child → parent */
export type ProgramMessage =
    | { type: "register"; seq: number; info: RegisterInfo }
    | { type: "registerOutputs"; seq: number; urn: string; outputs: PropertyMap }
    | { type: "invoke"; seq: number; token: string; args: PropertyMap }
    | { type: "done"; ok: boolean; error?: string };

/** parent → child */
export type ParentMessage = { type: "reply"; seq: number; ok: boolean; result?: any; error?: string; code?: number };
