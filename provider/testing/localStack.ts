/**
 * Test your own Pulumi program against the emulator: a stack of the real Pulumi CLI, through
 * `@pulumi/pulumi/automation`, with a local file backend, `PULUMI_HOME` (seeing the plugins you
 * installed) and passphrase of its own in a temporary directory, update checks and plugin
 * downloads off, and the stack's `huaweicloud:*` credentials set as config (the secret key as a
 * secret).
 *
 * ```ts
 * const emulator = await JobApiEmulator.start({ accessKeys: { [AK]: SK } });
 * const local = await createLocalStack({ program: myProgram, config: { "huaweicloud:accessKey": AK }, secretConfig: { "huaweicloud:secretKey": SK } });
 * const result = await local.stack.up({ onOutput: process.stdout.write.bind(process.stdout) });
 * await local.dispose();
 * ```
 *
 * @packageDocumentation
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";

/** Options of {@link createLocalStack}. */
export interface LocalStackOptions {
    /** The program, run inline in this process (no language host needed). */
    program: PulumiFn;
    /** Default `jobwaiter-local`. */
    projectName?: string;
    /** Default `local`. */
    stackName?: string;
    /** Stack config in clear, e.g. `{ "huaweicloud:projectId": "…" }`. */
    config?: Record<string, string>;
    /** Stack config stored encrypted, e.g. `{ "huaweicloud:secretKey": "…" }`. */
    secretConfig?: Record<string, string>;
    /** A folder with `bin/pulumi`; default: the `pulumi` on PATH. */
    pulumiRoot?: string;
    /** More environment for the CLI and the provider processes it starts. */
    envVars?: Record<string, string>;
}

/** A stack of {@link createLocalStack}; `dispose` removes its backend and home. */
export interface LocalStack {
    stack: Stack;
    /** The temporary directory holding the backend (`state/`) and `PULUMI_HOME` (`home/`). */
    dir: string;
    dispose(): Promise<void>;
}

/** The passphrase of the local backend's secrets (the backend lives and dies with the stack). */
const LOCAL_PASSPHRASE = "jobwaiter-local-stack";

/** The CLI's environment: an isolated local backend, nothing fetched from the network. */
export function localBackendEnv(dir: string): Record<string, string> {
    return {
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
    };
}

/**
 * Create (or select) a stack of an inline program on a fresh local backend. The stack's own
 * `PULUMI_HOME` sees the resource plugins already installed in yours (`$PULUMI_HOME/plugins`, else
 * `~/.pulumi/plugins`; read, never written), so that a program with other providers' resources
 * runs; nothing else of your home (credentials, backends, settings) is used.
 */
export async function createLocalStack(options: LocalStackOptions): Promise<LocalStack> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-local-stack-"));
    fs.mkdirSync(path.join(dir, "state"));
    fs.mkdirSync(path.join(dir, "project"));
    const env = { ...localBackendEnv(dir), ...options.envVars };
    if (options.envVars?.PULUMI_HOME === undefined) shareInstalledPlugins(path.join(dir, "home"));
    try {
        const pulumiCommand = await PulumiCommand.get(options.pulumiRoot ? { root: options.pulumiRoot } : {});
        const stack = await LocalWorkspace.createOrSelectStack(
            { projectName: options.projectName ?? "jobwaiter-local", stackName: options.stackName ?? "local", program: options.program },
            { pulumiCommand, pulumiHome: env.PULUMI_HOME, envVars: env, workDir: path.join(dir, "project") },
        );
        const config = {
            ...Object.fromEntries(Object.entries(options.config ?? {}).map(([key, value]) => [key, { value }])),
            ...Object.fromEntries(Object.entries(options.secretConfig ?? {}).map(([key, value]) => [key, { value, secret: true }])),
        };
        await stack.setAllConfig(config);
        return { stack, dir, dispose: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    } catch (error) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw error;
    }
}

/** Link `home/plugins` to the plugins installed in the caller's own Pulumi home, when it has any. */
function shareInstalledPlugins(home: string): void {
    const installed = path.join(process.env.PULUMI_HOME || path.join(os.homedir(), ".pulumi"), "plugins");
    if (!fs.existsSync(installed)) return;
    fs.mkdirSync(home, { recursive: true });
    fs.symlinkSync(installed, path.join(home, "plugins"), "dir");
}
