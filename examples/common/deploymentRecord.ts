/**
 * A stand-in for "the resource that depends on the job": it records the inputs it was given
 * (the waiter's outputs), so the examples show outputs chaining into a dependent resource
 * without needing a second cloud provider. In a real stack this is e.g. a DWS database user,
 * an ELB listener or a DDM schema.
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of a {@link DeploymentRecord}: anything, recorded verbatim. */
export type DeploymentRecordArgs = Record<string, pulumi.Input<unknown>>;

const recordProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Record<string, unknown>) {
        return { id: `record-${String(inputs.jobId ?? "none")}`, outs: inputs };
    },
    async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { outs: news };
    },
};

/** Records the values it receives. */
export class DeploymentRecord extends pulumi.dynamic.Resource {
    constructor(name: string, args: DeploymentRecordArgs, opts?: pulumi.CustomResourceOptions) {
        super(recordProvider, name, args, opts, "examples", "DeploymentRecord");
    }

    /** The value this resource recorded for input `key` (what it received, from its own state). */
    recorded(key: string): pulumi.Output<unknown> {
        return (this as unknown as Record<string, pulumi.Output<unknown>>)[key];
    }
}
