/**
 * Time as the waiter sees it. The loop never calls `performance.now` or `setTimeout` directly, so
 * the whole waiter can run under a fake clock in tests and benchmarks.
 *
 * @packageDocumentation
 */

/** A source of time and of waiting. */
export interface Clock {
    /** Current time in milliseconds (any fixed origin). */
    now(): number;
    /**
     * Resolve after `ms` milliseconds; reject with `signal.reason` as soon as `signal` aborts.
     * `ms` is always finite and ≥ 0.
     */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Longest single timer the system clock arms (setTimeout overflows past 2^31−1 ms into a 1 ms loop). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The real clock: `performance.now()` and `setTimeout`. Monotonic: a step of the wall clock (NTP,
 * a resumed VM) moves no deadline and stretches no sleep. A sleep never ends before `ms` have
 * passed on it: timers fire on the event loop's cached time and can run a millisecond early, and
 * a deadline check that ran early would be followed by a second one.
 */
export const systemClock: Clock = {
    now: () => performance.now(),
    sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
            if (signal?.aborted) return reject(signal.reason);
            const until = performance.now() + Math.max(0, ms);
            let timer = setTimeout(tick, Math.min(Math.max(0, ms), MAX_TIMER_MS));
            function tick() {
                const left = until - performance.now();
                if (left > 0) {
                    timer = setTimeout(tick, Math.min(left, MAX_TIMER_MS));
                    return;
                }
                signal?.removeEventListener("abort", onAbort);
                resolve();
            }
            function onAbort() {
                clearTimeout(timer);
                reject(signal!.reason);
            }
            signal?.addEventListener("abort", onAbort, { once: true });
        }),
};

/**
 * A virtual clock for simulations and tests of one waiter: `sleep(ms)` advances time by `ms`
 * at once (no real waiting), so hours of polling replay in microseconds. Not meant for several
 * concurrent sleepers (each advances the shared time on its own).
 */
export class VirtualClock implements Clock {
    constructor(
        /** Current virtual time, in ms. */
        public time = 0,
    ) {}

    now(): number {
        return this.time;
    }

    async sleep(ms: number, signal?: AbortSignal): Promise<void> {
        if (signal?.aborted) throw signal.reason;
        this.time += ms;
    }
}
