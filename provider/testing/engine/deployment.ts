/**
 * The "engine in miniature": step generation and execution for deploy / preview / refresh /
 * destroy, driving the real dynamic-provider host ({@link ProviderHost}) for `pulumi-nodejs`
 * resources and echoing inputs for every other custom resource.
 *
 * Engine behaviour mirrored (pulumi/pulumi `pkg/resource/deploy`, `sdk/go/common/resource/plugin/provider_plugin.go`):
 * - default provider resource `pulumi:providers:pulumi-nodejs::default` whose inputs are the WHOLE
 *   stack config with namespaces kept and secrets kept secret (`Target.GetPackageConfig`);
 * - Configure(variables = "pulumi-nodejs:config:<ns:key>" → plain string, args = that config);
 * - Check(olds = old inputs, news) → failures become `'<type> resource '<name>' has a problem: ...'`;
 * - Diff(olds = old OUTPUTS, news = checked inputs, old_inputs); DIFF_UNKNOWN falls back to
 *   comparing old and new inputs; replaces → replacement (create-before-delete unless
 *   deleteBeforeReplace), otherwise Update;
 * - secrets removed before every provider call, and `annotateSecrets` after it;
 * - preview: no Create/Update (the Node host does not support provider previews, so the engine
 *   hands back the inputs as the new state, everything else is unknown);
 * - deletes of resources no longer in the program after the program finished, in reverse state order;
 * - on failure: no more steps, in-flight steps finish, the state keeps what was done.
 *
 * @module
 */
import { fork } from "child_process";
import * as crypto from "crypto";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { ProviderHost, RpcError } from "./host";
import type { ParentMessage, ProgramMessage, RegisterInfo, RunnerSpec } from "./ipc";
import { killTracked, track, TrackedProcess } from "./processes";
import type {
    CommonOptions,
    DeployOptions,
    DeployResult,
    Diagnostic,
    Operation,
    ResourceState,
    StackState,
} from "./types";
import {
    annotateSecrets,
    deepEqual,
    isSecret,
    makeSecret,
    PropertyMap,
    SecretsCodec,
    stripSecrets,
    stripSecretsMap,
    toPlain,
    UNKNOWN,
} from "./wire";

const DYNAMIC_PKG = "pulumi-nodejs";
const STACK_TYPE = "pulumi:pulumi:Stack";
const DEFAULT_PASSPHRASE = "harness-passphrase";
const DIFF_UNKNOWN = 0;
const DIFF_NONE = 1;

/** Whether a Diff answer means a change; DIFF_UNKNOWN falls back to comparing the inputs, as the engine does. */
function diffChanged(changes: number, oldInputs: PropertyMap | undefined, newInputs: PropertyMap | undefined): boolean {
    return changes === DIFF_UNKNOWN ? !deepEqual(oldInputs, newInputs) : changes !== DIFF_NONE;
}

/** True for dynamic-provider resource types (`pulumi-nodejs:dynamic[/module]:Type`). */
export function isDynamicType(type: string): boolean {
    return type.startsWith(`${DYNAMIC_PKG}:dynamic`);
}

function pkgOf(type: string): string {
    return type.split(":")[0];
}

/** Error that aborts a step; its message has already been reported as a diagnostic. */
class StepFailed extends Error {}

/** Thrown to the program once the deployment failed: the SDK treats UNAVAILABLE as "monitor shutting down". */
function monitorShuttingDown(): Error {
    const e: any = new Error("resource monitor shut down while waiting on step's done channel");
    e.code = grpc.status.UNAVAILABLE;
    return e;
}

class Semaphore {
    private active = 0;
    private readonly waiters: (() => void)[] = [];
    constructor(private readonly max: number) {}
    async run<T>(fn: () => Promise<T>): Promise<T> {
        if (this.active >= this.max) await new Promise<void>((r) => this.waiters.push(r));
        this.active++;
        try {
            return await fn();
        } finally {
            this.active--;
            this.waiters.shift()?.();
        }
    }
}

function parseDurationSec(s: string | undefined): number {
    if (!s) return 0;
    let total = 0;
    const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s))) {
        const n = Number(m[1]);
        total += m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : m[2] === "s" ? n : n / 1000;
    }
    return total;
}

function goValue(v: unknown): string {
    const p = stripSecrets(v);
    return `{${typeof p === "object" && p !== null ? JSON.stringify(p) : String(p)}}`;
}

/** Reads project/stack from the URNs of a state. */
function projectStackOf(state: StackState | undefined): { project?: string; stack?: string } {
    const urn = state?.deployment.resources[0]?.urn;
    if (!urn) return {};
    const parts = urn.split("::");
    return { stack: parts[0].replace(/^urn:pulumi:/, ""), project: parts[1] };
}

/** Shared machinery of one engine operation (deploy, refresh or destroy). */
class EngineOperation {
    readonly t0 = Date.now();
    readonly deadline: number;
    readonly project: string;
    readonly stack: string;
    readonly config: Record<string, string>;
    readonly secretKeys: Set<string>;
    readonly codec: SecretsCodec;
    readonly diagnostics: Diagnostic[] = [];
    readonly operations: Operation[] = [];
    failed = false;
    private failedResolve!: () => void;
    readonly failedPromise = new Promise<void>((r) => (this.failedResolve = r));
    host?: ProviderHost;
    private hostPromise?: Promise<ProviderHost>;
    private spawnPromise?: Promise<ProviderHost>;
    private readonly providerRefs = new Map<string, Promise<string>>();
    /** Live state being built (decoded: secrets as wire secrets). */
    readonly newResources: ResourceState[] = [];
    /** Prior state (decoded). */
    readonly prior: ResourceState[];
    readonly priorByUrn = new Map<string, ResourceState>();
    readonly timeoutMs: number;

    constructor(
        readonly opts: CommonOptions & { priorState?: StackState },
        readonly defaultHostCwd: string,
        /** Deployments record default providers in the new state; refresh/destroy only reuse them. */
        private readonly recordProviders = false,
    ) {
        this.timeoutMs = opts.timeoutMs ?? 60_000;
        this.deadline = this.t0 + this.timeoutMs;
        const ps = projectStackOf(opts.priorState);
        this.project = opts.project ?? ps.project ?? "project";
        this.stack = opts.stack ?? ps.stack ?? "dev";
        this.config = { ...(opts.config ?? {}) };
        this.secretKeys = new Set(opts.secretConfig ?? []);
        const passphrase = opts.secretsPassphrase ?? DEFAULT_PASSPHRASE;
        const salt = opts.priorState?.deployment.secrets_providers?.state?.salt;
        this.codec = new SecretsCodec(passphrase, salt);
        this.prior = (opts.priorState?.deployment.resources ?? []).map((r) => this.decode(r));
        for (const r of this.prior) if (!r.delete) this.priorByUrn.set(r.urn, r);
    }

    decode(r: ResourceState): ResourceState {
        return {
            ...r,
            inputs: r.inputs && (this.codec.decodeValue(r.inputs) as PropertyMap),
            outputs: r.outputs && (this.codec.decodeValue(r.outputs) as PropertyMap),
        };
    }

    encode(r: ResourceState): ResourceState {
        const out: ResourceState = { ...r };
        if (r.inputs) out.inputs = this.codec.encodeValue(r.inputs) as PropertyMap;
        if (r.outputs) out.outputs = this.codec.encodeValue(r.outputs) as PropertyMap;
        for (const k of Object.keys(out) as (keyof ResourceState)[]) if (out[k] === undefined) delete out[k];
        return out;
    }

    /** Builds a saved state from decoded resources. */
    toState(resources: ResourceState[]): StackState {
        return {
            version: 3,
            deployment: {
                manifest: { time: new Date().toISOString(), magic: "pulumi-huaweicloud-jobwaiter engine harness", version: "harness" },
                secrets_providers: { type: "harness-passphrase", state: { salt: this.codec.salt } },
                resources: sortByDependencies(resources).map((r) => this.encode(r)),
            },
        };
    }

    fail(urn: string | undefined, message: string): StepFailed {
        this.diagnostics.push({ severity: "error", urn, message });
        if (!this.failed) {
            this.failed = true;
            this.failedResolve();
        }
        return new StepFailed(message);
    }

    op(o: Operation): void {
        this.operations.push(o);
    }

    providerUrn(pkg: string): string {
        return `urn:pulumi:${this.stack}::${this.project}::pulumi:providers:${pkg}::default`;
    }

    /**
     * The default provider's inputs, per `Target.GetPackageConfig`: for dynamic providers every
     * config key, namespace kept; for others only the package's keys, namespace stripped.
     * Secret config stays secret.
     */
    packageConfig(pkg: string): PropertyMap {
        // Refresh and destroy configure the provider with the inputs its resource recorded at the
        // last update, not with the current stack config (registry.go `Same`: "keep to the old
        // behavior of just using what's in state").
        if (!this.recordProviders) {
            const recorded = this.priorByUrn.get(this.providerUrn(pkg))?.inputs;
            if (recorded) return recorded;
        }
        const out: PropertyMap = {};
        for (const [k, v] of Object.entries(this.config)) {
            const ns = k.includes(":") ? k.slice(0, k.indexOf(":")) : this.project;
            if (pkg !== DYNAMIC_PKG && ns !== pkg) continue;
            const key = pkg === DYNAMIC_PKG ? (k.includes(":") ? k : `${this.project}:${k}`) : k.slice(k.indexOf(":") + 1);
            out[key] = this.secretKeys.has(k) ? makeSecret(v) : v;
        }
        return out;
    }

    /**
     * Registers (or carries over) the default provider resource of a package and returns the
     * provider reference `urn::id`. Providers are recorded in the new state on first use.
     */
    ensureProvider(pkg: string): Promise<string> {
        let p = this.providerRefs.get(pkg);
        if (!p) {
            p = (async () => {
                const urn = this.providerUrn(pkg);
                const old = this.priorByUrn.get(urn);
                const inputs = this.packageConfig(pkg);
                const id = old?.id ?? crypto.randomUUID();
                const now = new Date().toISOString();
                if (!this.recordProviders) return `${urn}::${id}`;
                this.newResources.push({
                    urn,
                    custom: true,
                    id,
                    type: `pulumi:providers:${pkg}`,
                    inputs,
                    outputs: inputs,
                    created: old?.created ?? now,
                    modified: old && deepEqual(old.inputs, inputs) ? old.modified : now,
                });
                this.op({ urn, op: old ? (deepEqual(old.inputs, inputs) ? "same" : "update") : "create" });
                return `${urn}::${id}`;
            })();
            this.providerRefs.set(pkg, p);
        }
        return p;
    }

    /** Full namespaced config in plain text, for the host's PULUMI_CONFIG. */
    private plainConfigJson(): string {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(this.config)) out[k.includes(":") ? k : `${this.project}:${k}`] = v;
        return JSON.stringify(out);
    }

    /**
     * Spawns (once) the host process and waits for its port, without talking to it yet. Deployments
     * call this early so the host starts while the program loads (saves ~1 s per deployment; the
     * RPC sequence is unchanged).
     */
    spawnHost(): Promise<ProviderHost> {
        if (!this.spawnPromise) {
            this.spawnPromise = (async () => {
                const base: NodeJS.ProcessEnv = this.opts.isolateHostEnv
                    ? { PATH: process.env.PATH, HOME: process.env.HOME }
                    : { ...process.env };
                const env: NodeJS.ProcessEnv = {
                    ...base,
                    // What the engine adds for the pulumi-nodejs plugin (provider_plugin.go NewProvider).
                    PULUMI_NODEJS_PROJECT: this.project,
                    PULUMI_PROJECT: this.project,
                    PULUMI_CONFIG: this.plainConfigJson(),
                    ...(this.opts.hostEnv ?? {}),
                };
                const cwd = this.opts.hostCwd ?? this.defaultHostCwd;
                const host = await ProviderHost.start({
                    cwd,
                    env,
                    launcher: this.opts.hostLauncher ?? "wrapper",
                    deadline: this.deadline,
                    interrupt: this.opts.interrupt,
                    onRpcStart: this.opts.onRpcStart,
                });
                this.host = host;
                return host;
            })();
            this.spawnPromise.catch(() => undefined);
        }
        return this.spawnPromise;
    }

    /** Starts (once) the pulumi-nodejs provider host, handshakes and configures it. */
    ensureHost(): Promise<ProviderHost> {
        if (!this.hostPromise) {
            this.hostPromise = (async () => {
                const host = await this.spawnHost();
                const cwd = this.opts.hostCwd ?? this.defaultHostCwd;
                await host.handshake(cwd);
                const urn = this.providerUrn(DYNAMIC_PKG);
                const args = this.packageConfig(DYNAMIC_PKG);
                const variables: Record<string, string> = {};
                for (const [k, v] of Object.entries(args)) {
                    if (k === "version") continue;
                    const plain = stripSecrets(v);
                    variables[`${DYNAMIC_PKG}:config:${k}`] = typeof plain === "string" ? plain : JSON.stringify(plain);
                }
                const provRef = await this.ensureProvider(DYNAMIC_PKG);
                await host.configure({ variables, args, urn, id: provRef.slice(urn.length + 2), name: "default", type: `pulumi:providers:${DYNAMIC_PKG}` });
                return host;
            })();
        }
        return this.hostPromise;
    }

    /** Converts an RPC error into a reported failure. */
    rpcFailure(urn: string, verb: string, e: unknown): StepFailed {
        if (e instanceof StepFailed) return e;
        if (e instanceof RpcError) {
            const msg =
                e.code === grpc.status.UNKNOWN
                    ? e.details
                    : `${verb} failed: ${e.codeName}: ${e.details}`;
            return this.fail(urn, msg);
        }
        return this.fail(urn, `${verb} failed: ${e instanceof Error ? e.message : String(e)}`);
    }

    /** Deletes one resource (dynamic ones through the host). */
    async deleteResource(r: ResourceState): Promise<void> {
        if (r.protect) {
            throw this.fail(r.urn, `unable to delete resource "${r.urn}" as it is currently marked for protection`);
        }
        if (r.custom && isDynamicType(r.type) && !r.retainOnDelete && r.id) {
            const host = await this.ensureHost();
            try {
                await host.delete(r.urn, r.id, stripSecretsMap(r.outputs), stripSecretsMap(r.inputs), 0);
            } catch (e) {
                throw this.rpcFailure(r.urn, "deleting", e);
            }
        }
    }

    baseResult(state: StackState, extra: Partial<DeployResult>): DeployResult {
        const host = this.host;
        const errors = this.diagnostics.filter((d) => d.severity === "error");
        return {
            ok: !this.failed,
            error: this.failed ? errors.map((d) => (d.urn ? `${d.urn}: ${d.message}` : d.message)).join("\n") : undefined,
            diagnostics: this.diagnostics,
            state,
            hostOutput: host?.combined ?? "",
            hostStdout: host?.stdout ?? "",
            hostStderr: host?.stderr ?? "",
            programOutput: "",
            outputs: {},
            secretOutputs: [],
            operations: this.operations,
            rpcs: host?.rpcs ?? [],
            host: host
                ? {
                      pid: host.pid,
                      exit: host.killedByHarness || !host.exitStatus ? null : { code: host.exitStatus.code, signal: host.exitStatus.signal },
                      killedByHarness: host.killedByHarness,
                      interrupt: host.interruptReport,
                  }
                : undefined,
            durationMs: Date.now() - this.t0,
            ...extra,
        };
    }

    async shutdownHost(): Promise<void> {
        for (const p of [this.spawnPromise, this.hostPromise]) {
            if (!p) continue;
            try {
                await p;
            } catch {
                /* start failed; nothing to stop beyond what start cleaned */
            }
        }
        await this.host?.kill();
    }

    /** A promise rejected when the deadline passes. */
    deadlinePromise(): { promise: Promise<never>; clear: () => void } {
        let timer: NodeJS.Timeout;
        const promise = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), Math.max(0, this.deadline - Date.now()));
        });
        promise.catch(() => undefined);
        return { promise, clear: () => clearTimeout(timer) };
    }
}

/** Orders resources so that providers, parents and dependencies come before their dependents (stable). */
export function sortByDependencies(resources: ResourceState[]): ResourceState[] {
    const byUrn = new Map<string, ResourceState[]>();
    for (const r of resources) byUrn.set(r.urn, [...(byUrn.get(r.urn) ?? []), r]);
    const done = new Set<ResourceState>();
    const visiting = new Set<ResourceState>();
    const out: ResourceState[] = [];
    const visit = (r: ResourceState) => {
        if (done.has(r) || visiting.has(r)) return;
        visiting.add(r);
        const deps = [r.parent, r.provider?.split("::").slice(0, -1).join("::"), ...(r.dependencies ?? [])].filter(
            (x): x is string => !!x,
        );
        for (const d of deps) for (const dep of byUrn.get(d) ?? []) if (dep !== r) visit(dep);
        visiting.delete(r);
        done.add(r);
        out.push(r);
    };
    resources.forEach(visit);
    return out;
}

// ---------------------------------------------------------------------------------------------
// deploy / preview
// ---------------------------------------------------------------------------------------------

class Deployment extends EngineOperation {
    readonly preview: boolean;
    private readonly seen = new Set<string>();
    private readonly inFlight = new Set<Promise<unknown>>();
    private readonly sem: Semaphore;
    /** Old copies of create-before-delete replacements, deleted after the program finished. */
    private readonly pendingDeletes: ResourceState[] = [];
    /** Prior resources already deleted by this deployment (delete-before-replace). */
    private readonly deletedPrior = new Set<ResourceState>();

    constructor(readonly dopts: DeployOptions, hostCwd: string) {
        super(dopts, hostCwd, true);
        this.preview = !!dopts.preview;
        this.sem = new Semaphore(dopts.parallel ?? 16);
    }

    makeUrn(parent: string, type: string, name: string): string {
        let qualified = type;
        if (parent) {
            const parentQualified = parent.split("::")[2] ?? "";
            const parentType = parentQualified.split("$").pop();
            if (parentType !== STACK_TYPE) qualified = `${parentQualified}$${type}`;
        }
        return `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    }

    /** Handles one RegisterResource request from the program. */
    register(info: RegisterInfo): Promise<{ urn: string; id: string; object: PropertyMap }> {
        const p = this.registerInner(info);
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
        return p;
    }

    private async registerInner(info: RegisterInfo): Promise<{ urn: string; id: string; object: PropertyMap }> {
        const urn = this.makeUrn(info.parent, info.type, info.name);
        if (this.failed) throw monitorShuttingDown();
        if (this.seen.has(urn)) {
            this.fail(urn, `Duplicate resource URN '${urn}'; try giving it a unique name`);
            throw monitorShuttingDown();
        }
        this.seen.add(urn);
        try {
            if (info.custom && isDynamicType(info.type)) {
                return await this.sem.run(() => this.stepDynamic(urn, info));
            }
            if (info.custom) return await this.stepEcho(urn, info);
            return this.stepComponent(urn, info);
        } catch (e) {
            if (!(e instanceof StepFailed)) this.fail(urn, e instanceof Error ? e.message : String(e));
            throw monitorShuttingDown();
        }
    }

    private baseEntry(urn: string, info: RegisterInfo): ResourceState {
        return {
            urn,
            custom: info.custom,
            type: info.type,
            parent: info.parent || undefined,
            protect: info.protect || undefined,
            retainOnDelete: info.retainOnDelete || undefined,
            dependencies: info.dependencies,
            propertyDependencies: info.propertyDependencies,
            additionalSecretOutputs: info.additionalSecretOutputs.length ? info.additionalSecretOutputs : undefined,
        };
    }

    private secretOutputs(outs: PropertyMap, info: RegisterInfo): PropertyMap {
        const r = { ...outs };
        for (const k of info.additionalSecretOutputs) if (k in r && r[k] !== UNKNOWN) r[k] = makeSecret(r[k]);
        return r;
    }

    private stepComponent(urn: string, info: RegisterInfo): { urn: string; id: string; object: PropertyMap } {
        const old = this.priorByUrn.get(urn);
        const now = new Date().toISOString();
        this.newResources.push({ ...this.baseEntry(urn, info), outputs: {}, created: old?.created ?? now, modified: old?.modified ?? now });
        this.op({ urn, op: old ? "same" : "create" });
        return { urn, id: "", object: {} };
    }

    private async stepEcho(urn: string, info: RegisterInfo): Promise<{ urn: string; id: string; object: PropertyMap }> {
        const pkg = pkgOf(info.type);
        const providerRef = info.type.startsWith("pulumi:providers:") ? undefined : await this.ensureProvider(pkg);
        const old = this.priorByUrn.get(urn);
        const inputs = info.object;
        const id = old?.id ?? `${info.name}-${crypto.randomBytes(4).toString("hex")}`;
        const outputs = this.secretOutputs(inputs, info);
        const same = !!old && deepEqual(old.inputs, inputs);
        const now = new Date().toISOString();
        this.newResources.push({
            ...this.baseEntry(urn, info),
            id,
            inputs,
            outputs,
            provider: providerRef,
            created: old?.created ?? now,
            modified: same ? old!.modified : now,
        });
        this.op({ urn, op: old ? (same ? "same" : "update") : "create" });
        return { urn, id, object: outputs };
    }

    private async stepDynamic(urn: string, info: RegisterInfo): Promise<{ urn: string; id: string; object: PropertyMap }> {
        const providerRef = await this.ensureProvider(DYNAMIC_PKG);
        let host: ProviderHost;
        try {
            host = await this.ensureHost();
        } catch (e) {
            throw this.rpcFailure(urn, "starting the provider host", e);
        }
        if (this.failed) throw new StepFailed("deployment already failed");
        const old = this.priorByUrn.get(urn);
        const news: PropertyMap = { ...info.object };
        if (old) {
            for (const k of info.ignoreChanges) {
                if (old.inputs && k in old.inputs) news[k] = old.inputs[k];
                else delete news[k];
            }
        }

        // Check
        const check = async (olds: PropertyMap | undefined, goal: PropertyMap): Promise<PropertyMap> => {
            let checked: { inputs: PropertyMap; failures: { property: string; reason: string }[] };
            try {
                checked = await host.check(urn, stripSecretsMap(olds), stripSecretsMap(goal));
            } catch (e) {
                throw this.rpcFailure(urn, "checking", e);
            }
            if (checked.failures.length) {
                let first: StepFailed | undefined;
                for (const f of checked.failures) {
                    const msg = f.property
                        ? `${info.type} resource '${info.name}'s property '${f.property}' value ${goValue(goal[f.property])} has a problem: ${f.reason}`
                        : `${info.type} resource '${info.name}' has a problem: ${f.reason}`;
                    first = first ?? this.fail(urn, msg);
                    if (first.message !== msg) this.diagnostics.push({ severity: "error", urn, message: msg });
                }
                throw first!;
            }
            return annotateSecrets(checked.inputs, goal);
        };
        let inputs = await check(old?.inputs, news);
        const entry = (): ResourceState => ({ ...this.baseEntry(urn, info), inputs, provider: providerRef });
        const now = new Date().toISOString();
        const timeouts = info.customTimeouts;

        // Diff
        let kind: "create" | "update" | "replace" | "same" = "create";
        let replaces: string[] = [];
        let dbr = false;
        if (old) {
            let d: { changes: number; replaces: string[]; deleteBeforeReplace: boolean };
            try {
                d = await host.diff(urn, old.id ?? "", stripSecretsMap(old.inputs), stripSecretsMap(old.outputs), stripSecretsMap(inputs), info.ignoreChanges);
            } catch (e) {
                throw this.rpcFailure(urn, "diffing", e);
            }
            // replaceOnChanges applies to the keys a provider lists as changed (DiffResponse.diffs,
            // step_generator.go applyReplaceOnChanges); the Node dynamic-provider host lists none,
            // so for dynamic resources the option never forces a replacement.
            replaces = [...d.replaces];
            kind = replaces.length ? "replace" : diffChanged(d.changes, old.inputs, inputs) ? "update" : "same";
            dbr = info.deleteBeforeReplaceDefined ? info.deleteBeforeReplace : d.deleteBeforeReplace;
            // Before a replacement the engine checks the program's goal again, without olds and
            // without ignoreChanges, to recompute defaults (step_generator.go continueStepsFromDiff).
            if (kind === "replace") inputs = await check(undefined, { ...info.object });
        }

        if (this.preview) {
            // The Node host does not support provider previews: the engine returns the inputs as the state.
            if (kind === "replace" && dbr) this.op({ urn, op: "delete-replaced" });
            this.op({ urn, op: kind, ...(kind === "replace" ? { replaces, deleteBeforeReplace: dbr } : {}) });
            if (kind === "replace" && !dbr) this.pendingDeletes.push({ ...old!, delete: true });
            if (kind === "same") {
                this.newResources.push({ ...entry(), id: old!.id, outputs: old!.outputs, created: old!.created, modified: old!.modified });
                return { urn, id: old!.id ?? "", object: old!.outputs ?? {} };
            }
            this.newResources.push({ ...entry(), id: kind === "update" ? old!.id : undefined, outputs: inputs });
            return { urn, id: kind === "update" ? old!.id ?? "" : "", object: inputs };
        }

        if (kind === "same") {
            this.newResources.push({ ...entry(), id: old!.id, outputs: old!.outputs, created: old!.created, modified: old!.modified });
            this.op({ urn, op: "same" });
            return { urn, id: old!.id ?? "", object: old!.outputs ?? {} };
        }

        if (kind === "update") {
            let r: { properties: PropertyMap };
            try {
                r = await host.update(urn, old!.id ?? "", stripSecretsMap(old!.inputs), stripSecretsMap(old!.outputs), stripSecretsMap(inputs), parseDurationSec(timeouts?.update), info.ignoreChanges);
            } catch (e) {
                const f = this.rpcFailure(urn, "updating", e);
                // The old resource stays as it was.
                this.newResources.push({ ...old! });
                throw f;
            }
            const outputs = this.secretOutputs(annotateSecrets(r.properties, inputs), info);
            this.newResources.push({ ...entry(), id: old!.id, outputs, created: old!.created, modified: now });
            this.op({ urn, op: "update" });
            return { urn, id: old!.id ?? "", object: outputs };
        }

        if (kind === "replace" && dbr) {
            await this.deleteResource(old!);
            this.deletedPrior.add(old!);
            this.op({ urn, op: "delete-replaced" });
        }

        // Create (new resource or the replacement)
        let created: { id: string; properties: PropertyMap };
        try {
            created = await host.create(urn, stripSecretsMap(inputs), parseDurationSec(timeouts?.create));
        } catch (e) {
            if (e instanceof RpcError && e.initFailed && e.initFailed.id) {
                // Created but failed to initialize: it exists, so it goes to the state.
                const outputs = this.secretOutputs(annotateSecrets(e.initFailed.properties, inputs), info);
                this.newResources.push({ ...entry(), id: e.initFailed.id, outputs, created: now, modified: now });
                if (kind === "replace" && !dbr) this.pendingDeletes.push({ ...old!, delete: true });
                const reasons = e.initFailed.reasons.length ? `\n${e.initFailed.reasons.map((x) => `  * ${x}`).join("\n")}` : "";
                throw this.fail(urn, `${e.details}${reasons}`);
            }
            if (kind === "replace" && !dbr) this.newResources.push({ ...old! });
            throw this.rpcFailure(urn, "creating", e);
        }
        if (!created.id) {
            throw this.fail(urn, `plugin for package '${DYNAMIC_PKG}' returned empty resource.ID from create '${urn}'`);
        }
        const outputs = this.secretOutputs(annotateSecrets(created.properties, inputs), info);
        this.newResources.push({ ...entry(), id: created.id, outputs, created: now, modified: now });
        if (kind === "replace") {
            if (!dbr) this.pendingDeletes.push({ ...old!, delete: true });
            this.op({ urn, op: "replace", replaces, deleteBeforeReplace: dbr });
        } else {
            this.op({ urn, op: "create" });
        }
        return { urn, id: created.id, object: outputs };
    }

    /** Handles RegisterResourceOutputs (components, and the Stack's outputs). */
    registerOutputs(urn: string, outputs: PropertyMap): void {
        const r = [...this.newResources].reverse().find((x) => x.urn === urn && !x.delete);
        if (r) r.outputs = outputs;
    }

    /** Waits for every in-flight step to settle. */
    async settle(): Promise<void> {
        while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    }

    /** Deletes what the program no longer declares, then replaced old copies (reverse state order). */
    async runDeletes(): Promise<void> {
        const toDelete: ResourceState[] = [];
        for (const r of [...this.prior].reverse()) {
            if (r.delete) toDelete.push(r); // leftovers of an earlier failed replacement
            else if (!this.seen.has(r.urn) && !this.isProviderInUse(r)) toDelete.push(r);
        }
        const pending = [...this.pendingDeletes].reverse();
        for (const r of [...pending, ...toDelete]) {
            const isReplaced = pending.includes(r);
            if (this.preview) {
                this.op({ urn: r.urn, op: isReplaced ? "delete-replaced" : "delete" });
                continue;
            }
            await this.deleteResource(r);
            if (isReplaced) this.pendingDeletes.splice(this.pendingDeletes.indexOf(r), 1);
            else this.deletedPrior.add(r);
            this.op({ urn: r.urn, op: isReplaced ? "delete-replaced" : "delete" });
        }
    }

    private isProviderInUse(r: ResourceState): boolean {
        return r.type.startsWith("pulumi:providers:") && this.newResources.some((x) => x.urn === r.urn);
    }

    /** The state after this deployment (decoded). */
    finalResources(): ResourceState[] {
        const out = [...this.newResources];
        const newUrns = new Set(out.map((r) => r.urn));
        for (const r of this.prior) {
            if (this.deletedPrior.has(r)) continue;
            if (r.delete) out.push(r);
            else if (!newUrns.has(r.urn)) out.push(r); // not processed (failure) - stays
        }
        out.push(...this.pendingDeletes);
        return out;
    }
}

/** Where the runner script lives (compiled next to this file). */
const RUNNER = path.join(__dirname, "programRunner.js");

interface ProgramProcess {
    done: Promise<{ ok: boolean; error?: string }>;
    output: () => string;
    kill: () => Promise<void>;
}

function startProgram(d: Deployment, opts: DeployOptions): ProgramProcess {
    let programPath: string | undefined;
    let inlineSource: string | undefined;
    let programDir: string;
    if (typeof opts.program === "function") {
        inlineSource = opts.program.toString();
        programDir = process.cwd();
    } else {
        programPath = path.resolve(opts.program);
        programDir = path.dirname(programPath);
    }
    const spec: RunnerSpec = {
        program: programPath,
        inlineSource,
        programArgs: opts.programArgs,
        programDir,
        project: d.project,
        stack: d.stack,
        organization: "organization",
        preview: d.preview,
    };
    const configEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.config)) configEnv[k.includes(":") ? k : `${d.project}:${k}`] = v;
    const child = fork(RUNNER, [], {
        cwd: programDir,
        env: {
            ...process.env,
            ...(opts.programEnv ?? {}),
            PULUMI_CONFIG: JSON.stringify(configEnv),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify([...d.secretKeys].map((k) => (k.includes(":") ? k : `${d.project}:${k}`))),
            PULUMI_HARNESS_RUNNER_SPEC: JSON.stringify(spec),
        },
        execArgv: [],
        stdio: ["ignore", "pipe", "pipe", "ipc"],
        detached: true,
    });
    const tracked: TrackedProcess = track("program", child);
    let output = "";
    child.stdout!.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (output += c));
    const reply = (m: ParentMessage) => {
        if (child.connected) child.send(m, () => undefined);
    };
    const done = new Promise<{ ok: boolean; error?: string }>((resolve) => {
        child.on("message", (m: ProgramMessage) => {
            switch (m.type) {
                case "register":
                    d.register(m.info).then(
                        (result) => reply({ type: "reply", seq: m.seq, ok: true, result }),
                        (e: any) => reply({ type: "reply", seq: m.seq, ok: false, error: e?.message ?? String(e), code: e?.code }),
                    );
                    break;
                case "registerOutputs":
                    d.registerOutputs(m.urn, m.outputs);
                    reply({ type: "reply", seq: m.seq, ok: true, result: {} });
                    break;
                case "invoke":
                    // No providers for invokes here: echo the arguments back.
                    reply({ type: "reply", seq: m.seq, ok: true, result: m.args });
                    break;
                case "done":
                    resolve({ ok: m.ok, error: m.error });
                    break;
            }
        });
        void tracked.exited.then((st) => resolve({ ok: false, error: `program process exited (code ${st.code}, signal ${st.signal}) before finishing` }));
    });
    return {
        done,
        output: () => output,
        kill: async () => {
            if (!tracked.exitStatus) {
                // Give it a moment to exit by itself after "done", then kill the group.
                await Promise.race([tracked.exited, new Promise((r) => setTimeout(r, 500).unref())]);
                await killTracked(tracked);
            }
        },
    };
}

/** Runs a deployment (or a preview). See `provider/testing/engine.ts`. */
export async function runDeploy(opts: DeployOptions): Promise<DeployResult> {
    const programDir = typeof opts.program === "string" ? path.dirname(path.resolve(opts.program)) : process.cwd();
    const d = new Deployment(opts, programDir);
    let program: ProgramProcess | undefined;
    const dl = d.deadlinePromise();
    try {
        await Promise.race([
            (async () => {
                void d.spawnHost();
                program = startProgram(d, opts);
                const outcome = await Promise.race([
                    program.done,
                    d.failedPromise.then(async () => {
                        // The engine stops the program once a step failed; give it a moment to wind down.
                        await Promise.race([program!.done, new Promise((r) => setTimeout(r, 1000).unref())]);
                        return undefined;
                    }),
                ]);
                await d.settle();
                if (outcome && !outcome.ok && !d.failed) {
                    d.fail(undefined, `an unhandled error occurred: program failed:\n${outcome.error ?? "unknown error"}`);
                }
                if (!d.failed) await d.runDeletes().catch((e) => (e instanceof StepFailed ? undefined : d.fail(undefined, String(e))));
            })(),
            dl.promise,
        ]);
    } catch (e) {
        d.fail(undefined, e instanceof Error ? e.message : String(e));
    } finally {
        dl.clear();
        await program?.kill();
        await d.shutdownHost();
    }
    const state = d.preview
        ? d.toState(d.prior)
        : d.toState(d.finalResources());
    const stackUrn = `urn:pulumi:${d.stack}::${d.project}::${STACK_TYPE}::${d.project}-${d.stack}`;
    const stackEntry = [...d.newResources].reverse().find((r) => r.urn === stackUrn);
    const wireOutputs = stackEntry?.outputs ?? {};
    return d.baseResult(state, {
        programOutput: program?.output() ?? "",
        outputs: toPlain(wireOutputs) as Record<string, unknown>,
        secretOutputs: Object.entries(wireOutputs)
            .filter(([, v]) => isSecret(v))
            .map(([k]) => k),
    });
}

// ---------------------------------------------------------------------------------------------
// refresh / destroy
// ---------------------------------------------------------------------------------------------

/**
 * Runs the steps of a refresh or destroy under the operation's deadline; a failure other than a
 * recorded step failure becomes the operation's error, and the host is always shut down.
 */
async function runSteps(o: EngineOperation, steps: () => Promise<void>): Promise<void> {
    const dl = o.deadlinePromise();
    try {
        await Promise.race([steps(), dl.promise]);
    } catch (e) {
        if (!(e instanceof StepFailed)) o.fail(undefined, e instanceof Error ? e.message : String(e));
    } finally {
        dl.clear();
        await o.shutdownHost();
    }
}

/** Runs a refresh: Read, then Diff, for every dynamic resource of the state. */
export async function runRefresh(state: StackState, opts: CommonOptions = {}): Promise<DeployResult> {
    const o = new EngineOperation({ ...opts, priorState: state }, opts.hostCwd ?? process.cwd());
    const resources = o.prior.map((r) => ({ ...r }));
    const removed = new Set<ResourceState>();
    await runSteps(o, async () => {
        for (const r of resources) {
            if (!(r.custom && isDynamicType(r.type)) || !r.id) {
                o.op({ urn: r.urn, op: "same" });
                continue;
            }
            const host = await o.ensureHost();
            let res: { id: string; properties: PropertyMap; inputs?: PropertyMap };
            try {
                res = await host.read(r.urn, r.id, stripSecretsMap(r.outputs), stripSecretsMap(r.inputs));
            } catch (e) {
                throw o.rpcFailure(r.urn, "refreshing", e);
            }
            if (!res.id) {
                removed.add(r);
                o.op({ urn: r.urn, op: "delete" });
                continue;
            }
            const oldInputs = r.inputs;
            r.id = res.id;
            r.outputs = annotateSecrets(res.properties, r.outputs);
            if (res.inputs) r.inputs = annotateSecrets(res.inputs, r.inputs);
            // The engine then diffs what was read against the recorded inputs (step.go
            // RefreshStep.Apply) and shows the step as same or update; a failing Diff fails it.
            let d: { changes: number };
            try {
                d = await host.diff(r.urn, r.id, stripSecretsMap(r.inputs), stripSecretsMap(r.outputs), stripSecretsMap(oldInputs ?? {}), []);
            } catch (e) {
                throw o.rpcFailure(r.urn, "diffing", e);
            }
            o.op({ urn: r.urn, op: diffChanged(d.changes, oldInputs, r.inputs) ? "update" : "same" });
        }
    });
    return o.baseResult(o.toState(resources.filter((r) => !removed.has(r))), {});
}

/** Runs a destroy: Delete for every resource, dependents first. */
export async function runDestroy(state: StackState, opts: CommonOptions = {}): Promise<DeployResult> {
    const o = new EngineOperation({ ...opts, priorState: state }, opts.hostCwd ?? process.cwd());
    const remaining = sortByDependencies(o.prior.map((r) => ({ ...r })));
    await runSteps(o, async () => {
        for (const r of [...remaining].reverse()) {
            await o.deleteResource(r);
            remaining.splice(remaining.indexOf(r), 1);
            o.op({ urn: r.urn, op: "delete" });
        }
    });
    return o.baseResult(o.toState(remaining), {});
}
