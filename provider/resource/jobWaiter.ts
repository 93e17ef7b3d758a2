/**
 * `JobWaiter`: a Pulumi dynamic resource that blocks in create until a Huawei Cloud job is
 * terminal, fails the deployment when the job fails, and exposes the final status as outputs.
 *
 * @packageDocumentation
 */

import * as pulumi from "@pulumi/pulumi";
import type { JobWaiterSettings } from "../options";
import { JobWaiterOutputProperties, OUTPUT_KEYS } from "./outputs";
import { jobWaiterProvider } from "./provider";
import { withSecretInputs } from "./secrets";

/**
 * Arguments of a {@link JobWaiter}: every setting (`SETTINGS` in options.ts), each a
 * `pulumi.Input`. Credentials are not arguments: stack config `huaweicloud:*` or `HW_*`. An
 * argument given as `pulumi.secret` is kept out of the provider's messages, lines and outputs,
 * with the limits secrets.ts describes.
 */
export type JobWaiterArgs = { [K in keyof JobWaiterSettings]: pulumi.Input<Exclude<JobWaiterSettings[K], undefined>> };

/** The outputs ({@link JobWaiterOutputProperties}, from `OUTPUTS`) as properties of the class. */
// Declaration merging adds the output properties' types and no class fields: an ES2022 class
// field would reset each to `undefined` after the Pulumi constructor has set it.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- merged on purpose, see above; its members come from the supertype
export interface JobWaiter extends JobWaiterOutputProperties {}

/** Waits for a Huawei Cloud job; its outputs (`OUTPUTS` in outputs.ts) describe the finished job. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class JobWaiter extends pulumi.dynamic.Resource {
    constructor(name: string, args: JobWaiterArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            jobWaiterProvider(),
            name,
            { ...Object.fromEntries(OUTPUT_KEYS.map((key) => [key, undefined])), ...withSecretInputs(args) },
            opts,
            "huaweicloud",
            "JobWaiter",
        );
    }
}
