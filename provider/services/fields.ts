/**
 * Pure normalisers for the field formats Huawei job APIs use: progress strings and fractions,
 * times with or without zones, epoch milliseconds.
 *
 * @packageDocumentation
 */

/** How a service expresses progress. `percent`: `"9%"`, `"60"`, `9`; `fraction`: `0.35` meaning 35 %. */
export type ProgressScale = "percent" | "fraction";

/**
 * Normalise a progress value to percent (0–100).
 *
 * - `"9%"`, `" 60 % "`, `"60"`, `60` → 9 / 60 with `percent` scale.
 * - `0.35` → 35 with `fraction` scale (ROMA documents `progress_percent` as Float, minimum 0,
 *   maximum 1). A fraction-scale value above 1 can only be a percentage and is read as one.
 * - `""`, `null`, `undefined`, non-numeric text, NaN → `undefined` (no progress reported).
 * - Results are clamped to 0–100 and rounded to two decimals.
 */
export function parseProgress(value: unknown, scale: ProgressScale): number | undefined {
    let n: number;
    if (typeof value === "number") {
        n = value;
    } else if (typeof value === "string") {
        const m = /^\s*(-?\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
        if (!m) return undefined;
        n = Number(m[1]);
        if (value.includes("%")) return clampPercent(n);
    } else {
        return undefined;
    }
    if (!Number.isFinite(n)) return undefined;
    if (scale === "fraction" && n <= 1) n *= 100;
    return clampPercent(n);
}

function clampPercent(n: number): number | undefined {
    if (!Number.isFinite(n)) return undefined;
    return Math.round(Math.min(100, Math.max(0, n)) * 100) / 100;
}

/** Epoch values below this are seconds, above it milliseconds (1e11 s is the year 5138). */
const EPOCH_SECONDS_LIMIT = 1e11;

/**
 * Date, time (seconds and fraction optional), then optionally a zone: `Z` or an offset, itself
 * optionally followed by a zone name (Go's `time.String()` prints `+0000 UTC`).
 */
const TIME_PATTERN = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d{1,9})?\s*(?:(Z)|([+-]\d{2}):?(\d{2})(?:\s+[A-Z]{1,5})?)?$/i;

/**
 * Normalise a time to ISO 8601 UTC (`2022-11-09T20:25:00.000Z`).
 *
 * Accepts `2022-11-09T20:25:00` (no zone: read as UTC, which is what DWS returns), `...Z`,
 * `...+0000` / `...+0800` (offset without colon, as DDM and CFW document), `...+08:00`,
 * a space instead of `T`, a space before the zone, Go's `time.String()` form with nanoseconds and
 * a zone name after the offset (`2020-02-02 08:12:40.672772389 +0000 UTC`, CCE: the offset decides,
 * the name is ignored), and epoch numbers or numeric strings (milliseconds, or seconds when
 * below 1e11). Anything else, including empty strings, gives `undefined`.
 */
export function parseTime(value: unknown): string | undefined {
    let ms: number;
    if (typeof value === "number") {
        if (!Number.isFinite(value) || value <= 0) return undefined;
        ms = value < EPOCH_SECONDS_LIMIT ? value * 1000 : value;
    } else if (typeof value === "string") {
        const s = value.trim();
        if (/^\d+$/.test(s)) return parseTime(Number(s));
        const m = TIME_PATTERN.exec(s);
        if (!m) return undefined;
        const zone = m[5] === undefined ? "Z" : `${m[5]}:${m[6]}`;
        // Date.parse reads milliseconds only: finer digits (Go sends nanoseconds) are cut.
        ms = Date.parse(`${m[1]}T${m[2]}${(m[3] ?? "").slice(0, 4)}${zone}`);
    } else {
        return undefined;
    }
    if (!Number.isFinite(ms)) return undefined;
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * One step of a field path: a key, optionally followed by `[N]` (the element at index N of the
 * array under the key) or `[]` (every element of that array).
 */
const PATH_STEP = /^([^[\]]+)(?:\[(\d*)\])?$/;

/**
 * Every value at a field path, in document order. A path is dotted keys (`"data.status"`); a key
 * may be followed by `[N]` (`"tasks[0].status"`) or by `[]`, which fans out over every element
 * (`"entities.sub_jobs[].entities.server_id"`). Missing steps, and `undefined`/`null` values, give
 * no value. An invalid path is a programming error and throws.
 */
export function readAll(body: unknown, path: string): unknown[] {
    let current: unknown[] = [body];
    for (const step of path.split(".")) {
        const m = PATH_STEP.exec(step);
        if (!m) throw new Error(`invalid field path ${JSON.stringify(path)}`);
        const next: unknown[] = [];
        for (const value of current) {
            if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
            const child = (value as Record<string, unknown>)[m[1]];
            if (m[2] === undefined) next.push(child);
            else if (!Array.isArray(child)) continue;
            // A loop, not a spread: a spread of a hostile array of ~10^5 items overflows the stack.
            else if (m[2] === "") for (const item of child) next.push(item);
            else next.push(child[Number(m[2])]);
        }
        current = next.filter((v) => v !== undefined && v !== null);
    }
    return current;
}

/** The first value at a field path (see {@link readAll}); `undefined` when there is none. */
export function readPath(body: unknown, path: string): unknown {
    return readAll(body, path)[0];
}

/** A non-empty trimmed string, or `undefined` for anything else (numbers are rendered as text). */
export function optionalText(value: unknown): string | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value !== "string") return undefined;
    const s = value.trim();
    return s === "" ? undefined : s;
}
