/**
 * `npm run demo`: the whole package on an embedded default, no cloud account needed.
 *
 * 1. Starts the local emulator of the Huawei job APIs on 127.0.0.1 (AK/SK signatures verified).
 * 2. As a library: waits on a job of every kind, prints progress and final outputs, and shows
 *    the failure message of a failing DWS job (failed_code / failed_detail).
 * 3. As a Pulumi resource: `pulumi up` of the examples/ project with the real Pulumi CLI (found
 *    on PATH or built by scripts/pulumi-cli.sh) on a local backend, its output shown as it comes:
 *    a dependent resource receiving the waiter's outputs, and a failing job failing the update.
 *
 * Exits non-zero if anything does not behave as described.
 */
import { JobFailedError, waitForJob } from "pulumi-huaweicloud-jobwaiter";
import { EmulatedJobDefinition, JobApiEmulator } from "pulumi-huaweicloud-jobwaiter/testing";
import { ensurePulumiCli, findExported, PulumiWorkspace, REPO_ROOT } from "../test/support/pulumiCli";
import { EMULATOR_ACCESS_KEY, EMULATOR_PROJECT, EMULATOR_ROMA_INSTANCE, EMULATOR_SECRET_KEY, exampleConfig, SECRET_CONFIG_KEYS } from "./emulator";

const ACCESS_KEY = EMULATOR_ACCESS_KEY;
const SECRET_KEY = EMULATOR_SECRET_KEY;
const PROJECT = EMULATOR_PROJECT;
const ROMA_INSTANCE = EMULATOR_ROMA_INSTANCE;

let problems = 0;
function check(condition: boolean, what: string): void {
    console.log(`  ${condition ? "ok  " : "FAIL"} ${what}`);
    if (!condition) problems++;
}

async function main(): Promise<void> {
    const emulator = await JobApiEmulator.start({ accessKeys: { [ACCESS_KEY]: SECRET_KEY } });
    console.log(`Emulator of the Huawei job APIs listening on ${emulator.endpoint}\n`);
    try {
        await libraryPart(emulator);
        await pulumiPart(emulator);
    } finally {
        await emulator.close();
    }
    console.log(problems === 0 ? "\nDemo finished: everything behaved as expected." : `\nDemo finished with ${problems} problem(s).`);
    process.exitCode = problems === 0 ? 0 : 1;
}

async function libraryPart(emulator: JobApiEmulator): Promise<void> {
    console.log("== 1. waitForJob as a library ==");
    const common = {
        endpoint: emulator.endpoint,
        allowInsecureLoopback: true,
        projectId: PROJECT,
        accessKey: ACCESS_KEY,
        secretKey: SECRET_KEY,
        minPollIntervalSeconds: 0.2,
        maxPollIntervalSeconds: 2,
        timeoutSeconds: 60,
    };
    const jobs = [
        {
            service: "dws",
            jobId: emulator.defineJob({
                service: "dws",
                projectId: PROJECT,
                durationMs: 4000,
                outcome: "succeeded",
                jobName: "createCluster",
                faults: [{ kind: "status", status: 503 }],
            }),
        },
        { service: "ddm", jobId: emulator.defineJob({ service: "ddm", projectId: PROJECT, durationMs: 3000, outcome: "succeeded", progress: "jumpy" }) },
        {
            service: "roma",
            instanceId: ROMA_INSTANCE,
            jobId: emulator.defineJob({
                service: "roma",
                projectId: PROJECT,
                instanceId: ROMA_INSTANCE,
                durationMs: 3500,
                outcome: "succeeded",
                progress: "stuck90",
            }),
        },
        {
            service: "cfw",
            jobId: emulator.defineJob({
                service: "cfw",
                projectId: PROJECT,
                durationMs: 2500,
                outcome: "succeeded",
                faults: [{ kind: "status", status: 429, retryAfter: "1" }],
            }),
        },
    ];
    const results = await Promise.all(
        jobs.map((job) =>
            waitForJob({
                ...common,
                ...job,
                onProgress: (s) => console.log(`  [${s.service}] ${s.jobId} ${s.status}${s.progress === undefined ? "" : ` ${Math.floor(s.progress)}%`}`),
            }),
        ),
    );
    for (const r of results) {
        const extra = r.instance ? ` instance=${r.instance.name}` : r.archiveId ? ` archiveId=${r.archiveId}` : "";
        console.log(
            `  done: ${r.service} ${r.jobId} → ${r.state} (${r.status}) in ${(r.waitedMs / 1000).toFixed(1)} s, ${r.polls} polls, endTime ${r.endTime ?? "-"}${extra}`,
        );
    }
    check(
        results.every((r) => r.state === "succeeded"),
        "every kind reached success (through a 503 and a 429 with Retry-After)",
    );

    const failing = emulator.defineJob({
        service: "dws",
        projectId: PROJECT,
        durationMs: 1500,
        outcome: "failed",
        jobName: "ecfClusterElbCreateJob",
        failedCode: "CreateELBTask-fail:DWS.0114",
        failedDetail: "DWS.0114:ELB private IP is not configured.",
    });
    const error = await waitForJob({ ...common, service: "dws", jobId: failing }).catch((e: unknown) => e);
    console.log(`  failing DWS job → ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    check(
        error instanceof JobFailedError && error.failedCode === "CreateELBTask-fail:DWS.0114",
        "the failing DWS job rejects with JobFailedError and its failed_code",
    );
}

async function pulumiPart(emulator: JobApiEmulator): Promise<void> {
    console.log("\n== 2. JobWaiter with the real Pulumi CLI: pulumi up of the examples/ project ==");
    const workspace = new PulumiWorkspace(ensurePulumiCli(), REPO_ROOT);
    try {
        const job = (def: Omit<EmulatedJobDefinition, "projectId">) => emulator.defineJob({ projectId: EMULATOR_PROJECT, ...def });
        const polling: [string, string][] = [
            ["minPollIntervalSeconds", "0.2"],
            ["maxPollIntervalSeconds", "2"],
        ];
        const stack = async (example: string, config: [string, string][], name = example) => {
            await workspace.initStack(name, exampleConfig(emulator.endpoint, { example, config: [...config, ...polling] }), SECRET_CONFIG_KEYS);
            return name;
        };
        const show = indented("    | ");

        const dws = await stack("dws-cluster", [["dwsJobId", job({ service: "dws", durationMs: 5000, outcome: "succeeded", jobName: "createDwsCluster" })]]);
        console.log("  $ pulumi up   # examples/dws-cluster, a job that succeeds");
        const up = await workspace.stackCommand(dws, ["up"], 120_000, show);
        check(up.code === 0, "pulumi up succeeded");
        const record = findExported(await workspace.exportState(dws), "dws-cluster-ready");
        check(
            record?.outputs?.status === "SUCCESS" && typeof record?.outputs?.finishedAt === "string",
            "the dependent resource received the waiter's status and endTime",
        );
        check(
            !up.output.includes(EMULATOR_SECRET_KEY) && !JSON.stringify(await workspace.exportState(dws)).includes(EMULATOR_SECRET_KEY),
            "neither the CLI output nor the state holds the secret key",
        );

        const failing = job({
            service: "dws",
            durationMs: 2000,
            outcome: "failed",
            jobName: "ecfClusterElbCreateJob",
            failedCode: "CreateELBTask-fail:DWS.0114",
            failedDetail: "DWS.0114:ELB private IP is not configured.",
        });
        const failingStack = await stack("dws-cluster", [["dwsJobId", failing]], "dws-cluster-failing");
        console.log("\n  $ pulumi up   # examples/dws-cluster in another stack, waiting on a job that fails");
        const down = await workspace.stackCommand(failingStack, ["up"], 120_000, show);
        check(down.code !== 0 && down.output.includes("CreateELBTask-fail:DWS.0114"), "the failing job failed the update with its failed_code");
        check(findExported(await workspace.exportState(failingStack), "dws-cluster-ready") === undefined, "nothing that depends on the failed job was created");

        console.log("\n  $ pulumi up   # examples/ddm-instance, roma-asset-export, cfw-job (allowFailure)");
        const others = [
            await stack("ddm-instance", [["ddmJobId", job({ service: "ddm", durationMs: 2000, outcome: "succeeded" })]]),
            await stack("roma-asset-export", [
                ["romaJobId", job({ service: "roma", instanceId: EMULATOR_ROMA_INSTANCE, durationMs: 2000, outcome: "succeeded" })],
                ["romaInstanceId", EMULATOR_ROMA_INSTANCE],
            ]),
            await stack("cfw-job", [
                ["cfwJobId", job({ service: "cfw", durationMs: 2000, outcome: "failed", failedCode: "CFW.00200005", failedDetail: "rule conflict" })],
            ]),
        ];
        const outputs: Record<string, Record<string, unknown>> = {};
        for (const name of others) {
            const result = await workspace.stackCommand(name, ["up"]);
            outputs[name] = result.code === 0 ? await workspace.outputs(name) : {};
            console.log(`  ${name}: ${result.code === 0 ? "succeeded" : "FAILED"}; outputs ${JSON.stringify(outputs[name])}`);
        }
        check(typeof (outputs["ddm-instance"].ddmInstance as { id?: string } | undefined)?.id === "string", "DDM: the instance output chained");
        check(typeof outputs["roma-asset-export"].romaArchiveId === "string", "ROMA: the archive ID output chained");
        check(
            outputs["cfw-job"].cfwState === "failed" && outputs["cfw-job"].cfwFailedCode === "CFW.00200005",
            "CFW: allowFailure recorded the failure instead of failing",
        );
    } finally {
        workspace.dispose();
    }
}

/** A writer that prints each complete line of what it is given behind `prefix`. */
function indented(prefix: string): (text: string) => void {
    let pending = "";
    return (text) => {
        const lines = (pending + text).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) console.log(`${prefix}${line}`);
    };
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
