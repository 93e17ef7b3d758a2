/**
 * Statistics and printing helpers of the benchmarks. (The fault storm and the emulator host they
 * run are test machinery: test/support/storm.ts.)
 *
 * @packageDocumentation
 */

/** The q-quantile (0–1) of `values` (nearest rank); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
    if (values.length === 0) return NaN;
    const s = [...values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Most events in any window [t, t + windowMs) over the sorted times `at`. */
export function maxInWindow(sortedAt: readonly number[], windowMs: number): { count: number; from: number } {
    let best = { count: 0, from: NaN };
    let lo = 0;
    for (let hi = 0; hi < sortedAt.length; hi++) {
        while (sortedAt[hi] - sortedAt[lo] >= windowMs) lo++;
        if (hi - lo + 1 > best.count) best = { count: hi - lo + 1, from: sortedAt[lo] };
    }
    return best;
}

/** Print rows as an aligned Markdown table. */
export function printTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
    const cells = [header, ...rows].map((row) => row.map(String));
    const widths = header.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? "").length)));
    const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(" | ")} |`;
    console.log(line(cells[0]));
    console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
    for (const row of cells.slice(1)) console.log(line(row));
}

/** A number with `digits` decimals, or "n/a". */
export function fmt(x: number, digits = 0): string {
    return Number.isFinite(x) ? x.toFixed(digits) : "n/a";
}

/** `--name value` from argv as a number, or `fallback`. */
export function numberArg(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const value = Number(process.argv[i + 1]);
    if (!Number.isFinite(value)) throw new Error(`--${name} needs a number, got ${process.argv[i + 1]}`);
    return value;
}

/**
 * J (ms) of looks at `pollsMs` on a job that ends at `endMs`, at `callCostMs` per look: every look up
 * to the first at or after the end, plus that look's lag; NaN when no look is.
 */
export function costAtEnd(pollsMs: readonly number[], endMs: number, callCostMs: number): number {
    const k = pollsMs.findIndex((t) => t >= endMs);
    return k < 0 ? Number.NaN : callCostMs * (k + 1) + pollsMs[k] - endMs;
}
