/**
 * pulumi-huaweicloud-jobwaiter: wait for Huawei Cloud asynchronous jobs, as a library
 * (`waitForJob`, `getJobStatus`) or as a Pulumi dynamic resource (`JobWaiter`). What this entry
 * exports is the whole public surface; every other module is internal.
 *
 * @packageDocumentation
 */

export { ConfigError, JobApiError, JobCancelledError, JobFailedError, JobTimeoutError, JobWaiterError, NoRequestSlotError } from "./errors";
export type { JobWaiterErrorCode } from "./errors";
export { waitForJob, getJobStatus } from "./waiter";
export type { WaitForJobOptions, CompletedJob } from "./waiter";
export { SERVICE_KINDS } from "./services";
export type { ServiceKind, JobState, JobStatus } from "./services";
export { JobWaiter } from "./resource/jobWaiter";
export type { JobWaiterArgs } from "./resource/jobWaiter";
export { progressAwarePolicy, createProgressAwarePolicy } from "./polling/policy";
export type { PollPolicy, PollBounds, PolicyTuning } from "./polling/policy";
export { PollNotSent, pollUntilTerminal } from "./polling/loop";
export type { PollOutcome, RetryUpdate, StatusUpdate } from "./polling/loop";
export { VirtualClock } from "./polling/clock";
