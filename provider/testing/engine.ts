/**
 * # Engine harness: a Pulumi engine in miniature
 *
 * The Pulumi CLI cannot be installed on the build machines, yet the dynamic provider must be
 * proven through the REAL engine path. This module plays the engine:
 *
 * - the **program** runs in a fresh child Node process under the runtime's mocks
 *   (`pulumi.runtime.setMocks`) inside a real `pulumi:pulumi:Stack`; every RegisterResource is
 *   forwarded to this process (clean Pulumi global state per deployment, like a real language host);
 * - every `pulumi-nodejs:dynamic*` resource is driven through the **real dynamic-provider host**
 *   shipped in `@pulumi/pulumi` (`pulumi-resource-pulumi-nodejs` → `cmd/dynamic-provider`), over
 *   gRPC with the generated stubs: Handshake (UNIMPLEMENTED → fallback), Configure, Check, Diff,
 *   Create / Update / replacement, Delete, Read - with the engine's secret handling;
 * - other custom resources echo their inputs as outputs; components are recorded;
 * - the resulting state is a `pulumi stack export`-shaped document with secrets encrypted.
 *
 * ```ts
 * const up = await deploy({ program: "dist/test/engine/fixtures/echoProgram.js", config: { "fixture:value": "a" } });
 * expect(up.ok).to.equal(true);
 * const again = await deploy({ program, priorState: up.state, config: { "fixture:value": "b" } });
 * const gone = await destroy(again.state);
 * ```
 *
 * Every child process is killed at the end of each call (and at exit of the test process);
 * every call has a time limit (`timeoutMs`, default 60 s).
 *
 * ## What it mirrors from the engine, and where it differs
 *
 * Mirrored (from pulumi/pulumi's step generator, steps and provider plugin): Configure with the
 * whole namespaced stack config, secrets unwrapped; Check with the old inputs, and a second Check
 * of the program's goal, without olds, before a replacement (previews too); Diff with the old
 * outputs; `replaceOnChanges` only for keys a provider lists as changed — the Node host lists
 * none, so it never forces a dynamic replacement; create-before-delete and delete-before-replace
 * ordering; refresh as Read then Diff, configured with the provider inputs recorded at the last
 * update (not the current config); Check failures worded as the engine words them.
 *
 * Not modelled, or different:
 * - explicit providers (the `provider` option), `Resource.get` and imports;
 * - other custom resources echo their inputs as outputs with a made-up ID, in a preview too (the
 *   engine gives them unknown outputs there): tests that need unknown values feed them from a
 *   dynamic resource;
 * - CheckConfig and DiffConfig are not sent (the Node host answers them UNIMPLEMENTED);
 * - deletes run one at a time (the engine deletes independent resources in parallel);
 * - a failing property's value is printed as JSON, not in Go's notation;
 * - the host's `PULUMI_CONFIG` content is inferred from the engine's sources, not observed.
 *
 * @module
 */
import * as fs from "fs";
import { runDeploy, runDestroy, runRefresh, isDynamicType, sortByDependencies } from "./engine/deployment";
import { killAllChildren, liveChildren, pidAlive, startedPids } from "./engine/processes";
import type { CommonOptions, DeployOptions, DeployResult, ResourceState, StackState } from "./engine/types";
import { SecretsCodec, SIG, SECRET_SIG, UNKNOWN, toPlain } from "./engine/wire";

export type {
    CommonOptions,
    DeployOptions,
    DeployResult,
    Diagnostic,
    HostControl,
    HostReport,
    InterruptSpec,
    Operation,
    OpKind,
    ResourceState,
    RpcRecord,
    StackState,
} from "./engine/types";
export { killAllChildren, liveChildren, pidAlive, startedPids, isDynamicType, sortByDependencies };
/** Wire-format constants: the secret signature key/value and the unknown sentinel. */
export { SIG as SECRET_SIG_KEY, SECRET_SIG, UNKNOWN };

/**
 * Runs a Pulumi program as `pulumi up` would (or `pulumi preview` with `preview: true`).
 *
 * Never throws for deployment failures: they come back as `ok: false` with the provider's message
 * in `error`/`diagnostics`, and the state keeps what was created before the failure.
 */
export function deploy(options: DeployOptions): Promise<DeployResult> {
    return runDeploy(options);
}

/** `pulumi preview`: Check and Diff only (no Create/Update/Delete); the state is returned unchanged. */
export function preview(options: Omit<DeployOptions, "preview">): Promise<DeployResult> {
    return runDeploy({ ...options, preview: true });
}

/**
 * `pulumi refresh`: Read for every dynamic resource of `state` (through a fresh provider host,
 * configured with `options.config`). A Read that returns an empty id removes the resource.
 * Project and stack default to those of the state's URNs.
 */
export function refresh(state: StackState, options: CommonOptions = {}): Promise<DeployResult> {
    return runRefresh(state, options);
}

/** `pulumi destroy`: Delete every resource of `state`, dependents before their dependencies. */
export function destroy(state: StackState, options: CommonOptions = {}): Promise<DeployResult> {
    return runDestroy(state, options);
}

/** Writes a state as pretty JSON (what `pulumi stack export --file` would write). */
export function saveState(file: string, state: StackState): void {
    fs.writeFileSync(file, JSON.stringify(state, null, 2) + "\n");
}

/** Reads a state written by {@link saveState}. */
export function loadState(file: string): StackState {
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as StackState;
    if (s.version !== 3 || !s.deployment || !Array.isArray(s.deployment.resources)) {
        throw new Error(`${file} is not a version 3 stack state`);
    }
    return s;
}

/** Finds a resource of a state by URN, or by `type` and `name` (the URN's last segment). */
export function findResource(state: StackState, urnOrName: string, type?: string): ResourceState | undefined {
    return state.deployment.resources.find((r) =>
        type === undefined ? r.urn === urnOrName || r.urn.endsWith(`::${urnOrName}`) : r.type === type && r.urn.endsWith(`::${urnOrName}`),
    );
}

/**
 * Decrypts the secrets of a state value and returns plain JS (for assertions). Needs the passphrase
 * the state was written with (default of the harness if omitted).
 */
export function revealSecrets(state: StackState, value: unknown, passphrase = "harness-passphrase"): unknown {
    const codec = new SecretsCodec(passphrase, state.deployment.secrets_providers.state.salt);
    return toPlain(codec.decodeValue(value));
}

/** True if a state value is an (encrypted) secret. */
export function isStateSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG] === SECRET_SIG;
}
