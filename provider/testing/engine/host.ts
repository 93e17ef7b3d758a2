/**
 * Starts the REAL Node.js dynamic-provider host shipped in `@pulumi/pulumi` and drives it over
 * gRPC with the generated stubs, the way the Pulumi engine does.
 *
 * @module
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import { killTracked, signalGroup, track, TrackedProcess } from "./processes";
import { dropUndefined, PropertyMap } from "./wire";
import type { HostControl, InterruptSpec, RpcRecord } from "./types";

/** Directory of the installed `@pulumi/pulumi` package. */
export const pulumiPackageDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

const MAX_MSG = 400 * 1024 * 1024;
const channelOptions = {
    "grpc.max_receive_message_length": MAX_MSG,
    "grpc.max_send_message_length": MAX_MSG,
};

const statusNames: Record<number, string> = Object.fromEntries(
    Object.entries(grpc.status)
        .filter(([, v]) => typeof v === "number")
        .map(([k, v]) => [v as number, k]),
);

/** Error of a failed provider RPC, with the gRPC status and any partial-failure payload. */
export class RpcError extends Error {
    constructor(
        readonly method: string,
        readonly code: number,
        readonly details: string,
        /** Set when the provider reported ErrorResourceInitFailed (resource exists but failed to initialize). */
        readonly initFailed?: { id: string; properties: PropertyMap; reasons: string[] },
    ) {
        super(details);
    }
    get codeName(): string {
        return statusNames[this.code] ?? String(this.code);
    }
}

/**
 * A tiny Engine gRPC service, whose address is passed to the host as its argument (as the CLI
 * does). The Node host of this SDK version does not call it, but a future one may log through it.
 */
class MiniEngine {
    readonly logs: { severity: number; message: string; urn: string }[] = [];
    private server?: grpc.Server;
    address = "";

    async start(): Promise<void> {
        const server = new grpc.Server(channelOptions);
        const impl: grpc.UntypedServiceImplementation = {};
        const def = engrpc.EngineService as unknown as Record<string, unknown>;
        for (const name of Object.keys(def)) {
            impl[name] = (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
                cb({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by the test engine` });
        }
        impl["log"] = (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<unknown>) => {
            const r = call.request;
            this.logs.push({ severity: r.getSeverity(), message: r.getMessage(), urn: r.getUrn() });
            cb(null, new emptyproto.Empty());
        };
        server.addService(engrpc.EngineService, impl);
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
        );
        this.server = server;
        this.address = `127.0.0.1:${port}`;
    }

    stop(): void {
        this.server?.forceShutdown();
    }
}

/** Options to start a host. */
export interface HostStartOptions {
    cwd: string;
    env: NodeJS.ProcessEnv;
    launcher: "wrapper" | "node";
    /** Absolute deadline (epoch ms) for everything this host does. */
    deadline: number;
    interrupt?: InterruptSpec;
    onRpcStart?: (rpc: { method: string; urn?: string }, host: HostControl) => void;
}

/** A running dynamic-provider host process plus its gRPC client. */
export class ProviderHost implements HostControl {
    readonly rpcs: RpcRecord[] = [];
    stdout = "";
    stderr = "";
    combined = "";
    killedByHarness = false;
    interruptReport?: { signal: string; method: string; urn?: string; atMs: number; rpc?: RpcRecord };

    private client!: provrpc.ResourceProviderClient;
    private readonly t0 = Date.now();
    private interruptArmed: boolean;

    private constructor(
        private readonly proc: TrackedProcess,
        private readonly engine: MiniEngine,
        private readonly opts: HostStartOptions,
    ) {
        this.interruptArmed = !!opts.interrupt;
    }

    get pid(): number {
        return this.proc.pid;
    }

    /** Exit status once the process has exited. */
    get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
        return this.proc.exitStatus;
    }

    /** Spawns the host, waits for the port it prints on stdout, and connects. */
    static async start(opts: HostStartOptions): Promise<ProviderHost> {
        const engine = new MiniEngine();
        await engine.start();
        const args =
            opts.launcher === "wrapper"
                ? { cmd: path.join(pulumiPackageDir, "pulumi-resource-pulumi-nodejs"), argv: [engine.address] }
                : { cmd: process.execPath, argv: [path.join(pulumiPackageDir, "cmd", "dynamic-provider", "index.js"), engine.address] };
        const child = spawn(args.cmd, args.argv, {
            cwd: opts.cwd,
            env: opts.env,
            stdio: ["ignore", "pipe", "pipe"],
            detached: true, // own process group: signals reach the shell wrapper and node alike
        });
        let tracked: TrackedProcess;
        try {
            tracked = track("provider-host", child);
        } catch (e) {
            engine.stop();
            throw e;
        }
        const host = new ProviderHost(tracked, engine, opts);
        const port = await new Promise<number>((resolve, reject) => {
            let buf = "";
            let havePort = false;
            const timer = setTimeout(
                () => reject(new Error(`provider host did not print its port within the time limit; stderr: ${host.stderr}`)),
                Math.max(1, Math.min(30_000, opts.deadline - Date.now())),
            );
            child.stdout!.setEncoding("utf8");
            child.stderr!.setEncoding("utf8");
            child.stdout!.on("data", (chunk: string) => {
                if (havePort) {
                    host.stdout += chunk;
                    host.combined += chunk;
                    return;
                }
                buf += chunk;
                const nl = buf.indexOf("\n");
                if (nl < 0) return;
                const first = buf.slice(0, nl).trim();
                const rest = buf.slice(nl + 1);
                havePort = true;
                if (!/^\d+$/.test(first)) {
                    clearTimeout(timer);
                    reject(new Error(`provider host printed "${first}" instead of its port`));
                    return;
                }
                host.stdout += rest;
                host.combined += rest;
                clearTimeout(timer);
                resolve(Number(first));
            });
            child.stderr!.on("data", (chunk: string) => {
                host.stderr += chunk;
                host.combined += chunk;
            });
            void tracked.exited.then((st) => {
                if (!havePort) {
                    clearTimeout(timer);
                    reject(new Error(`provider host exited (code ${st.code}, signal ${st.signal}) before printing its port; stderr: ${host.stderr}`));
                }
            });
        }).catch(async (e) => {
            await host.kill();
            throw e;
        });
        host.client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), channelOptions);
        return host;
    }

    /** HostControl: signal the host's process group. */
    signal(signal: NodeJS.Signals): void {
        signalGroup(this.proc.pid, signal);
    }

    /** HostControl: the Cancel RPC (a no-op in the Node host). */
    async cancel(): Promise<void> {
        await this.call("cancel", new emptyproto.Empty(), undefined).catch(() => undefined);
    }

    /**
     * Invokes one RPC with a deadline, records it, and fires the interrupt / onRpcStart hooks.
     */
    call<Res>(method: string, req: unknown, urn: string | undefined): Promise<Res> {
        const started = Date.now();
        const rec: RpcRecord = { method, urn, startedAtMs: started - this.t0, durationMs: 0, ok: false };
        this.rpcs.push(rec);
        if (this.opts.onRpcStart && method !== "cancel") {
            try {
                this.opts.onRpcStart({ method, urn }, this);
            } catch {
                /* hook errors are the caller's business */
            }
        }
        this.maybeInterrupt(method, urn, rec);
        const deadline = Math.max(Date.now() + 1, this.opts.deadline);
        return new Promise<Res>((resolve, reject) => {
            const fn = (this.client as unknown as Record<string, Function>)[method];
            fn.call(this.client, req, new grpc.Metadata(), { deadline }, (err: grpc.ServiceError | null, resp: Res) => {
                rec.durationMs = Date.now() - started;
                if (err) {
                    rec.code = err.code;
                    rec.codeName = statusNames[err.code] ?? String(err.code);
                    rec.details = err.details;
                    reject(new RpcError(method, err.code, err.details || err.message, parseInitFailed(err)));
                } else {
                    rec.ok = true;
                    resolve(resp);
                }
            });
        });
    }

    private maybeInterrupt(method: string, urn: string | undefined, rec: RpcRecord): void {
        const spec = this.opts.interrupt;
        if (!spec || !this.interruptArmed) return;
        if ((spec.during ?? "create") !== method) return;
        if (spec.urnIncludes && !(urn ?? "").includes(spec.urnIncludes)) return;
        this.interruptArmed = false;
        setTimeout(() => {
            if (this.proc.exitStatus) return;
            this.interruptReport = { signal: spec.signal, method, urn, atMs: Date.now() - this.t0, rpc: rec };
            if (spec.cancelRpc ?? true) void this.cancel();
            this.signal(spec.signal);
        }, spec.afterMs ?? 200).unref();
    }

    /** Handshake (the Node host answers UNIMPLEMENTED, so the engine falls back to Configure). */
    async handshake(rootDir: string): Promise<void> {
        const req = new provproto.ProviderHandshakeRequest();
        req.setEngineAddress(this.engine.address);
        req.setRootDirectory(rootDir);
        req.setProgramDirectory(rootDir);
        req.setConfigureWithUrn(true);
        req.setSupportsViews(true);
        req.setSupportsRefreshBeforeUpdate(true);
        try {
            await this.call("handshake", req, undefined);
        } catch (e) {
            if (!(e instanceof RpcError && e.code === grpc.status.UNIMPLEMENTED)) throw e;
        }
    }

    /**
     * Configure exactly as the engine's `provider.Configure` builds the request: `variables` holds
     * `"<pkg>:config:<key>"` → secret-free string, `args` the inputs with secrets kept.
     */
    async configure(p: { variables: Record<string, string>; args: PropertyMap; urn: string; id: string; name: string; type: string }): Promise<{ acceptSecrets: boolean }> {
        const req = new provproto.ConfigureRequest();
        const vars = req.getVariablesMap();
        for (const [k, v] of Object.entries(p.variables)) vars.set(k, v);
        req.setArgs(structproto.Struct.fromJavaScript(dropUndefined(p.args) as any));
        req.setAcceptsecrets(true);
        req.setAcceptresources(true);
        req.setSendsOldInputs(true);
        req.setSendsOldInputsToDelete(true);
        req.setUrn(p.urn);
        req.setId(p.id);
        req.setName(p.name);
        req.setType(p.type);
        const resp = await this.call<provproto.ConfigureResponse>("configure", req, p.urn);
        return { acceptSecrets: resp.getAcceptsecrets() };
    }

    async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<{ inputs: PropertyMap; failures: { property: string; reason: string }[] }> {
        const req = new provproto.CheckRequest();
        req.setUrn(urn);
        req.setName(urnName(urn));
        req.setType(urnType(urn));
        req.setOlds(toStruct(olds));
        req.setNews(toStruct(news));
        req.setRandomseed(new Uint8Array(crypto.randomBytes(32)));
        const resp = await this.call<provproto.CheckResponse>("check", req, urn);
        return {
            inputs: (resp.getInputs()?.toJavaScript() ?? {}) as PropertyMap,
            failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(urn: string, id: string, oldInputs: PropertyMap, oldOutputs: PropertyMap, news: PropertyMap, ignoreChanges: string[]) {
        const req = new provproto.DiffRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setName(urnName(urn));
        req.setType(urnType(urn));
        req.setOldInputs(toStruct(oldInputs));
        req.setOlds(toStruct(oldOutputs));
        req.setNews(toStruct(news));
        req.setIgnorechangesList(ignoreChanges);
        const resp = await this.call<provproto.DiffResponse>("diff", req, urn);
        return {
            changes: resp.getChanges() as number,
            replaces: resp.getReplacesList(),
            deleteBeforeReplace: resp.getDeletebeforereplace(),
        };
    }

    async create(urn: string, props: PropertyMap, timeoutSec: number): Promise<{ id: string; properties: PropertyMap }> {
        const req = new provproto.CreateRequest();
        req.setUrn(urn);
        req.setName(urnName(urn));
        req.setType(urnType(urn));
        req.setProperties(toStruct(props));
        req.setTimeout(timeoutSec);
        req.setPreview(false);
        const resp = await this.call<provproto.CreateResponse>("create", req, urn);
        return { id: resp.getId(), properties: (resp.getProperties()?.toJavaScript() ?? {}) as PropertyMap };
    }

    async read(urn: string, id: string, state: PropertyMap, inputs: PropertyMap) {
        const req = new provproto.ReadRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setName(urnName(urn));
        req.setType(urnType(urn));
        req.setProperties(toStruct(state));
        req.setInputs(toStruct(inputs));
        const resp = await this.call<provproto.ReadResponse>("read", req, urn);
        return {
            id: resp.getId(),
            properties: (resp.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
            inputs: resp.getInputs()?.toJavaScript() as PropertyMap | undefined,
        };
    }

    async update(urn: string, id: string, oldInputs: PropertyMap, oldOutputs: PropertyMap, news: PropertyMap, timeoutSec: number, ignoreChanges: string[]) {
        const req = new provproto.UpdateRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setName(urnName(urn));
        req.setType(urnType(urn));
        req.setOlds(toStruct(oldOutputs));
        req.setNews(toStruct(news));
        req.setOldInputs(toStruct(oldInputs));
        req.setTimeout(timeoutSec);
        req.setIgnorechangesList(ignoreChanges);
        req.setPreview(false);
        const resp = await this.call<provproto.UpdateResponse>("update", req, urn);
        return { properties: (resp.getProperties()?.toJavaScript() ?? {}) as PropertyMap };
    }

    async delete(urn: string, id: string, outputs: PropertyMap, inputs: PropertyMap, timeoutSec: number): Promise<void> {
        const req = new provproto.DeleteRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setName(urnName(urn));
        req.setType(urnType(urn));
        req.setProperties(toStruct(outputs));
        req.setOldInputs(toStruct(inputs));
        req.setTimeout(timeoutSec);
        await this.call("delete", req, urn);
    }

    /** Closes the client, kills the process group and waits for it. */
    async kill(): Promise<void> {
        try {
            this.client?.close();
        } catch {
            /* ignore */
        }
        if (!this.proc.exitStatus) {
            this.killedByHarness = true;
            await killTracked(this.proc);
        }
        this.engine.stop();
    }
}

function toStruct(m: PropertyMap): structproto.Struct {
    return structproto.Struct.fromJavaScript(dropUndefined(m) as any);
}

/** Name part of a URN. */
export function urnName(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

/** Type part of a URN (last segment of the qualified type). */
export function urnType(urn: string): string {
    const qualified = urn.split("::")[2] ?? "";
    return qualified.split("$").pop() ?? qualified;
}

function parseInitFailed(err: grpc.ServiceError): RpcError["initFailed"] {
    try {
        const bin = err.metadata?.get("grpc-status-details-bin")?.[0];
        if (!bin || typeof bin === "string") return undefined;
        const st = statusproto.Status.deserializeBinary(new Uint8Array(bin));
        for (const any of st.getDetailsList()) {
            if (!any.getTypeUrl().endsWith("pulumirpc.ErrorResourceInitFailed")) continue;
            const d = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
            return {
                id: d.getId(),
                properties: (d.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
                reasons: d.getReasonsList(),
            };
        }
    } catch {
        /* not a structured error */
    }
    return undefined;
}
