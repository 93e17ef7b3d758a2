/**
 * pulumi-huaweicloud-jobwaiter: wait for Huawei Cloud asynchronous jobs, as a library
 * (`waitForJob`, `getJobStatus`) or as a Pulumi dynamic resource (`JobWaiter`).
 *
 * @packageDocumentation
 */

export * from "./errors";
export { SERVICE_KINDS, SERVICES, getService, buildJobPath, parseProgress, parseTime } from "./services";
export type { ServiceKind, JobState, JobStatus, JobInstance, SubJobStatus, ServiceAdapter } from "./services";
export { waitForJob, getJobStatus } from "./waiter";
export type { WaitForJobOptions, CompletedJob } from "./waiter";
export type { JobWaitSettings } from "./options";
export { progressAwarePolicy, createProgressAwarePolicy, estimateCompletionMs, estimateRemainingMs, forecastEnd, analyseProgress, DEFAULT_BOUNDS, DEFAULT_TUNING, DEFAULT_DURATION_PRIOR } from "./polling/policy";
export type { PollPolicy, PollObservation, PollBounds, PolicyTuning, ProgressSample, ProgressAnalysis, OutcomeClass, EndForecast } from "./polling/policy";
export { optimalSchedule, logUniformPrior, expectedCost } from "./polling/schedule";
export type { DurationPrior, InspectionSchedule } from "./polling/schedule";
export { pollUntilTerminal } from "./polling/loop";
export type { PollOutcome, PollLoopOptions, PollResult, StatusUpdate } from "./polling/loop";
export { systemClock, VirtualClock } from "./polling/clock";
export type { Clock } from "./polling/clock";
export { RequestBudget } from "./polling/budget";
export { JobWaiter } from "./resource/jobWaiter";
export type { JobWaiterArgs } from "./resource/jobWaiter";
