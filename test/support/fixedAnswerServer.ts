/**
 * A real HTTP server on loopback that answers every request with one JSON body, set by the test:
 * the stand-in for a job API that sends whatever it likes in a 200 answer.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** A running server; `body` is what the next requests get. */
export interface FixedAnswerServer {
    /** `http://127.0.0.1:<port>`. */
    readonly endpoint: string;
    /** The JSON value every request is answered with (200). */
    body: unknown;
    /** Requests answered so far. */
    readonly requests: number;
    close(): Promise<void>;
}

/** Start a server on an ephemeral loopback port. */
export async function startFixedAnswerServer(): Promise<FixedAnswerServer> {
    let requests = 0;
    const state = { body: {} as unknown };
    const server = http.createServer((req, res) => {
        requests++;
        req.resume();
        const text = JSON.stringify(state.body);
        res.writeHead(200, { "Content-Type": "application/json;charset=UTF-8", "Content-Length": Buffer.byteLength(text) });
        res.end(text);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        get body() {
            return state.body;
        },
        set body(value: unknown) {
            state.body = value;
        },
        get requests() {
            return requests;
        },
        close: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}
