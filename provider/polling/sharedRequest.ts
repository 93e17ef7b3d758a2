/**
 * Single-flight with cancellation: concurrent callers asking the same key share one in-flight
 * request. Each caller can abort on its own — it stops waiting at once — and the shared request
 * itself is aborted only when every caller has aborted.
 *
 * @packageDocumentation
 */

interface Flight {
    promise: Promise<unknown>;
    controller: AbortController;
    waiting: number;
}

const flights = new Map<string, Flight>();

/** Number of requests currently in flight (tests check that none is left behind). */
export function inFlightCount(): number {
    return flights.size;
}

/**
 * Run `run` once for all concurrent callers of `key`. `run` receives the shared signal, which
 * aborts when all callers have aborted. A caller whose own `signal` aborts is rejected with
 * `signal.reason` immediately.
 */
export function sharedRequest<T>(key: string, signal: AbortSignal | undefined, run: (shared: AbortSignal) => Promise<T>): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let flight = flights.get(key);
    if (!flight) {
        const controller = new AbortController();
        const created: Flight = { controller, waiting: 0, promise: Promise.resolve() };
        created.promise = (async () => {
            try {
                return await run(controller.signal);
            } finally {
                if (flights.get(key) === created) flights.delete(key);
            }
        })();
        flights.set(key, created);
        flight = created;
    }
    const current = flight;
    current.waiting++;
    return new Promise<T>((resolve, reject) => {
        let settled = false;
        const leave = () => {
            settled = true;
            signal?.removeEventListener("abort", onAbort);
        };
        const onAbort = () => {
            if (settled) return;
            leave();
            if (--current.waiting === 0) {
                current.controller.abort(signal!.reason);
                if (flights.get(key) === current) flights.delete(key);
            }
            reject(signal!.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        current.promise.then(
            (value) => {
                if (settled) return;
                leave();
                current.waiting--;
                resolve(value as T);
            },
            (error) => {
                if (settled) return;
                leave();
                current.waiting--;
                reject(error);
            },
        );
    });
}
