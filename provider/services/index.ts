/**
 * The registry of service kinds and the job path builder.
 *
 * @packageDocumentation
 */

import { ConfigError } from "../errors";
import { bms } from "./bms";
import { cbr } from "./cbr";
import { cce } from "./cce";
import { cfw } from "./cfw";
import { dcs } from "./dcs";
import { ddm } from "./ddm";
import { dds } from "./dds";
import { dms } from "./dms";
import { dws } from "./dws";
import { ecs } from "./ecs";
import { eip } from "./eip";
import { elb } from "./elb";
import { evs } from "./evs";
import { ims } from "./ims";
import { opengauss } from "./opengauss";
import { rds } from "./rds";
import { roma } from "./roma";
import { sfsturbo } from "./sfsturbo";
import { taurusdb } from "./taurusdb";
import { PathId, SERVICE_KINDS, ServiceAdapter, ServiceKind } from "./types";

export * from "./types";
export { parseProgress, parseTime } from "./fields";

/** Every adapter, by kind. */
export const SERVICES: Readonly<Record<ServiceKind, ServiceAdapter>> = {
    dws,
    ddm,
    roma,
    cfw,
    ecs,
    evs,
    bms,
    eip,
    ims,
    cce,
    rds,
    dds,
    taurusdb,
    opengauss,
    dcs,
    elb,
    cbr,
    sfsturbo,
    dms,
};

/** The kinds whose job path needs an ID besides the project and job IDs, by ID. */
export function kindsNeeding(id: PathId): ServiceKind[] {
    return SERVICE_KINDS.filter((kind) => SERVICES[kind].requiredIds.includes(id));
}

/** The adapter of a kind; `ConfigError` naming the valid kinds for anything else. */
export function getService(kind: unknown): ServiceAdapter {
    if (typeof kind === "string" && (SERVICE_KINDS as readonly string[]).includes(kind)) {
        return SERVICES[kind as ServiceKind];
    }
    throw new ConfigError({ field: "service", value: printable(kind), allowed: `one of ${SERVICE_KINDS.map((k) => `"${k}"`).join(", ")}` });
}

/** The IDs that go into a job path. */
export type JobPathIds = { jobId: string } & Partial<Record<PathId, string>>;

const INPUT_NAMES: Record<string, keyof JobPathIds> = {
    project_id: "projectId",
    instance_id: "instanceId",
    job_id: "jobId",
};

/**
 * Fill a service's path template. Every ID is URL-encoded as one path segment (or one query
 * value, for the kinds that take the job ID as `?id=`), so a job ID like `../x` or `a?b=c` can
 * never change the request path or add a query parameter.
 * A missing required ID is a `ConfigError` naming the field and the kind that needs it.
 */
export function buildJobPath(service: ServiceAdapter, ids: JobPathIds): string {
    return service.pathTemplate.replace(/\{(\w+)\}/g, (_, placeholder: string) => {
        const field = INPUT_NAMES[placeholder];
        const value = ids[field];
        if (typeof value !== "string" || value === "") {
            throw new ConfigError({
                field,
                value: printable(value),
                allowed: `a non-empty string: the "${service.kind}" service needs ${["jobId", ...service.requiredIds].join(", ")}`,
            });
        }
        if (value === "." || value === "..") {
            // URL normalisation removes such segments (even as %2E%2E): they would change the path.
            throw new ConfigError({ field, value: printable(value), allowed: 'an ID other than "." or ".." (they would change the request path)' });
        }
        return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    });
}

/** Render any value for an error message: quoted, truncated to 80 characters. */
export function printable(value: unknown): string {
    if (value === undefined) return "(missing)";
    // JSON writes NaN and ±Infinity as null: `Number(unsetConfig)` must show as what it is.
    if (typeof value === "number" && !Number.isFinite(value)) return String(value);
    if (typeof value === "string") {
        return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…(${value.length} chars)` : value);
    }
    try {
        const text = JSON.stringify(value) ?? String(value);
        return text.length > 80 ? `${text.slice(0, 80)}…` : text;
    } catch {
        return String(value);
    }
}
