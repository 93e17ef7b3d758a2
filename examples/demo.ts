/**
 * `npm run demo`: the whole package on an embedded default, no cloud account needed.
 *
 * 1. Starts the local emulator of the Huawei job APIs on 127.0.0.1 (AK/SK signatures verified).
 * 2. As a library: waits on a job of every kind, prints progress and final outputs, and shows
 *    the failure message of a failing DWS job (failed_code / failed_detail).
 * 3. As a Pulumi resource: deploys the examples/ programs through the real dynamic-provider
 *    host of @pulumi/pulumi (driven over gRPC by the engine harness, since the Pulumi CLI cannot
 *    be installed here), shows a dependent resource receiving the waiter's outputs, and a
 *    failing job failing the deployment.
 *
 * Exits non-zero if anything does not behave as described.
 */
import * as path from "node:path";
import { JobFailedError, waitForJob } from "pulumi-huaweicloud-jobwaiter";
import { deploy, DeployResult, findResource, revealSecrets } from "pulumi-huaweicloud-jobwaiter/testing";
import { JobApiEmulator } from "pulumi-huaweicloud-jobwaiter/testing";

const ACCESS_KEY = "DEMOACCESSKEY0000001";
const SECRET_KEY = "demo-secret-key-never-printed-0001";
const PROJECT = "05f2cff45100d5112f4bc00b794ea08e";
const ROMA_INSTANCE = "a48e43ff268f4c0e879652d65e63d0fb";
const PROJECT_NAME = "jobwaiter-examples";

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
        { service: "dws", jobId: emulator.defineJob({ service: "dws", projectId: PROJECT, durationMs: 4000, outcome: "succeeded", jobName: "createCluster", faults: [{ kind: "status", status: 503 }] }) },
        { service: "ddm", jobId: emulator.defineJob({ service: "ddm", projectId: PROJECT, durationMs: 3000, outcome: "succeeded", progress: "jumpy" }) },
        { service: "roma", instanceId: ROMA_INSTANCE, jobId: emulator.defineJob({ service: "roma", projectId: PROJECT, instanceId: ROMA_INSTANCE, durationMs: 3500, outcome: "succeeded", progress: "stuck90" }) },
        { service: "cfw", jobId: emulator.defineJob({ service: "cfw", projectId: PROJECT, durationMs: 2500, outcome: "succeeded", faults: [{ kind: "status", status: 429, retryAfter: "1" }] }) },
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
        console.log(`  done: ${r.service} ${r.jobId} → ${r.state} (${r.status}) in ${(r.waitedMs / 1000).toFixed(1)} s, ${r.polls} polls, endTime ${r.endTime ?? "-"}${extra}`);
    }
    check(results.every((r) => r.state === "succeeded"), "every kind reached success (through a 503 and a 429 with Retry-After)");

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
    check(error instanceof JobFailedError && error.failedCode === "CreateELBTask-fail:DWS.0114", "the failing DWS job rejects with JobFailedError and its failed_code");
}

async function pulumiPart(emulator: JobApiEmulator): Promise<void> {
    console.log("\n== 2. JobWaiter through the real Pulumi dynamic-provider host ==");
    const root = path.resolve(__dirname, "..", "..");
    const program = (name: string) => path.join(root, "dist", "examples", name, "index.js");
    const config = (extra: Record<string, string>) => ({
        [`${PROJECT_NAME}:endpoint`]: emulator.endpoint,
        [`${PROJECT_NAME}:allowInsecureLoopback`]: "true",
        [`${PROJECT_NAME}:minPollIntervalSeconds`]: "0.2",
        [`${PROJECT_NAME}:maxPollIntervalSeconds`]: "2",
        "huaweicloud:projectId": PROJECT,
        "huaweicloud:accessKey": ACCESS_KEY,
        "huaweicloud:secretKey": SECRET_KEY,
        ...extra,
    });
    const run = (name: string, extra: Record<string, string>) =>
        deploy({
            program: program(name),
            project: PROJECT_NAME,
            stack: "demo",
            config: config(extra),
            secretConfig: ["huaweicloud:secretKey"],
            hostCwd: root,
            isolateHostEnv: true,
            timeoutMs: 90_000,
        });

    const dwsJob = emulator.defineJob({ service: "dws", projectId: PROJECT, durationMs: 5000, outcome: "succeeded", jobName: "createDwsCluster" });
    console.log(`  pulumi up examples/dws-cluster (dwsJobId=${dwsJob}) ...`);
    const up = await run("dws-cluster", { [`${PROJECT_NAME}:dwsJobId`]: dwsJob });
    report(up);
    check(up.ok, "the DWS deployment succeeded");
    const record = findResource(up.state, "dws-cluster-ready");
    const { __provider: _serialized, ...recordInputs } = record ? (revealSecrets(up.state, record.inputs) as Record<string, unknown>) : {};
    console.log(`  dependent resource dws-cluster-ready received: ${JSON.stringify(recordInputs)}`);
    check(recordInputs.status === "SUCCESS" && typeof recordInputs.finishedAt === "string", "the dependent resource received the waiter's status and endTime");
    check(!JSON.stringify(up.state).includes(SECRET_KEY), "the state holds no clear-text secret key");

    const failing = emulator.defineJob({
        service: "dws",
        projectId: PROJECT,
        durationMs: 2000,
        outcome: "failed",
        jobName: "ecfClusterElbCreateJob",
        failedCode: "CreateELBTask-fail:DWS.0114",
        failedDetail: "DWS.0114:ELB private IP is not configured.",
    });
    console.log(`\n  pulumi up examples/dws-cluster with a failing job (${failing}) ...`);
    const down = await run("dws-cluster", { [`${PROJECT_NAME}:dwsJobId`]: failing });
    report(down);
    check(!down.ok && (down.error ?? "").includes("CreateELBTask-fail:DWS.0114"), "the failing job failed the deployment with its failed_code");
    check(findResource(down.state, "dws-cluster-ready") === undefined, "nothing that depends on the failed job was created");

    const ddmJob = emulator.defineJob({ service: "ddm", projectId: PROJECT, durationMs: 2000, outcome: "succeeded" });
    const romaJob = emulator.defineJob({ service: "roma", projectId: PROJECT, instanceId: ROMA_INSTANCE, durationMs: 2000, outcome: "succeeded" });
    const cfwJob = emulator.defineJob({ service: "cfw", projectId: PROJECT, durationMs: 2000, outcome: "failed", failedCode: "CFW.00200005", failedDetail: "rule conflict" });
    console.log("\n  pulumi up examples/ddm-instance, roma-asset-export, cfw-job (allowFailure) ...");
    const [ddm, roma, cfw] = await Promise.all([
        run("ddm-instance", { [`${PROJECT_NAME}:ddmJobId`]: ddmJob }),
        run("roma-asset-export", { [`${PROJECT_NAME}:romaJobId`]: romaJob, [`${PROJECT_NAME}:romaInstanceId`]: ROMA_INSTANCE }),
        run("cfw-job", { [`${PROJECT_NAME}:cfwJobId`]: cfwJob }),
    ]);
    for (const [name, r] of [["ddm-instance", ddm], ["roma-asset-export", roma], ["cfw-job", cfw]] as const) {
        console.log(`  ${name}: ${r.ok ? "succeeded" : `FAILED: ${r.error}`}; outputs ${JSON.stringify(r.outputs)}`);
    }
    check(ddm.ok && typeof (ddm.outputs.ddmInstance as { id?: string } | undefined)?.id === "string", "DDM: the instance output chained");
    check(roma.ok && typeof roma.outputs.romaArchiveId === "string", "ROMA: the archive ID output chained");
    check(cfw.ok && cfw.outputs.cfwState === "failed" && cfw.outputs.cfwFailedCode === "CFW.00200005", "CFW: allowFailure recorded the failure instead of failing");
}

function report(result: DeployResult): void {
    for (const line of result.hostStderr.split("\n").filter((l) => l.startsWith("jobwaiter"))) console.log(`    | ${line}`);
    console.log(`  ${result.ok ? "deployment succeeded" : `deployment FAILED: ${result.error}`} (${(result.durationMs / 1000).toFixed(1)} s)`);
    console.log(`  operations: ${result.operations.map((o) => `${o.op} ${o.urn.split("::").pop()}`).join(", ") || "none"}`);
    if (result.ok) console.log(`  stack outputs: ${JSON.stringify(result.outputs)}`);
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
