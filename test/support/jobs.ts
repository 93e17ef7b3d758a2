/**
 * Where a test's emulated jobs live: its project, and the instance for the kinds whose job path has
 * one (ROMA, DMS), so that a job's definition and the waiter that looks for it agree.
 */
import { SERVICE_KINDS, SERVICES } from "../../provider/services";
import type { ServiceKind } from "../../provider/services";
import type { EmulatedJobDefinition } from "../../provider/testing/emulator";

/** A test's project, and the instance its jobs of instance-scoped kinds belong to. */
export interface JobHome {
    readonly projectId: string;
    readonly instanceId: string;
}

/** The instance `service`'s job path needs in `home`, or `undefined` (also for an unknown kind). */
export function instanceFor(home: JobHome, service: string): string | undefined {
    const known = (SERVICE_KINDS as readonly string[]).includes(service);
    return known && SERVICES[service as ServiceKind].requiredIds.includes("instanceId") ? home.instanceId : undefined;
}

/** A job in `home` that succeeds after `durationMs`, with `def` on top. */
export function jobIn(home: JobHome, durationMs: number, def: Partial<EmulatedJobDefinition> & Pick<EmulatedJobDefinition, "service">): EmulatedJobDefinition {
    return { projectId: home.projectId, instanceId: instanceFor(home, def.service), durationMs, outcome: "succeeded", ...def };
}
