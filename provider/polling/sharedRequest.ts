/**
 * Single-flight with cancellation: concurrent callers asking the same key share one in-flight
 * request. Each caller can abort on its own — it stops waiting at once — and the shared request
 * itself is aborted only when every caller has aborted. A caller joins only a request that runs
 * at least as long as it would itself ({@link ShareOptions.until}), so that no caller gives up
 * earlier because another started the request.
 *
 * @packageDocumentation
 */

/** What the callers of one shared request can see of it while it runs. */
export interface FlightStage {
    /** Set by the run once its request has left every queue: a caller giving up before then knows nothing was sent. */
    sent: boolean;
}

/** Options of {@link sharedRequest}. */
export interface ShareOptions {
    /**
     * When the caller's run would give up (any clock, the same for every caller of the key): it
     * joins a request in flight only if that one runs at least until then, and otherwise starts
     * its own, which later callers join. Default: it joins any (and its own runs without end).
     */
    until?: number;
    /** Called at once with the stage of the request the caller starts or joins. */
    onJoin?: (stage: FlightStage) => void;
}

interface Flight {
    promise: Promise<unknown>;
    controller: AbortController;
    waiting: number;
    until: number;
    stage: FlightStage;
}

const flights = new Map<string, Flight>();

/** Number of requests currently in flight (tests check that none is left behind). */
export function inFlightCount(): number {
    return flights.size;
}

/**
 * Run `run` once for all concurrent callers of `key` (see {@link ShareOptions} for which callers
 * share). `run` receives the shared signal, which aborts when all callers have aborted, and the
 * stage its callers see. A caller whose own `signal` aborts is rejected with `signal.reason`
 * immediately.
 */
export function sharedRequest<T>(
    key: string,
    signal: AbortSignal | undefined,
    run: (shared: AbortSignal, stage: FlightStage) => Promise<T>,
    options: ShareOptions = {},
): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let flight = flights.get(key);
    if (!flight || (options.until !== undefined && flight.until < options.until)) {
        const controller = new AbortController();
        const created: Flight = {
            controller,
            waiting: 0,
            promise: Promise.resolve(),
            until: options.until ?? Number.POSITIVE_INFINITY,
            stage: { sent: false },
        };
        created.promise = (async () => {
            try {
                return await run(controller.signal, created.stage);
            } finally {
                if (flights.get(key) === created) flights.delete(key);
            }
        })();
        flights.set(key, created);
        flight = created;
    }
    const current = flight;
    current.waiting++;
    options.onJoin?.(current.stage);
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
