/**
 * A shared request budget: every waiter in the process that calls the same endpoint draws from
 * one token bucket, so N concurrent waiters never exceed the configured rate together (two waiters
 * polling the same job share one request: `sharedRequest.ts`).
 *
 * Guarantee of {@link RequestBudget}: over any window of length `w` seconds, at most
 * `burst + ratePerSecond · w` acquisitions succeed (the standard token-bucket bound). The default
 * `burst = 1` makes the bucket smooth: at most `ratePerSecond + 1` calls in any one-second window,
 * which is what "N calls per second" means to the API on the other side. (A burst as large as the
 * rate would allow twice the rate in one second, and a pool of sockets queueing such a burst
 * pushes it into the next window as well.)
 *
 * @packageDocumentation
 */

import { ConfigError } from "../errors";
import { Clock, systemClock } from "./clock";

/** The bucket's default capacity: one token, so requests are spaced 1/rate apart. */
export const DEFAULT_BURST = 1;

/** Options of {@link RequestBudget}. */
export interface RequestBudgetOptions {
    /** Tokens added per second (> 0, finite). */
    ratePerSecond: number;
    /** Bucket capacity (≥ 1). Default {@link DEFAULT_BURST}. The bucket starts full. */
    burst?: number;
    /** Time source. Default {@link systemClock}. */
    clock?: Clock;
}

interface Waiter {
    resolve: () => void;
    reject: (reason: unknown) => void;
    cleanup: () => void;
}

/**
 * Token bucket: `ratePerSecond` tokens/s, capacity `burst`. {@link acquire} resolves when a token
 * is taken; callers are served strictly first-in first-out; an aborted caller leaves the queue at
 * once (rejected with `signal.reason`) without consuming a token.
 */
export class RequestBudget {
    private rate: number;
    private readonly burst: number;
    private readonly clock: Clock;
    private tokens: number;
    private updatedAt: number;
    private readonly queue: Waiter[] = [];
    private pumping = false;
    /** Ends the pump's current sleep early: the rate changed, or the queue emptied. */
    private wake?: AbortController;

    constructor(options: RequestBudgetOptions) {
        const { ratePerSecond } = options;
        checkRate(ratePerSecond);
        const burst = options.burst ?? DEFAULT_BURST;
        if (!(Number.isFinite(burst) && burst >= 1)) throw new ConfigError({ field: "burst", value: String(burst), allowed: "a finite number ≥ 1" });
        this.rate = ratePerSecond;
        this.burst = burst;
        this.clock = options.clock ?? systemClock;
        this.tokens = burst;
        this.updatedAt = this.clock.now();
    }

    /** Tokens added per second. */
    get ratePerSecond(): number {
        return this.rate;
    }

    /** Callers currently waiting for a token. */
    get waiting(): number {
        return this.queue.length;
    }

    /**
     * Change the rate from now on (tokens accrued so far are kept, at the old rate). Used by the
     * registry: the rate of a shared budget is the strictest among the waiters using it.
     */
    setRate(ratePerSecond: number): void {
        checkRate(ratePerSecond);
        this.refill();
        this.rate = ratePerSecond;
        this.wake?.abort(); // the pump recomputes its wait at the new rate
    }

    /**
     * Resolve when a token is taken (FIFO). Rejects with `signal.reason` if `signal` aborts first.
     *
     * A token is never granted in the caller's own synchronous turn: grants happen in a fresh
     * event-loop turn, and the caller's continuation (the request) runs right after its grant.
     * Otherwise tokens granted before a long synchronous stretch (say, starting 1,000 waiters)
     * would be sent after it together with the tokens refilled meanwhile, and the endpoint would
     * see more than `burst + rate × w` requests in a window `w`.
     */
    acquire(signal?: AbortSignal): Promise<void> {
        if (signal?.aborted) return Promise.reject(signal.reason);
        return new Promise<void>((resolve, reject) => {
            const waiter: Waiter = {
                resolve: () => {
                    waiter.cleanup();
                    resolve();
                },
                reject: (reason) => {
                    waiter.cleanup();
                    reject(reason);
                },
                cleanup: () => signal?.removeEventListener("abort", onAbort),
            };
            // Settling removes this listener first, so it runs only for a waiter still queued.
            const onAbort = () => {
                const i = this.queue.indexOf(waiter);
                if (i >= 0) this.queue.splice(i, 1);
                if (this.queue.length === 0) this.wake?.abort(); // nobody waits: no timer may keep the process alive
                waiter.reject(signal!.reason);
            };
            signal?.addEventListener("abort", onAbort, { once: true });
            this.queue.push(waiter);
            void this.pump();
        });
    }

    private refill(): void {
        const now = this.clock.now();
        const elapsed = now - this.updatedAt;
        if (elapsed > 0) {
            this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
            this.updatedAt = now;
        }
    }

    /** Serve the queue head whenever a token is available; sleep on the clock until then. */
    private async pump(): Promise<void> {
        if (this.pumping) return;
        this.pumping = true;
        try {
            await nextTurn();
            while (this.queue.length > 0) {
                this.refill();
                if (this.tokens >= 1) {
                    this.tokens -= 1;
                    this.queue.shift()!.resolve();
                    continue;
                }
                const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
                this.wake = new AbortController();
                await this.clock.sleep(waitMs, this.wake.signal).catch(() => undefined);
                this.wake = undefined;
            }
        } finally {
            this.pumping = false;
        }
    }
}

/** Resolve in a fresh event-loop turn (after I/O and timers already due). */
function nextTurn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}

function checkRate(ratePerSecond: number): void {
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
        throw new ConfigError({ field: "ratePerSecond", value: String(ratePerSecond), allowed: "a positive finite number" });
    }
}

/** A waiter's hold on its endpoint's shared budget. */
export interface BudgetLease {
    /** The budget shared by every waiter calling the endpoint. */
    readonly budget: RequestBudget;
    /** End the hold (idempotent): its rate stops counting towards the budget's. */
    release(): void;
}

/** One endpoint's budget and the rates asked by the waiters currently holding it. */
interface Registration {
    budget: RequestBudget;
    rates: number[];
}

const registry = new Map<string, Registration>();

/** The registry key of an endpoint: its URL origin (scheme://host:port), or the trimmed string. */
function originOf(endpoint: string): string {
    try {
        return new URL(endpoint).origin.toLowerCase();
    } catch {
        return endpoint.trim().toLowerCase();
    }
}

/**
 * Process-wide registry: one budget per endpoint origin, held by the waiters using it. While
 * several waiters hold it, it runs at the strictest rate any of them asked; when the strictest
 * one releases, the rate relaxes to the strictest remaining. A budget nobody holds keeps its
 * tokens (so a waiter starting right after another ended cannot add a burst) and takes the rate
 * of the next waiter. `clock` is used only when the budget is created (tests).
 */
export function leaseBudget(endpoint: string, ratePerSecond: number, clock?: Clock): BudgetLease {
    checkRate(ratePerSecond);
    const key = originOf(endpoint);
    let reg = registry.get(key);
    if (!reg) {
        reg = { budget: new RequestBudget({ ratePerSecond, clock }), rates: [] };
        registry.set(key, reg);
    }
    const held = reg;
    held.rates.push(ratePerSecond);
    held.budget.setRate(strictest(held.rates));
    let released = false;
    return {
        budget: held.budget,
        release() {
            if (released) return;
            released = true;
            held.rates.splice(held.rates.indexOf(ratePerSecond), 1);
            if (held.rates.length > 0) held.budget.setRate(strictest(held.rates));
        },
    };
}

function strictest(rates: number[]): number {
    return rates.reduce((a, b) => Math.min(a, b));
}

/** Forget every registered budget (tests only). */
export function resetBudgets(): void {
    registry.clear();
}
