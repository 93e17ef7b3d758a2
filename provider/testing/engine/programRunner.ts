/**
 * Child-process entry of the engine harness: runs ONE Pulumi program under the runtime's mocks
 * (`pulumi.runtime.setMocks`) inside a Pulumi Stack, and forwards every RegisterResource /
 * RegisterResourceOutputs request to the parent (the harness, playing the engine) over IPC,
 * returning the engine's answer to the program. A fresh process per deployment gives the Pulumi
 * runtime a clean global state, as in reality (language host process per `pulumi up`).
 *
 * Started by `provider/testing/engine.ts`; not meant to be run by hand.
 *
 * @module
 */
import * as path from "path";
import type { ProgramMessage, ParentMessage, RegisterInfo, RunnerSpec } from "./ipc";

const spec: RunnerSpec = JSON.parse(process.env.PULUMI_HARNESS_RUNNER_SPEC ?? "{}");

let seq = 0;
const pending = new Map<number, { resolve: (v: any) => void; reject: (e: any) => void }>();

function send(msg: ProgramMessage): void {
    process.send!(msg);
}

type WithoutSeq<T> = T extends unknown ? Omit<T, "seq"> : never;

function request(msg: WithoutSeq<Extract<ProgramMessage, { seq: number }>>): Promise<any> {
    const s = ++seq;
    return new Promise((resolve, reject) => {
        pending.set(s, { resolve, reject });
        send({ ...(msg as any), seq: s });
    });
}

process.on("message", (m: ParentMessage) => {
    if (m.type !== "reply") return;
    const p = pending.get(m.seq);
    if (!p) return;
    pending.delete(m.seq);
    if (m.ok) p.resolve(m.result);
    else {
        const e: any = new Error(m.error ?? "engine error");
        if (m.code !== undefined) e.code = m.code;
        p.reject(e);
    }
});

// The harness going away must take us with it.
process.on("disconnect", () => process.exit(3));

// Like the Node language host: an error escaping the program (e.g. thrown by the Stack's init and
// surfacing as an unhandled rejection) ends the run with that error.
let finished = false;
const onUncaught = (err: any) => {
    if (finished) return;
    finish({ type: "done", ok: false, error: err?.stack ?? String(err) });
};
process.on("uncaughtException", onUncaught);
process.on("unhandledRejection", onUncaught);

/** Requires `id` as the program would see it (so it shares the program's @pulumi/pulumi), else as the harness does. */
function fromDir(dir: string, id: string): any {
    let resolved: string;
    try {
        resolved = require.resolve(id, { paths: [dir] });
    } catch {
        resolved = require.resolve(id);
    }
    return require(resolved);
}

async function main(): Promise<void> {
    const programDir = spec.programDir;
    const pulumi = fromDir(programDir, "@pulumi/pulumi");
    const settings = fromDir(programDir, "@pulumi/pulumi/runtime/settings");
    const stackMod = fromDir(programDir, "@pulumi/pulumi/runtime/stack");

    // Request being handled by the (wrapped) mock monitor right now. The MockMonitor calls
    // mocks.newResource synchronously from registerResource, so this hand-off is exact.
    let current: any;
    const urnByReq = new WeakMap<object, string>();

    const mocks = {
        async newResource(args: { type: string; name: string }): Promise<{ id: string | undefined; state: any }> {
            const req = current;
            current = undefined;
            if (!req) throw new Error(`harness: no RegisterResource request for ${args.type}::${args.name}`);
            const info: RegisterInfo = {
                type: req.getType(),
                name: req.getName(),
                parent: req.getParent(),
                custom: req.getCustom(),
                object: req.getObject()?.toJavaScript() ?? {},
                dependencies: req.getDependenciesList(),
                propertyDependencies: Object.fromEntries(
                    (req.getPropertydependenciesMap()?.entries?.() ? [...req.getPropertydependenciesMap().entries()] : []).map(
                        ([k, v]: [string, any]) => [k, v.getUrnsList()],
                    ),
                ),
                deleteBeforeReplace: req.getDeletebeforereplace(),
                deleteBeforeReplaceDefined: req.getDeletebeforereplacedefined(),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                ignoreChanges: req.getIgnorechangesList(),
                protect: !!req.getProtect(),
                retainOnDelete: !!req.getRetainondelete(),
                provider: req.getProvider(),
                importId: req.getImportid(),
                customTimeouts: req.getCustomtimeouts()
                    ? {
                          create: req.getCustomtimeouts().getCreate(),
                          update: req.getCustomtimeouts().getUpdate(),
                          delete: req.getCustomtimeouts().getDelete(),
                      }
                    : undefined,
            };
            const result = await request({ type: "register", info });
            urnByReq.set(req, result.urn);
            // `state` is passed through serializeProperties by the MockMonitor: wire-form secrets
            // and unknown sentinels survive it unchanged and reach the program as such.
            return { id: result.id || undefined, state: result.object };
        },
        async call(args: { token: string; inputs: any }): Promise<any> {
            return request({ type: "invoke", token: args.token, args: args.inputs });
        },
    };

    await pulumi.runtime.setMocks(mocks, spec.project, spec.stack, spec.preview, spec.organization);
    const monitor = settings.getMonitor();
    const origRegister = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, cb: (err: any, resp: any) => void) => {
        current = req;
        return origRegister(req, (err: any, resp: any) => {
            const urn = urnByReq.get(req);
            if (resp && urn) resp.setUrn(urn); // engine-style URN instead of the mock's
            cb(err, resp);
        });
    };
    monitor.registerResourceOutputs = (req: any, cb: (err: any, resp: any) => void) => {
        request({ type: "registerOutputs", urn: req.getUrn(), outputs: req.getOutputs()?.toJavaScript() ?? {} }).then(
            () => cb(null, {}),
            (e) => cb(e, undefined),
        );
    };
    monitor.readResource = (req: any, cb: (err: any, resp: any) => void) => {
        cb(new Error(`harness: reading existing resources (${req.getType()}::${req.getName()}) is not supported`), undefined);
    };

    let outputsError: string | undefined;
    try {
        await stackMod.runInPulumiStack(async () => {
            if (spec.inlineSource !== undefined) {
                // eslint-disable-next-line no-new-func
                const fn = new Function("require", `return (${spec.inlineSource});`)(require);
                return await fn(pulumi, spec.programArgs);
            }
            const m = require(path.resolve(spec.program!));
            if (m && m.__esModule && typeof m.default === "function") return await m.default();
            if (typeof m === "function") return await m();
            if (m instanceof Promise) return await m;
            return m;
        });
    } catch (e: any) {
        outputsError = e?.stack ?? String(e);
    }
    try {
        await settings.waitForRPCs();
    } catch (e: any) {
        outputsError = outputsError ?? (e?.stack ?? String(e));
    }
    finish({ type: "done", ok: outputsError === undefined, error: outputsError });
}

/** Reports the outcome and exits (nothing else may keep this process alive). */
function finish(msg: ProgramMessage): void {
    if (finished) return;
    finished = true;
    process.send!(msg, () => process.exit(msg.type === "done" && msg.ok ? 0 : 1));
}

main().catch((e) => {
    finish({ type: "done", ok: false, error: e?.stack ?? String(e) });
});
