/**
 * The HTTP client against raw loopback servers that misbehave below JSON: bodies cut short,
 * garbled HTTP, broken compression, bodies over the cap, and a proxy that refuses the tunnel.
 * Each must end as the outcome its cause calls for, through the client and the classifier.
 */
import { expect } from "chai";
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { classifyAnswer, classifyTransportFailure } from "../../provider/http/classify";
import { JobClient, MAX_BODY_BYTES, TransportFailure } from "../../provider/http/client";
import { serverTextFilter } from "../../provider/serverText";
import { getService } from "../../provider/services";

const ctx = { service: getService("ecs"), jobId: "job-1", nowMs: Date.now(), safeText: serverTextFilter(["t0ken"]) };

/** A TCP server on loopback that writes `reply` (raw bytes) to each connection, then ends it. */
async function rawServer(reply: (socket: net.Socket) => void): Promise<{ origin: string; close: () => Promise<void> }> {
    const server = net.createServer((socket) => {
        socket.once("data", () => reply(socket));
        socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

/** The outcome class of one GET through the client and the classifier. */
async function outcomeOf(origin: string): Promise<{ kind: string; message: string }> {
    const client = new JobClient({ origin, credentials: { kind: "token", token: "t0ken" }, requestTimeoutMs: 5000 });
    try {
        const outcome = classifyAnswer(await client.get("/v1/p/jobs/job-1"), ctx);
        return { kind: outcome.kind, message: outcome.kind === "status" ? outcome.status.status : outcome.error.message };
    } catch (error) {
        expect(error).to.be.instanceOf(TransportFailure);
        const failure = error as TransportFailure;
        const outcome = classifyTransportFailure(failure.code, failure.message, ctx);
        return { kind: outcome.kind, message: (outcome as { error: Error }).error.message };
    }
}

const head = (status: string, headers: string) => `HTTP/1.1 ${status}\r\nConnection: close\r\n${headers}\r\n`;

describe("http client: answers broken below JSON", () => {
    const cases: [string, (socket: net.Socket) => void, string, RegExp][] = [
        [
            "a body cut short of its Content-Length",
            (s) => s.end(head("200 OK", "Content-Length: 100\r\n") + '{"status":"RUN'),
            "transient",
            /ECONNRESET|aborted/,
        ],
        [
            "a chunked body cut mid-chunk",
            (s) => s.end(head("200 OK", "Transfer-Encoding: chunked\r\n") + '40\r\n{"status":'),
            "transient",
            /ECONNRESET|aborted/,
        ],
        ["two different Content-Lengths", (s) => s.end(head("200 OK", "Content-Length: 2\r\nContent-Length: 3\r\n") + "{}"), "transient", /HPE_/],
        ["a header with a forbidden character", (s) => s.end(head("200 OK", "X-Bad: a\u0001b\r\n")), "transient", /HPE_/],
        ["not HTTP at all", (s) => s.end("SSH-2.0-OpenSSH\r\n"), "transient", /HPE_/],
        [
            "gzip that is not gzip",
            (s) => s.end(head("200 OK", "Content-Encoding: gzip\r\nContent-Length: 15\r\n") + '{"status":"OK"}'),
            "transient",
            /Z_DATA_ERROR/,
        ],
        [
            "a 503 maintenance page over the body cap",
            (s) => s.end(head("503 Service Unavailable", "Content-Type: text/html\r\n") + "<html>" + "x".repeat(MAX_BODY_BYTES + 10)),
            "transient",
            /HTTP 503/,
        ],
        [
            "a 200 body over the body cap",
            (s) => s.end(head("200 OK", "Content-Type: application/json\r\n") + '{"status":"RUNNING","x":"' + "x".repeat(MAX_BODY_BYTES)),
            "permanent",
            /body over 1048576 bytes/,
        ],
    ];
    for (const [what, reply, kind, message] of cases) {
        it(`${what} → ${kind}`, async () => {
            const server = await rawServer(reply);
            try {
                const outcome = await outcomeOf(server.origin);
                expect(outcome.kind, outcome.message).to.equal(kind);
                expect(outcome.message).to.match(message);
                expect(outcome.message).to.not.contain("t0ken");
            } finally {
                await server.close();
            }
        });
    }
});

describe("http client: behind HTTPS_PROXY", () => {
    const saved = {
        HTTPS_PROXY: process.env.HTTPS_PROXY,
        https_proxy: process.env.https_proxy,
        NO_PROXY: process.env.NO_PROXY,
        no_proxy: process.env.no_proxy,
    };
    let proxy: http.Server;
    let refusal = 407;
    const seen: string[] = [];

    before(async () => {
        proxy = http.createServer((_req, res) => res.end());
        proxy.on("connect", (req: http.IncomingMessage, socket: net.Socket) => {
            seen.push(`${req.method} ${req.url}`);
            const body = JSON.stringify({ error_code: "Ecs.0001", error_msg: "forged by the proxy" });
            socket.end(`HTTP/1.1 ${refusal} No\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        });
        await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
        for (const name of Object.keys(saved)) delete process.env[name];
        process.env.HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });
    after(async () => {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
    });

    for (const [status, kind] of [
        [407, "permanent"],
        [403, "permanent"],
        [503, "transient"],
    ] as const) {
        it(`a proxy that refuses the tunnel with ${status} is the proxy's answer, not the job API's (${kind})`, async () => {
            refusal = status;
            const outcome = await outcomeOf("https://ecs.cn-north-4.myhuaweicloud.com");
            expect(seen.at(-1)).to.equal("CONNECT ecs.cn-north-4.myhuaweicloud.com:443");
            expect(outcome.kind).to.equal(kind);
            expect(outcome.message).to.contain(`the proxy answered HTTP ${status}`);
            expect(outcome.message).to.not.contain("forged");
            if (kind === "permanent") expect(outcome.message).to.contain("HTTPS_PROXY");
        });
    }
});
