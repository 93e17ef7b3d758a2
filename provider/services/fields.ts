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
 * Normalise a time to ISO 8601 UTC (`2022-11-09T20:25:00.000Z`).
 *
 * Accepts `2022-11-09T20:25:00` (no zone: read as UTC, which is what DWS returns), `...Z`,
 * `...+0000` / `...+0800` (offset without colon, as DDM and CFW document), `...+08:00`,
 * a space instead of `T`, and epoch numbers or numeric strings (milliseconds, or seconds when
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
        const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
        if (!m) return undefined;
        const zone = m[3] === undefined ? "Z" : m[3].toUpperCase() === "Z" ? "Z" : m[3].replace(/^([+-]\d{2}):?(\d{2})$/, "$1:$2");
        ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
    } else {
        return undefined;
    }
    if (!Number.isFinite(ms)) return undefined;
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Read a dotted path (`"data.status"`) from a JSON value; `undefined` when any step is missing. */
export function readPath(body: unknown, path: string): unknown {
    let current: unknown = body;
    for (const key of path.split(".")) {
        if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
        current = (current as Record<string, unknown>)[key];
    }
    return current;
}

/** A non-empty trimmed string, or `undefined` for anything else (numbers are rendered as text). */
export function optionalText(value: unknown): string | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value !== "string") return undefined;
    const s = value.trim();
    return s === "" ? undefined : s;
}
