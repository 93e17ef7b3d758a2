/**
 * Every error class is built from one object of named fields, keeps them as properties, has its
 * stable code, and says in its message what happened and what to do next.
 */
import { expect } from "chai";
import { ConfigError, JobApiError, JobCancelledError, JobFailedError, JobTimeoutError, JobWaiterError, NoRequestSlotError } from "../../provider/errors";
import type { JobStatus } from "../../provider/services/types";

const failed: JobStatus = {
    service: "dws",
    jobId: "j1",
    jobName: "create",
    state: "failed",
    status: "FAIL",
    statusRecognised: true,
    failedCode: "DWS.0114",
    failedDetail: "no ELB.",
};

const CASES: [JobWaiterError, string, Record<string, unknown>, RegExp][] = [
    [
        new ConfigError({ field: "jobId", value: '""', allowed: "a non-empty ID" }),
        "CONFIG_INVALID",
        { field: "jobId", value: '""', allowed: "a non-empty ID" },
        /^Invalid jobId: "". Allowed: a non-empty ID\.$/,
    ],
    [
        new JobFailedError({ status: failed, polls: 3 }),
        "JOB_FAILED",
        { status: failed, polls: 3, jobId: "j1", failedCode: "DWS.0114", failedDetail: "no ELB." },
        /^dws job j1 \(create\) failed with status "FAIL": DWS\.0114: no ELB\. Fix the cause/,
    ],
    [
        new JobFailedError({ status: { ...failed, failedCode: undefined, failedDetail: undefined } }),
        "JOB_FAILED",
        { polls: 0 },
        /the service gave no failure reason/,
    ],
    [
        new JobTimeoutError({
            jobId: "j1",
            elapsedMs: 1500,
            polls: 2,
            lastStatus: { ...failed, state: "running", status: "RUNNING", progress: 40 },
            timeoutSeconds: 1,
        }),
        "JOB_TIMEOUT",
        { jobId: "j1", elapsedMs: 1500, polls: 2, timeoutSeconds: 1 },
        /^Timed out after 1\.5 s \(timeoutSeconds=1\) waiting for job j1: 2 poll\(s\), last status "RUNNING" at 40%\. The job may still be running/,
    ],
    [
        new JobApiError({ jobId: "j1", httpStatus: 403, errorCode: "DWS.0003", errorMsg: "denied", requestId: "r1", hint: "Check permissions." }),
        "JOB_API_ERROR",
        { jobId: "j1", httpStatus: 403, errorCode: "DWS.0003", errorMsg: "denied", requestId: "r1", hint: "Check permissions." },
        /^Job API error for job j1 \(HTTP 403\): DWS\.0003: denied \[request id r1\]\. Check permissions\.$/,
    ],
    [
        new JobApiError({ jobId: "j1", networkCode: "ECONNRESET", networkMessage: "socket hang up", hint: "Retrying." }),
        "JOB_API_ERROR",
        { networkCode: "ECONNRESET", networkMessage: "socket hang up", httpStatus: undefined, errorCode: undefined },
        /^Job API error for job j1: no HTTP answer \(ECONNRESET: socket hang up\)\. Retrying\.$/,
    ],
    [
        new NoRequestSlotError({ jobId: "j1", origin: "https://dws.example.com", maxRequestsPerSecond: 2 }),
        "NO_REQUEST_SLOT",
        { jobId: "j1", origin: "https://dws.example.com", maxRequestsPerSecond: 2 },
        /^No request for job j1 could be sent before the deadline: .*https:\/\/dws\.example\.com \(maxRequestsPerSecond=2\).*Wait on fewer jobs/,
    ],
    [
        new JobCancelledError({ jobId: "j1", reason: "received SIGINT", polls: 4 }),
        "JOB_CANCELLED",
        { jobId: "j1", reason: "received SIGINT", polls: 4 },
        /^Stopped waiting for job j1 \(received SIGINT\) after 4 poll\(s\)\..*resume waiting/,
    ],
];

describe("errors: built from named fields", () => {
    for (const [error, code, fields, message] of CASES) {
        it(`${error.name} (${code})`, () => {
            expect(error).to.be.instanceOf(JobWaiterError);
            expect(error.code).to.equal(code);
            expect(error.name).to.equal(error.constructor.name);
            for (const [key, value] of Object.entries(fields)) expect((error as unknown as Record<string, unknown>)[key], key).to.deep.equal(value);
            expect(error.message).to.match(message);
        });
    }
});
