/**
 * The HTTP client of the job APIs: one authenticated GET on axios, answering with the raw
 * {@link HttpAnswer} (any status) or a {@link TransportFailure}. It never follows redirects
 * (a signed request or token must not travel to another host), never sends credentials over
 * plain http except to loopback, and never lets axios' own error objects (which carry the
 * request headers) escape.
 *
 * @packageDocumentation
 */

import axios, { AxiosInstance } from "axios";
import * as http from "node:http";
import * as https from "node:https";
import type { Readable } from "node:stream";
import { ConfigError } from "../errors";
import type { HttpAnswer } from "./classify";
import type { Credentials } from "./credentials";
import { isLoopbackHost } from "./endpoint";
import { signRequest } from "./signer";

/** Options of a {@link JobClient}. */
export interface JobClientOptions {
    /** Origin of the service, e.g. `https://dws.cn-north-4.myhuaweicloud.com`. */
    origin: string;
    /** How to authenticate. */
    credentials: Credentials;
    /** Sent as `X-Project-Id` with AK/SK signing, as the official SDKs do for project-level services. */
    projectId?: string;
    /** Timeout of one request, in ms. */
    requestTimeoutMs: number;
}

/**
 * A request that got no HTTP answer from the job API. `code` is Node's or axios' error code
 * (`ECONNRESET`, `ECONNABORTED`...), or `EPROXY_REFUSED` / `EPROXY_UNAVAILABLE` when the proxy
 * answered (4xx / 5xx) instead of opening the tunnel.
 */
export class TransportFailure extends Error {
    constructor(
        /** Error code, if the platform gave one. */
        readonly code: string | undefined,
        message: string,
    ) {
        super(message);
        this.name = "TransportFailure";
    }
}

/** Largest response body accepted, in bytes (job statuses are a few hundred bytes). */
export const MAX_BODY_BYTES = 1 << 20;

/** Keep-alive agents shared by every client of the process: many waiters, few sockets. */
const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** Sends authenticated GET requests to one service origin. */
export class JobClient {
    private readonly http: AxiosInstance;
    private readonly secure: boolean;

    constructor(private readonly options: JobClientOptions) {
        const url = new URL(options.origin);
        if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
            throw new ConfigError({
                field: "endpoint",
                value: JSON.stringify(options.origin),
                allowed: "an https:// URL (plain http only to a loopback address)",
            });
        }
        this.secure = url.protocol === "https:";
        this.http = axios.create({
            baseURL: options.origin,
            timeout: options.requestTimeoutMs,
            maxRedirects: 0,
            responseType: "stream",
            validateStatus: () => true,
            httpAgent: agents.http,
            httpsAgent: agents.https,
            proxy: isLoopbackHost(url.hostname) ? false : undefined,
        });
    }

    /**
     * GET `path` (already encoded). Resolves with any HTTP answer; rejects with
     * {@link TransportFailure}, or with `signal.reason` when aborted. `timeoutMs` shortens the
     * configured request timeout for this request (never lengthens it). The timeout bounds the
     * whole exchange, body included: axios' own `timeout` stops counting once the headers have
     * arrived, so a body trickled a byte at a time would otherwise hold the request for hours.
     */
    async get(path: string, signal?: AbortSignal, timeoutMs?: number): Promise<HttpAnswer> {
        const headers = this.authHeaders(path);
        const timeout = Math.max(1, Math.ceil(Math.min(this.options.requestTimeoutMs, timeoutMs ?? Number.POSITIVE_INFINITY)));
        const expiry = AbortSignal.timeout(timeout);
        try {
            const response = await this.http.get<Readable>(path, { headers, signal: signal ? AbortSignal.any([signal, expiry]) : expiry, timeout });
            // Behind HTTPS_PROXY, a proxy that refuses the tunnel answers itself, in the clear:
            // that is not the job API's answer, whatever it says.
            if (this.secure && (response.request as { socket?: { encrypted?: boolean } } | undefined)?.socket?.encrypted !== true) {
                response.data.destroy();
                throw new TransportFailure(
                    response.status >= 500 ? "EPROXY_UNAVAILABLE" : "EPROXY_REFUSED",
                    `the proxy answered HTTP ${response.status} instead of connecting to the job API`,
                );
            }
            const responseHeaders: Record<string, string | undefined> = {};
            for (const [name, value] of Object.entries(response.headers ?? {})) {
                responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value == null ? undefined : String(value);
            }
            return { status: response.status, headers: responseHeaders, ...(await readBody(response.data)) };
        } catch (error) {
            if (signal?.aborted) throw signal.reason;
            if (expiry.aborted) throw new TransportFailure("ETIMEDOUT", `no complete answer within the request timeout of ${timeout} ms`);
            if (error instanceof TransportFailure) throw error;
            const e = error as { code?: string; message?: string };
            // Only the code and message travel on: axios errors hold the request config and headers.
            throw new TransportFailure(e.code, String(e.message ?? error));
        }
    }

    private authHeaders(path: string): Record<string, string> {
        const { credentials, projectId, origin } = this.options;
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (credentials.kind === "token") {
            headers["X-Auth-Token"] = credentials.token;
            return headers;
        }
        if (projectId) headers["X-Project-Id"] = projectId;
        return { ...headers, ...signRequest({ method: "GET", url: origin + path, headers }, credentials) };
    }
}

/**
 * The body as UTF-8 text, read to its end — or, past {@link MAX_BODY_BYTES}, dropped with
 * `bodyTooLarge` set, so that the answer is still classified by its status (a 503 maintenance
 * page of 2 MB is retried). A body cut short or badly compressed rejects with the stream's error.
 */
async function readBody(stream: Readable): Promise<Pick<HttpAnswer, "body" | "bodyTooLarge">> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        size += bytes.length;
        if (size > MAX_BODY_BYTES) {
            stream.destroy();
            return { body: "", bodyTooLarge: true };
        }
        chunks.push(bytes);
    }
    return { body: Buffer.concat(chunks).toString("utf8") };
}
