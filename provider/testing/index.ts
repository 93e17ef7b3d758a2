/**
 * Testing tools for programs that use `JobWaiter` or `waitForJob`, with no cloud account:
 * a local emulator of the Huawei job APIs, and an engine harness that deploys Pulumi programs
 * through the real dynamic-provider host of `@pulumi/pulumi`.
 *
 * @packageDocumentation
 */

export * from "./emulator";
export * from "./engine";
