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

/** A request that got no HTTP answer. `code` is Node's or axios' error code (`ECONNRESET`, `ECONNABORTED`...). */
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

    constructor(private readonly options: JobClientOptions) {
        const url = new URL(options.origin);
        if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
            throw new ConfigError({
                field: "endpoint",
                value: JSON.stringify(options.origin),
                allowed: "an https:// URL (plain http only to a loopback address)",
            });
        }
        this.http = axios.create({
            baseURL: options.origin,
            timeout: options.requestTimeoutMs,
            maxRedirects: 0,
            maxContentLength: MAX_BODY_BYTES,
            responseType: "text",
            transformResponse: [(data: unknown) => data],
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
        const timeout = Math.max(1, Math.min(this.options.requestTimeoutMs, timeoutMs ?? Number.POSITIVE_INFINITY));
        const expiry = AbortSignal.timeout(timeout);
        try {
            const response = await this.http.get<string>(path, { headers, signal: signal ? AbortSignal.any([signal, expiry]) : expiry, timeout });
            const responseHeaders: Record<string, string | undefined> = {};
            for (const [name, value] of Object.entries(response.headers ?? {})) {
                responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value == null ? undefined : String(value);
            }
            return { status: response.status, headers: responseHeaders, body: typeof response.data === "string" ? response.data : "" };
        } catch (error) {
            if (signal?.aborted) throw signal.reason;
            if (expiry.aborted) throw new TransportFailure("ETIMEDOUT", `no complete answer within the request timeout of ${timeout} ms`);
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
