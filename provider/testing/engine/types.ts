/**
 * Public types of the engine harness (see `provider/testing/engine.ts`).
 *
 * @module
 */
import type { PropertyMap } from "./wire";

/** One resource of a checkpoint, as in `pulumi stack export` (apitype.ResourceV3, main fields). */
export interface ResourceState {
    urn: string;
    /** true for custom resources (with an id), false for components (including the Stack). */
    custom: boolean;
    /** true if this is an old copy waiting for deletion (create-before-delete replacement). */
    delete?: boolean;
    id?: string;
    type: string;
    /** Checked inputs (wire form; secrets encrypted in saved state). */
    inputs?: PropertyMap;
    /** Outputs (wire form; secrets encrypted in saved state). */
    outputs?: PropertyMap;
    parent?: string;
    protect?: boolean;
    retainOnDelete?: boolean;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    /** Provider reference `urn::id` (custom resources). */
    provider?: string;
    additionalSecretOutputs?: string[];
    created?: string;
    modified?: string;
}

/** A stack state shaped like `pulumi stack export` output (version 3 deployment). */
export interface StackState {
    version: 3;
    deployment: {
        manifest: { time: string; magic: string; version: string };
        /** How secrets in this file are encrypted (scrypt salt for the passphrase). */
        secrets_providers: { type: "harness-passphrase"; state: { salt: string } };
        resources: ResourceState[];
    };
}

/** Operation kinds reported per resource. */
export type OpKind = "create" | "update" | "replace" | "same" | "delete" | "read" | "delete-replaced";

/**
 * One step performed (or, in preview, planned) on a resource. A replacement reports "replace" when the
 * new resource was created and "delete-replaced" when the old one was deleted (before the "replace" for
 * delete-before-replace, after it - at the end of the deployment - for create-before-delete).
 */
export interface Operation {
    urn: string;
    op: OpKind;
    /** Keys the provider reported as requiring replacement (replace only). */
    replaces?: string[];
    /** Whether the replacement deleted the old resource first. */
    deleteBeforeReplace?: boolean;
}

/** One RPC the harness made to the provider host. */
export interface RpcRecord {
    /** gRPC method name (handshake, configure, check, diff, create, read, update, delete, cancel). */
    method: string;
    urn?: string;
    /** Milliseconds since the host process started. */
    startedAtMs: number;
    durationMs: number;
    ok: boolean;
    /** gRPC status code when the call failed (e.g. 2 UNKNOWN, 14 UNAVAILABLE). */
    code?: number;
    /** Name of the status code (e.g. "UNAVAILABLE"). */
    codeName?: string;
    /** Error details (the provider's message for UNKNOWN errors). */
    details?: string;
}

/** A diagnostic the engine would print (`error:` lines of `pulumi up`). */
export interface Diagnostic {
    severity: "error" | "warning" | "info";
    urn?: string;
    message: string;
}

/** Control of the running provider host, handed to hooks. */
export interface HostControl {
    /** pid of the host process (group leader: the `pulumi-resource-pulumi-nodejs` shell when launched through it). */
    readonly pid: number;
    /** Sends a signal to the host's process group (like Ctrl-C in a terminal reaches every process of the job). */
    signal(signal: NodeJS.Signals): void;
    /** Sends the `Cancel` RPC (what the engine does on the first Ctrl-C). Resolves when answered. */
    cancel(): Promise<void>;
}

/** When and how to interrupt the provider host (cancellation tests). */
export interface InterruptSpec {
    /** Signal to send to the host's process group. */
    signal: "SIGINT" | "SIGTERM" | "SIGKILL";
    /** RPC during which to interrupt (default "create"). */
    during?: "check" | "diff" | "create" | "update" | "delete" | "read";
    /** Only when the RPC concerns a URN containing this string. */
    urnIncludes?: string;
    /** Delay after the RPC started (default 200 ms). */
    afterMs?: number;
    /** Send the `Cancel` RPC first, as the engine does on Ctrl-C (default true; the Node host ignores it). */
    cancelRpc?: boolean;
}

/** What happened to the host process and the interrupted RPC. */
export interface HostReport {
    pid: number;
    /** How the host exited, or null if it was still running when the operation ended (then it was killed by the harness). */
    exit: { code: number | null; signal: string | null } | null;
    /** True if the harness had to kill it at the end (normal: the CLI also kills its plugins). */
    killedByHarness: boolean;
    /** Set if an interrupt was delivered. */
    interrupt?: { signal: string; method: string; urn?: string; atMs: number; rpc?: RpcRecord };
}

/** Options shared by deploy/refresh/destroy. */
export interface CommonOptions {
    /** Project name (default "project"). */
    project?: string;
    /** Stack name (default "dev"). */
    stack?: string;
    /** Stack configuration, `"namespace:key"` → value (plain strings, as in Pulumi.<stack>.yaml). */
    config?: Record<string, string>;
    /** Keys of {@link config} that are secret (`pulumi config set --secret`). */
    secretConfig?: string[];
    /** Extra environment for the provider host (merged over the harness's own environment, as the CLI passes its environment to plugins). */
    hostEnv?: Record<string, string>;
    /** Do not inherit the harness's environment in the host (only PATH, HOME and {@link hostEnv}). Default false. */
    isolateHostEnv?: boolean;
    /** Working directory of the provider host (the CLI uses the project directory). Default: the program's directory, else process.cwd(). */
    hostCwd?: string;
    /**
     * How to start the host: "wrapper" runs `node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs` (what the CLI
     * runs; it resolves `@pulumi/pulumi` from the cwd), "node" runs `node <@pulumi/pulumi>/cmd/dynamic-provider` directly.
     * Default "wrapper".
     */
    hostLauncher?: "wrapper" | "node";
    /** Overall time limit for the operation (default 60 s); on expiry everything is killed and the result has ok=false. */
    timeoutMs?: number;
    /** Passphrase for secrets in saved state (default "harness-passphrase"). */
    secretsPassphrase?: string;
    /** Interrupt the host mid-RPC. */
    interrupt?: InterruptSpec;
    /** Called when an RPC to the host starts (e.g. to signal the host at a precise moment). */
    onRpcStart?: (rpc: { method: string; urn?: string }, host: HostControl) => void;
    /** Maximum number of resource operations in flight at once (the CLI default is unbounded-ish; default 16). */
    parallel?: number;
}

/** Options of {@link deploy}. */
export interface DeployOptions extends CommonOptions {
    /**
     * The Pulumi program: a path to a compiled JS module (exporting a default/`module.exports` async function whose
     * result is the stack outputs, or plain exports), or a self-contained function `(pulumi, args) => outputs` that is
     * serialized with `Function.prototype.toString` (it must not capture anything; `require` what it needs inside).
     */
    program: string | ((pulumi: typeof import("@pulumi/pulumi"), args: any) => unknown);
    /** JSON-serializable value passed as second argument to a function program. */
    programArgs?: unknown;
    /** State of the previous deployment (as returned in {@link DeployResult.state} or loaded with loadState). */
    priorState?: StackState;
    /** Preview only: Check and Diff, no Create/Update/Delete; the state is returned unchanged. */
    preview?: boolean;
    /** Environment for the program process (merged over the harness's environment). */
    programEnv?: Record<string, string>;
}

/** Result of deploy/refresh/destroy. */
export interface DeployResult {
    /** True if the operation succeeded (like `pulumi up` exiting 0). */
    ok: boolean;
    /** Error summary (the provider's message is included verbatim) when ok=false. */
    error?: string;
    /** Diagnostics (`error:` lines). */
    diagnostics: Diagnostic[];
    /** The resulting state (secrets encrypted). For a preview, the prior state unchanged. */
    state: StackState;
    /** Everything the provider host printed (stdout and stderr interleaved, port line removed). */
    hostOutput: string;
    /** Provider host stdout (port line removed). */
    hostStdout: string;
    /** Provider host stderr. */
    hostStderr: string;
    /** What the program process printed (stdout+stderr). */
    programOutput: string;
    /** Stack outputs as plain values (secrets unwrapped; unknown in preview → undefined). */
    outputs: Record<string, unknown>;
    /** Names of stack outputs that are secret. */
    secretOutputs: string[];
    /** Steps performed (or planned in preview), in order of completion. */
    operations: Operation[];
    /** Every RPC made to the provider host. */
    rpcs: RpcRecord[];
    /** The provider host process (undefined if none was needed). */
    host?: HostReport;
    /** Milliseconds the operation took. */
    durationMs: number;
}
