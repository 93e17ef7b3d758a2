/**
 * The real Pulumi CLI for end-to-end tests: found or built by `scripts/pulumi-cli.sh`, and run
 * from a project directory exactly as a user runs it, but against an isolated local file
 * backend, `PULUMI_HOME` and passphrase, with update checks and plugin downloads off.
 *
 * Each stack's config lives in a file of the test's temporary directory (`--config-file`), so
 * nothing is written into the checkout.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { localBackendEnv } from "../../provider/testing/localStack";

/** The repository root (tests run from `dist/test/...`). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** The line the script prints, e.g. `real Pulumi CLI: v3.248.0 (/path/to/pulumi)`. */
const ANNOUNCEMENT = /^real Pulumi CLI: (v\S+) \((.+)\)$/m;

/** A cold build from the Go module proxy takes minutes on two cores. */
const CLI_BUILD_TIMEOUT_MS = 60 * 60_000;

/** The CLI in use: its version and the folder holding `pulumi` and its bundled plugins. */
export interface PulumiCli {
    version: string;
    path: string;
    binDir: string;
}

let cli: PulumiCli | undefined;

/** Find or build the CLI (once per process) and print the script's one line. */
export function ensurePulumiCli(): PulumiCli {
    if (cli) return cli;
    const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts", "pulumi-cli.sh")], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        timeout: CLI_BUILD_TIMEOUT_MS,
    });
    const match = ANNOUNCEMENT.exec(out);
    if (!match) throw new Error(`scripts/pulumi-cli.sh printed no "real Pulumi CLI:" line:\n${out}`);
    console.log(`      ${match[0]}`);
    cli = { version: match[1], path: match[2], binDir: path.dirname(match[2]) };
    return cli;
}

/** What one CLI command printed and how it ended. */
export interface CommandResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    /** stdout and stderr as they arrived. */
    output: string;
}

/** A command still running, for tests that interrupt it. */
export interface RunningCommand {
    child: ChildProcess;
    /** Everything printed so far. */
    output(): string;
    /** Resolves when the printed output matches `pattern`. */
    waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
    done: Promise<CommandResult>;
}

/**
 * Copy `sourceDir`'s `Pulumi.yaml` into `stagedDir` with its `main` (the program; default the
 * project directory itself) made relative to `stagedDir`. Returns `stagedDir`.
 */
function stageProject(sourceDir: string, stagedDir: string): string {
    const project = fs.readFileSync(path.join(sourceDir, "Pulumi.yaml"), "utf8");
    const main = /^main:\s*(\S.*?)\s*$/m.exec(project)?.[1] ?? ".";
    const program = path.relative(stagedDir, path.resolve(sourceDir, main)) || ".";
    const staged = /^main:/m.test(project) ? project.replace(/^main:.*$/m, `main: ${program}`) : `${project.trimEnd()}\nmain: ${program}\n`;
    fs.writeFileSync(path.join(stagedDir, "Pulumi.yaml"), staged);
    return stagedDir;
}

/** Environment variables that would point the provider at a real cloud account. */
const CREDENTIAL_ENV = /^(HW_|OS_|HUAWEICLOUD_|PULUMI_CONFIG$|PULUMI_ACCESS_TOKEN$|PULUMI_BACKEND_URL$)/;

/**
 * A project driven by the real CLI, with its own backend and home in a temporary directory. The
 * CLI runs in a copy of the project's `Pulumi.yaml` there, its `main` pointing back at the program:
 * `stack init` writes `Pulumi.<stack>.yaml` next to the `Pulumi.yaml` it runs in, and the
 * checkout's own stack files (a user's `Pulumi.dws-cluster.yaml`, say) are never read or touched.
 * Call {@link dispose} when done.
 */
export class PulumiWorkspace {
    readonly tmp: string;
    /** Where the CLI runs: the staged copy of the project. */
    readonly projectDir: string;
    private readonly env: NodeJS.ProcessEnv;

    /** `sourceDir`: the project (its `Pulumi.yaml`); `tmp`: an existing directory to keep the backend in, shared with other workspaces (the caller removes it). */
    constructor(
        readonly cli: PulumiCli,
        sourceDir: string,
        extraEnv: NodeJS.ProcessEnv = {},
        tmp?: string,
    ) {
        this.tmp = tmp ?? fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-e2e-"));
        fs.mkdirSync(path.join(this.tmp, "state"), { recursive: true });
        this.projectDir = stageProject(sourceDir, fs.mkdtempSync(path.join(this.tmp, "project-")));
        const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !CREDENTIAL_ENV.test(key)));
        this.env = {
            ...base,
            PATH: `${cli.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
            ...localBackendEnv(this.tmp),
            ...extraEnv,
        };
    }

    /** The stack's config file, kept in the temporary directory. */
    configFile(stack: string): string {
        return path.join(this.tmp, `Pulumi.${stack}.yaml`);
    }

    /** Create a stack and set its config; `secret` keys are set with `config set --secret`. */
    async initStack(stack: string, config: Record<string, string>, secret: readonly string[] = []): Promise<void> {
        await this.ok(["stack", "init", stack]);
        // `stack init` writes the passphrase salt next to the staged Pulumi.yaml; the config file carries its own.
        fs.rmSync(path.join(this.projectDir, `Pulumi.${stack}.yaml`), { force: true });
        const plain = Object.entries(config).filter(([key]) => !secret.includes(key));
        if (plain.length > 0)
            await this.ok([
                "config",
                "set-all",
                "--stack",
                stack,
                "--config-file",
                this.configFile(stack),
                ...plain.flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]),
            ]);
        for (const key of secret) if (config[key] !== undefined) await this.setConfig(stack, key, config[key], true);
    }

    /** `pulumi config set`, the value on standard input as a user pastes it (not in argv). */
    async setConfig(stack: string, key: string, value: string, secret = false): Promise<void> {
        await this.ok(["config", "set", "--stack", stack, "--config-file", this.configFile(stack), ...(secret ? ["--secret"] : []), key], value);
    }

    /** Run a stack command (`up`, `preview`, `refresh`, `destroy`) to its end; `onOutput` sees its output as it comes. */
    stackCommand(stack: string, command: string[], timeoutMs = 120_000, onOutput?: (text: string) => void): Promise<CommandResult> {
        return this.start(this.stackArgs(stack, command), undefined, timeoutMs, onOutput).done;
    }

    /** Start a stack command and return at once (to interrupt it). */
    startStackCommand(stack: string, command: string[], timeoutMs = 120_000): RunningCommand {
        return this.start(this.stackArgs(stack, command), undefined, timeoutMs);
    }

    /** `pulumi stack export`, parsed. */
    async exportState(stack: string): Promise<StackExport> {
        const result = await this.ok(["stack", "export", "--stack", stack]);
        return JSON.parse(result.stdout) as StackExport;
    }

    /** Stack outputs, `--show-secrets` off. */
    async outputs(stack: string): Promise<Record<string, unknown>> {
        const result = await this.ok(["stack", "output", "--json", "--stack", stack]);
        return JSON.parse(result.stdout) as Record<string, unknown>;
    }

    /** Run any CLI command and fail the test unless it exits 0. */
    async ok(args: string[], stdin?: string): Promise<CommandResult> {
        const result = await this.start(args, stdin, 60_000).done;
        if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${result.code ?? result.signal}:\n${result.output}`);
        return result;
    }

    dispose(): void {
        fs.rmSync(this.tmp, { recursive: true, force: true });
    }

    private stackArgs(stack: string, command: string[]): string[] {
        const yes = ["up", "refresh", "destroy"].includes(command[0]) ? ["--yes"] : [];
        return [...command, ...yes, "--stack", stack, "--config-file", this.configFile(stack), "--color", "never"];
    }

    private start(args: string[], stdin: string | undefined, timeoutMs: number, onOutput?: (text: string) => void): RunningCommand {
        const child = spawn(this.cli.path, [...args, "--non-interactive"], { cwd: this.projectDir, env: this.env, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let output = "";
        const watchers = new Set<() => void>();
        const collect = (chunk: Buffer, stream: "stdout" | "stderr") => {
            const text = chunk.toString("utf8");
            if (stream === "stdout") stdout += text;
            else stderr += text;
            output += text;
            onOutput?.(text);
            for (const watcher of watchers) watcher();
        };
        child.stdout!.on("data", (chunk: Buffer) => collect(chunk, "stdout"));
        child.stderr!.on("data", (chunk: Buffer) => collect(chunk, "stderr"));
        child.stdin!.end(stdin ?? "");
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        const done = new Promise<CommandResult>((resolve, reject) => {
            child.on("error", reject);
            child.on("close", (code, signal) => {
                clearTimeout(timer);
                for (const watcher of watchers) watcher();
                resolve({ code, signal, stdout, stderr, output });
            });
        });
        const waitFor = (pattern: RegExp, waitMs = 60_000) =>
            new Promise<void>((resolve, reject) => {
                const deadline = setTimeout(() => finish(new Error(`timed out after ${waitMs} ms waiting for ${pattern} in:\n${output}`)), waitMs);
                const finish = (error?: Error) => {
                    clearTimeout(deadline);
                    watchers.delete(check);
                    if (error) reject(error);
                    else resolve();
                };
                const check = () => {
                    if (pattern.test(output)) finish();
                    else if (child.exitCode !== null || child.signalCode !== null) finish(new Error(`pulumi exited before ${pattern} appeared:\n${output}`));
                };
                watchers.add(check);
                check();
            });
        return { child, output: () => output, waitFor, done };
    }
}

/** The parts of `pulumi stack export` the tests read. */
export interface StackExport {
    version: number;
    deployment: {
        resources?: ExportedResource[];
        pending_operations?: { resource: ExportedResource; type: string }[];
    };
}

/** A resource in an exported state. */
export interface ExportedResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/** The resource whose URN ends with `::name`, or undefined. */
export function findExported(state: StackExport, name: string): ExportedResource | undefined {
    return state.deployment.resources?.find((r) => r.urn.endsWith(`::${name}`));
}
