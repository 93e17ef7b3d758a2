/**
 * `npm run emulator`: the local emulator of the Huawei job APIs as a standalone server, for
 * running the `examples/` programs with the Pulumi CLI and no cloud account. It listens on
 * 127.0.0.1 (port `EMULATOR_PORT`, default 8780), accepts one demo AK/SK pair, starts one job per
 * example (each runs `EMULATOR_JOB_SECONDS`, default 60, then succeeds — the CFW one fails, to
 * show `allowFailure`), prints the `pulumi config set` commands that point a stack at it, and
 * runs until Ctrl-C.
 *
 * @packageDocumentation
 */
import { EmulatedJobDefinition, JobApiEmulator } from "pulumi-huaweicloud-jobwaiter/testing";

/** The demo credentials the emulator accepts (not secrets: they only open this local server). */
export const EMULATOR_ACCESS_KEY = "EMULATORACCESSKEY001";
export const EMULATOR_SECRET_KEY = "emulator-demo-secret-key-0001";
export const EMULATOR_PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
export const EMULATOR_ROMA_INSTANCE = "a48e43ff268f4c0e879652d65e63d0fb";
/** The server the emulated ECS creation job creates. */
export const EMULATOR_ECS_SERVER = "bae51750-0089-41a1-9b18-5c777978ecb6";

/** One example program and the jobs it waits on. */
export interface ExampleSetup {
    /** The example's folder under `examples/` (and `dist/examples/`). */
    example: string;
    /** `pulumi config set` arguments for it (besides the common ones). */
    config: [key: string, value: string][];
}

/** Start the emulator and one job per example; returns it with the per-example config. */
export async function startExampleEmulator(port: number, jobMs: number): Promise<{ emulator: JobApiEmulator; examples: ExampleSetup[] }> {
    const emulator = await JobApiEmulator.start({ port, accessKeys: { [EMULATOR_ACCESS_KEY]: EMULATOR_SECRET_KEY } });
    const job = (def: Omit<EmulatedJobDefinition, "projectId" | "durationMs" | "outcome"> & Partial<EmulatedJobDefinition>) =>
        emulator.defineJob({ projectId: EMULATOR_PROJECT, durationMs: jobMs, outcome: "succeeded", ...def });
    const examples: ExampleSetup[] = [
        { example: "dws-cluster", config: [["dwsJobId", job({ service: "dws", jobName: "createCluster" })]] },
        { example: "ddm-instance", config: [["ddmJobId", job({ service: "ddm" })]] },
        {
            example: "roma-asset-export",
            config: [
                ["romaJobId", job({ service: "roma", instanceId: EMULATOR_ROMA_INSTANCE })],
                ["romaInstanceId", EMULATOR_ROMA_INSTANCE],
            ],
        },
        {
            example: "cfw-job",
            config: [["cfwJobId", job({ service: "cfw", outcome: "failed", failedCode: "CFW.00200005", failedDetail: "emulated rule conflict" })]],
        },
        { example: "ecs-server", config: [["ecsJobId", job({ service: "ecs", resourceIds: [EMULATOR_ECS_SERVER] })]] },
    ];
    return { emulator, examples };
}

/** Stack config keys stored as secrets. */
export const SECRET_CONFIG_KEYS: readonly string[] = ["huaweicloud:secretKey"];

/** The stack config that points a stack of the examples project at `endpoint`. */
export function exampleConfig(endpoint: string, setup: ExampleSetup): Record<string, string> {
    return {
        "jobwaiter-examples:example": setup.example,
        "jobwaiter-examples:endpoint": endpoint,
        "jobwaiter-examples:allowInsecureLoopback": "true",
        "huaweicloud:projectId": EMULATOR_PROJECT,
        "huaweicloud:accessKey": EMULATOR_ACCESS_KEY,
        "huaweicloud:secretKey": EMULATOR_SECRET_KEY,
        ...Object.fromEntries(setup.config.map(([key, value]) => [`jobwaiter-examples:${key}`, value])),
    };
}

/** The `pulumi config set` lines that point a stack of the examples project at `endpoint`. */
export function configCommands(endpoint: string, setup: ExampleSetup): string[] {
    return Object.entries(exampleConfig(endpoint, setup)).map(
        ([key, value]) => `pulumi config set ${SECRET_CONFIG_KEYS.includes(key) ? "--secret " : ""}${key} ${value}`,
    );
}

async function main(): Promise<void> {
    const port = Number(process.env.EMULATOR_PORT ?? 8780);
    const jobMs = 1000 * Number(process.env.EMULATOR_JOB_SECONDS ?? 60);
    const { emulator, examples } = await startExampleEmulator(port, jobMs);
    console.log(`Huawei job API emulator on ${emulator.endpoint} (jobs run ${jobMs / 1000} s from now). For each example, in a stack of its own:\n`);
    for (const setup of examples) {
        console.log(`# examples/${setup.example}:`);
        console.log(`pulumi stack init ${setup.example}`);
        for (const line of configCommands(emulator.endpoint, setup)) console.log(line);
        console.log("pulumi up\n");
    }
    console.log("Ctrl-C stops the emulator.");
    const stop = () => void emulator.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
}

if (require.main === module) {
    main().catch((error) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    });
}
