/**
 * Small building blocks of the emulator: a seeded PRNG, a bounded ring buffer for the request log,
 * per-job fault queues, and validation of fault specs.
 *
 * @packageDocumentation
 */

import { ConfigError } from "../../errors";
import type { FaultKind, FaultSpec, RandomFaults } from "./types";

/**
 * Mulberry32: a tiny, fast, seeded PRNG. Returns a function giving floats in [0, 1); the same seed
 * always gives the same sequence.
 */
export function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** A fixed-capacity FIFO: pushing past capacity drops the oldest item. */
export class RingBuffer<T> {
    private readonly items: (T | undefined)[];
    private start = 0;
    private size = 0;

    constructor(
        /** Maximum number of items kept, ≥ 1. */
        readonly capacity: number,
    ) {
        this.items = new Array<T | undefined>(capacity);
    }

    /** Number of items held. */
    get length(): number {
        return this.size;
    }

    /** Append `item`, dropping the oldest one when full. */
    push(item: T): void {
        if (this.size < this.capacity) {
            this.items[(this.start + this.size) % this.capacity] = item;
            this.size++;
        } else {
            this.items[this.start] = item;
            this.start = (this.start + 1) % this.capacity;
        }
    }

    /** The items, oldest first, as a new array. */
    toArray(): T[] {
        const out: T[] = new Array<T>(this.size);
        for (let i = 0; i < this.size; i++) out[i] = this.items[(this.start + i) % this.capacity] as T;
        return out;
    }

    /** Remove every item. */
    clear(): void {
        this.items.fill(undefined);
        this.start = 0;
        this.size = 0;
    }
}

/** The faults scheduled on one job, consumed in order. */
export class FaultQueue {
    private readonly queue: { fault: FaultKind; left: number }[];

    constructor(specs: readonly FaultSpec[]) {
        this.queue = specs.map((spec) => {
            const { count, ...fault } = spec;
            return { fault: fault as FaultKind, left: count ?? 1 };
        });
    }

    /** The fault for the next request, or undefined when none is left. Consumes one use. */
    take(): FaultKind | undefined {
        const head = this.queue[0];
        if (!head) return undefined;
        head.left--;
        if (head.left <= 0) this.queue.shift();
        return head.fault;
    }

    /** Faults still scheduled (a `count` of `Infinity` counts once). */
    get pending(): number {
        return this.queue.length;
    }
}

const STATUSES = new Set([400, 401, 403, 429, 500, 502, 503, 504]);
/** Longest `slow` delay accepted, ms. */
export const MAX_SLOW_DELAY_MS = 600_000;
/** Longest gap between two bytes of a `trickle` body, ms. */
export const MAX_TRICKLE_INTERVAL_MS = 60_000;

/** Throw a {@link ConfigError} unless `fault` is a valid {@link FaultKind}. `field` names it in the message. */
export function validateFault(fault: FaultKind, field: string): void {
    if (fault === null || typeof fault !== "object") throw new ConfigError({ field, value: String(fault), allowed: "a fault object" });
    switch (fault.kind) {
        case "status":
            if (!STATUSES.has(fault.status)) {
                throw new ConfigError({ field: `${field}.status`, value: String(fault.status), allowed: "400, 401, 403, 429, 500, 502, 503 or 504" });
            }
            if (fault.retryAfter !== undefined && (typeof fault.retryAfter !== "string" || /[\r\n]/.test(fault.retryAfter))) {
                throw new ConfigError({
                    field: `${field}.retryAfter`,
                    value: String(fault.retryAfter),
                    allowed: "delta-seconds or an HTTP-date, as a one-line string",
                });
            }
            if (fault.body !== undefined && fault.body !== "json" && fault.body !== "html") {
                throw new ConfigError({ field: `${field}.body`, value: String(fault.body), allowed: '"json" or "html"' });
            }
            return;
        case "slow":
            if (!Number.isFinite(fault.delayMs) || fault.delayMs < 0 || fault.delayMs > MAX_SLOW_DELAY_MS) {
                throw new ConfigError({
                    field: `${field}.delayMs`,
                    value: String(fault.delayMs),
                    allowed: `a number of milliseconds from 0 to ${MAX_SLOW_DELAY_MS}`,
                });
            }
            return;
        case "trickle":
            if (!Number.isFinite(fault.intervalMs) || fault.intervalMs < 1 || fault.intervalMs > MAX_TRICKLE_INTERVAL_MS) {
                throw new ConfigError({
                    field: `${field}.intervalMs`,
                    value: String(fault.intervalMs),
                    allowed: `a number of milliseconds from 1 to ${MAX_TRICKLE_INTERVAL_MS}`,
                });
            }
            return;
        case "drop":
        case "malformed":
        case "html":
            return;
        default:
            throw new ConfigError({
                field: `${field}.kind`,
                value: String((fault as { kind: unknown }).kind),
                allowed: '"status", "slow", "trickle", "drop", "malformed" or "html"',
            });
    }
}

/** Throw a {@link ConfigError} unless `spec` is a valid {@link FaultSpec}. */
export function validateFaultSpec(spec: FaultSpec, field: string): void {
    validateFault(spec, field);
    if (spec.count !== undefined && !(spec.count >= 1 && (Number.isInteger(spec.count) || spec.count === Infinity))) {
        throw new ConfigError({ field: `${field}.count`, value: String(spec.count), allowed: "an integer ≥ 1, or Infinity" });
    }
}

/** Throw a {@link ConfigError} unless `random` is valid. */
export function validateRandomFaults(random: RandomFaults): void {
    if (!(random.rate >= 0 && random.rate <= 1)) {
        throw new ConfigError({ field: "randomFaults.rate", value: String(random.rate), allowed: "a probability from 0 to 1" });
    }
    if (!Array.isArray(random.kinds) || random.kinds.length === 0) {
        throw new ConfigError({ field: "randomFaults.kinds", value: String(random.kinds), allowed: "a non-empty list of faults" });
    }
    random.kinds.forEach((k, i) => validateFault(k, `randomFaults.kinds[${i}]`));
    if (!Number.isFinite(random.seed)) {
        throw new ConfigError({ field: "randomFaults.seed", value: String(random.seed), allowed: "a finite number" });
    }
}
