/**
 * The examples project's entry point (`main` in Pulumi.yaml): runs the example named by the stack
 * config `jobwaiter-examples:example` — `dws-cluster` (default), `ddm-instance`,
 * `roma-asset-export`, `cfw-job` or `ecs-server` — and exports what it exports. Use one stack per example.
 */
import * as pulumi from "@pulumi/pulumi";

/** The example programs under `examples/`. */
const EXAMPLES = ["dws-cluster", "ddm-instance", "roma-asset-export", "cfw-job", "ecs-server"];

const name = new pulumi.Config().get("example") ?? "dws-cluster";
if (!EXAMPLES.includes(name)) {
    throw new Error(`Invalid jobwaiter-examples:example: ${JSON.stringify(name)}. Allowed: ${EXAMPLES.join(", ")} (one stack per example).`);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the example is chosen at run time, and `export =` of a dynamic module needs require
export = require(`./${name}`) as Record<string, unknown>;
