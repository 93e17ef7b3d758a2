/**
 * Every service kind through `waitForJob` against the emulator on loopback, signed with AK/SK:
 * success and failure of each, batches with failed sub-jobs, the resource IDs a dependent resource
 * chains on, query-string job IDs and instance-scoped tasks.
 */
import { expect } from "chai";
import { JobFailedError } from "../../provider/errors";
import { EMULATED_SERVICES, EmulatedJobDefinition, EmulatedService, JobApiEmulator } from "../../provider/testing/emulator";
import type { JobStatus } from "../../provider/services/types";
import { waitForJob, WaitForJobOptions } from "../../provider/waiter";

const AK = "EMULATORAK0000000013";
const SK = "emulator-secret-key-do-not-leak-0013";
const PROJECT = "05f2cff45100d5112f4bc00b794ea08e";
const INSTANCE = "instance-1";
const INSTANCE_KINDS: readonly string[] = ["roma", "dms"];

describe("every kind against the emulator", function () {
    this.timeout(20_000);
    let emu: JobApiEmulator;

    before(async () => {
        // Unsigned requests are served too (the probe below), signed ones are still verified.
        emu = await JobApiEmulator.start({ accessKeys: { [AK]: SK }, requireAuth: false });
    });
    after(async () => emu.close());

    function define(def: Partial<EmulatedJobDefinition> & Pick<EmulatedJobDefinition, "service">): string {
        return emu.defineJob({
            projectId: PROJECT,
            instanceId: INSTANCE_KINDS.includes(def.service) ? INSTANCE : undefined,
            durationMs: 150,
            outcome: "succeeded",
            ...def,
        });
    }

    function options(service: string, jobId: string): WaitForJobOptions {
        return {
            service,
            jobId,
            projectId: PROJECT,
            instanceId: INSTANCE_KINDS.includes(service) ? INSTANCE : undefined,
            endpoint: emu.endpoint,
            allowInsecureLoopback: true,
            accessKey: AK,
            secretKey: SK,
            env: {},
            timeoutSeconds: 10,
            minPollIntervalSeconds: 0.02,
            maxPollIntervalSeconds: 0.05,
        };
    }

    for (const service of EMULATED_SERVICES) {
        it(`${service}: waits for success, recognising every status on the way`, async () => {
            const jobId = define({ service });
            // The loop ignores what onProgress throws: collect, then assert.
            const seen: JobStatus[] = [];
            const done = await waitForJob({ ...options(service, jobId), onProgress: (s) => seen.push(s) });
            expect(done.state).to.equal("succeeded");
            expect(seen, "progress callbacks").to.not.be.empty;
            for (const s of seen) expect(s.statusRecognised, s.status).to.equal(true);
            expect(emu.requests.filter((r) => r.jobId === jobId).every((r) => r.auth.via === "aksk" && r.auth.authenticated)).to.equal(true);
        });

        it(`${service}: a failed job fails the wait with a JobFailedError`, async () => {
            const jobId = define({ service, outcome: "failed" });
            const error = await waitForJob(options(service, jobId)).then(
                () => undefined,
                (e: unknown) => e,
            );
            expect(error).to.be.instanceOf(JobFailedError);
            expect((error as JobFailedError).status.state).to.equal("failed");
            expect((error as JobFailedError).message).to.contain(jobId);
        });
    }

    const CHAINED: { service: EmulatedService; ids: (r: string[]) => string[] }[] = [
        { service: "ecs", ids: (r) => r },
        { service: "bms", ids: (r) => r },
        { service: "evs", ids: (r) => r },
        { service: "cce", ids: (r) => r },
        { service: "elb", ids: (r) => r },
        { service: "ims", ids: (r) => r.slice(0, 1) },
        { service: "cbr", ids: (r) => r.slice(0, 1) },
    ];
    for (const { service, ids } of CHAINED) {
        it(`${service}: the resource IDs the job produced are in resourceIds`, async () => {
            const resourceIds = ["res-a", "res-b", "res-c"];
            const jobId = define({ service, subJobs: 3, resourceIds });
            const done = await waitForJob(options(service, jobId));
            expect(done.resourceIds).to.include.members(ids(resourceIds));
        });
    }

    for (const service of ["ecs", "bms", "evs", "eip", "cce", "elb", "sfsturbo"] as const) {
        it(`${service}: a batch with failed sub-jobs names each failed one and why`, async () => {
            const jobId = define({ service, subJobs: 4, failedSubJobs: 2, outcome: "failed", failedDetail: "quota exceeded" });
            const error = (await waitForJob(options(service, jobId)).catch((e: unknown) => e)) as JobFailedError;
            expect(error).to.be.instanceOf(JobFailedError);
            for (const n of [3, 4]) expect(error.message).to.contain(`sub-job ${jobId}-${n}`);
            expect(error.message).to.not.contain(`sub-job ${jobId}-2`);
            expect(error.message).to.match(/quota exceeded/);
            expect(error.status.subJobs!.map((s) => s.state)).to.deep.equal(["succeeded", "succeeded", "failed", "failed"]);
        });
    }

    it("RDS: the job ID travels in the query; another ID there is not the job", async () => {
        const jobId = define({ service: "rds" });
        await waitForJob(options("rds", jobId));
        const paths = emu.requests.filter((r) => r.jobId === jobId).map((r) => r.path);
        expect(new Set(paths)).to.deep.equal(new Set([`/v3/${PROJECT}/jobs`]));
        const other = await fetch(`${emu.endpoint}/v3/${PROJECT}/jobs?id=not-${jobId}`);
        expect(other.status).to.equal(404);
    });
});
