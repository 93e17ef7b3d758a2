/**
 * Hostile job-API answers for tests: the documented body of each kind as the emulator renders it,
 * with every string (but the status) replaced by a payload a hostile server might send.
 */
import { SERVICE_KINDS, ServiceKind } from "../../provider/services";
import { EMULATED_SERVICES, EmulatedService, JobApiEmulator } from "../../provider/testing/emulator";

/** Any control, escape or invisible format character, or a line/paragraph separator. */
export const UNSAFE_CHARACTER = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Bytes of a secret this long, found in any decoding of a text, count as a leak of it. */
export const LEAK_BYTES = 4;

/**
 * Whether any base64 (either alphabet) or hex run in `text` (also with its white space taken out),
 * decoded from any starting character, holds {@link LEAK_BYTES} consecutive bytes of `secret`: the oracle for redaction of encoded
 * secrets, written without the redaction's own construction.
 */
export function leaksEncoded(text: string, secret: string): boolean {
    const bytes = Buffer.from(secret, "utf8");
    const windows: Buffer[] = [];
    for (let i = 0; i + LEAK_BYTES <= bytes.length; i++) windows.push(bytes.subarray(i, i + LEAK_BYTES));
    const holds = (decoded: Buffer) => windows.some((w) => decoded.includes(w));
    // As sent, and with all white space taken out (encoded text wrapped into lines or grouped).
    for (const variant of [text, text.replace(/\s+/g, "")]) {
        for (const run of variant.match(/[A-Za-z0-9+/_-]{6,}/g) ?? []) {
            for (let start = 0; start < 4; start++) if (holds(Buffer.from(run.slice(start).replace(/-/g, "+").replace(/_/g, "/"), "base64"))) return true;
        }
        for (const run of variant.match(/[0-9a-fA-F]{8,}/g) ?? []) {
            for (let start = 0; start < 2; start++) if (holds(Buffer.from(run.slice(start).slice(0, (run.length - start) & ~1), "hex"))) return true;
        }
    }
    return false;
}

/** Replace every string in `value` with `payload`, except the ones equal to `keep`. */
export function poison(value: unknown, payload: string, keep: string | undefined): unknown {
    if (typeof value === "string") return value === keep ? value : payload;
    if (Array.isArray(value)) return value.map((item) => poison(item, payload, keep));
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, payload, keep)]));
}

/** Every string in a value, at any depth. */
export function strings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value === null || typeof value !== "object") return [];
    return Object.values(value).flatMap(strings);
}

/** The kinds the emulator cannot render (each should be none). */
export function kindsWithoutBodies(): ServiceKind[] {
    return SERVICE_KINDS.filter((kind) => !(EMULATED_SERVICES as readonly string[]).includes(kind));
}

/** The documented bodies the emulator renders, by `<kind>/<outcome>`, for jobs of `projectId` (and `instanceId`). */
export async function documentedBodies(projectId: string, instanceId: string): Promise<Map<string, unknown>> {
    const token = "emulator-token-for-bodies";
    const emulator = await JobApiEmulator.start({ tokens: [token] });
    const documented = new Map<string, unknown>();
    try {
        for (const kind of SERVICE_KINDS) {
            if (!(EMULATED_SERVICES as readonly string[]).includes(kind)) continue;
            for (const outcome of ["failed", "succeeded"] as const) {
                const jobId = emulator.defineJob({ service: kind as EmulatedService, projectId, instanceId, durationMs: 0, outcome });
                const answer = await fetch(emulator.jobUrl(jobId), { headers: { "X-Auth-Token": token } });
                if (answer.status !== 200) throw new Error(`the emulator answered ${answer.status} for a ${outcome} ${kind} job`);
                documented.set(`${kind}/${outcome}`, await answer.json());
            }
        }
    } finally {
        await emulator.close();
    }
    return documented;
}
