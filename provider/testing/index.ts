/**
 * Testing tools for programs that use `JobWaiter` or `waitForJob`, with no cloud account: a
 * local emulator of the Huawei job APIs, and a stack of the real Pulumi CLI on a local backend
 * (`createLocalStack`, over `@pulumi/pulumi/automation`).
 *
 * @packageDocumentation
 */

export * from "./emulator";
export * from "./localStack";
