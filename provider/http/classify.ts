/**
 * One place that classifies every poll outcome: an HTTP answer or a transport failure becomes a
 * {@link PollOutcome} — status, transient, throttled, not found or permanent. Pure: the answer
 * and the time are inputs.
 *
 * @packageDocumentation
 */

import { JobApiError } from "../errors";
import { MAX_BODY_BYTES } from "./client";
import type { PollOutcome } from "../polling/loop";
import { optionalText, readPath } from "../services/fields";
import type { ServerTextFilter } from "../serverText";
import { ServiceAdapter, UnexpectedBodyError } from "../services/types";

/** An HTTP answer as received. Header names are lower-case. */
export interface HttpAnswer {
    /** HTTP status code. */
    status: number;
    /** Response headers, lower-case names. */
    headers: Record<string, string | undefined>;
    /** Body as text (may be empty). */
    body: string;
    /** The body was larger than the client reads (`MAX_BODY_BYTES`): `body` is empty. */
    bodyTooLarge?: boolean;
}

/** Context for classification. */
export interface ClassifyContext {
    /** The adapter that reads a 200 body. */
    service: ServiceAdapter;
    /** The job ID asked for. */
    jobId: string;
    /** Current time, ms since the epoch (to read an HTTP-date `Retry-After`). */
    nowMs: number;
    /** The waiter's server-text filter: every text taken from the answer passes it (see `serverText.ts`). */
    safeText: ServerTextFilter;
}

/**
 * API-gateway error codes that mean "throttled" even when the status is not 429
 * (Huawei API Gateway: APIGW.0308 "The throttling threshold has been reached").
 */
export const THROTTLING_ERROR_CODES: ReadonlySet<string> = new Set(["APIGW.0308"]);

/** An HTTP-date in IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) or the obsolete RFC 850 form; V8's `Date.parse` alone accepts "-5". */
const HTTP_DATE = /^(?:[A-Za-z]{3},\s*\d{1,2}[\s-][A-Za-z]{3}[\s-]\d{4}|[A-Za-z]+,\s*\d{1,2}-[A-Za-z]{3}-\d{2})\s+\d{2}:\d{2}:\d{2}\s+GMT$/;
/**
 * An HTTP-date in the obsolete asctime form (`Sun Nov  6 08:49:37 1994`), which RFC 9110 §5.6.7
 * requires recipients to accept. It names no zone but means GMT, so it is read with one appended
 * (`Date.parse` would take the machine's local zone).
 */
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** Upper bound for a `Retry-After` value: one hour, in ms (a larger one is clamped; the deadline caps it further). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Read `Retry-After`: delta-seconds (`"5"`, `"0.5"`) or an HTTP-date in any of its three forms, relative to `nowMs`.
 * Returns ms in [0, {@link MAX_RETRY_AFTER_MS}], or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
    if (value === undefined) return undefined;
    const text = value.trim();
    if (text === "") return undefined;
    let ms: number;
    if (/^\d+(\.\d+)?$/.test(text)) {
        ms = Number(text) * 1000;
    } else {
        const date = HTTP_DATE.test(text) ? text : ASCTIME_DATE.test(text) ? `${text} GMT` : undefined;
        const at = date === undefined ? NaN : Date.parse(date);
        if (!Number.isFinite(at)) return undefined;
        ms = at - nowMs;
    }
    return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}

/** Classify an HTTP answer. */
export function classifyAnswer(answer: HttpAnswer, ctx: ClassifyContext): PollOutcome {
    const { status } = answer;
    const json = tryJson(answer.body);
    const { rawErrorCode, ...fields } = errorFields(json, answer, ctx);
    const retryAfterMs = parseRetryAfter(answer.headers["retry-after"], ctx.nowMs);
    const apiError = (hint: string) => new JobApiError({ jobId: ctx.jobId, httpStatus: status, ...fields, hint });

    // The code as sent, or as filtered (controls out): a value redacted may have taken part of the filtered one.
    const throttling = [rawErrorCode, fields.errorCode].some((code) => code !== undefined && THROTTLING_ERROR_CODES.has(code));
    if (status === 429 || throttling) {
        return { kind: "throttled", error: apiError("The API is throttling requests; the waiter backs off and retries."), retryAfterMs };
    }
    // An HTML page in place of the API: a gateway or maintenance page is worth retrying; a 4xx
    // page (a WAF block, a wrong endpoint's 404) is classified by its status below, and so is a
    // redirect, whatever its body. A JSON body is read as JSON, whatever its Content-Type says.
    if (json === undefined && looksLikeHtml(answer) && (status === 200 || status >= 500 || status === 408)) {
        return {
            kind: "transient",
            error: apiError("A gateway answered with an HTML page instead of the job API; retrying."),
            retryAfterMs,
        };
    }
    if (status >= 500 || status === 408) {
        return { kind: "transient", error: apiError("The service had a temporary problem; retrying."), retryAfterMs };
    }
    if (status === 404) {
        return {
            kind: "notFound",
            error: apiError(
                `No ${ctx.service.kind} job with this ID was found: check jobId, projectId` +
                    `${ctx.service.requiredIds.includes("instanceId") ? ", instanceId" : ""}, the region/endpoint, ` +
                    `and that the job has not expired.`,
            ),
        };
    }
    if (status === 401) {
        return {
            kind: "permanent",
            error: apiError(
                "Authentication failed: check the access key/secret key (HW_ACCESS_KEY/HW_SECRET_KEY) or token (HW_AUTH_TOKEN), " +
                    "that a temporary key has its security token and has not expired, and that this machine's clock is right.",
            ),
        };
    }
    if (status === 403) {
        return {
            kind: "permanent",
            error: apiError("Access denied: the credentials lack permission for this job API, or the project ID belongs to another account or region."),
        };
    }
    if (status >= 400) {
        return { kind: "permanent", error: apiError("The service rejected the request: check projectId, jobId and the other IDs.") };
    }
    if (status >= 300 && status < 400) {
        const location = optionalText(answer.headers.location);
        const to = location === undefined ? "" : ` to ${JSON.stringify(ctx.safeText(location))}`;
        return {
            kind: "permanent",
            error: apiError(`The job API redirected (HTTP ${status})${to}; the waiter does not follow redirects: set endpoint to the job API's own address.`),
        };
    }
    if (status !== 200) {
        return { kind: "permanent", error: apiError(`Unexpected HTTP status ${status} from the job API.`) };
    }
    if (answer.bodyTooLarge) {
        return { kind: "permanent", error: apiError(`The job API answered 200 with a body over ${MAX_BODY_BYTES} bytes; this is not a job status.`) };
    }
    if (json === undefined) {
        return {
            kind: "permanent",
            error: apiError(`The job API answered 200 with a body that is not JSON (${describeBody(answer.body, ctx)}); this is not a job status.`),
        };
    }
    try {
        return { kind: "status", status: ctx.service.parse(json.value, ctx.jobId, ctx.safeText) };
    } catch (error) {
        if (!(error instanceof UnexpectedBodyError)) throw error;
        return {
            kind: "permanent",
            error: apiError(`The job API answered 200 with a body that is not a ${ctx.service.title} status: ${ctx.safeText(error.problem)}.`),
        };
    }
}

/** Transport-level failure codes (Node/axios) that are worth retrying. */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
    "ECONNRESET",
    "ECONNREFUSED",
    "ECONNABORTED",
    "ETIMEDOUT",
    "EPIPE",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ENETDOWN",
    "EADDRNOTAVAIL",
    "ERR_SOCKET_CONNECTION_TIMEOUT",
    "UND_ERR_SOCKET",
    "ERR_NETWORK",
    "ERR_STREAM_PREMATURE_CLOSE",
    // A body cut short or garbled on the way: its compression broken, or the server's HTTP.
    "Z_BUF_ERROR",
    "Z_DATA_ERROR",
    "EPROXY_UNAVAILABLE",
]);

/** Node's HTTP parser errors (`HPE_INVALID_CONSTANT`, `HPE_UNEXPECTED_CONTENT_LENGTH`...): a garbled answer, worth retrying. */
const HTTP_PARSER_ERROR = /^HPE_/;

/**
 * Classify a request that produced no HTTP answer (connection refused or reset, DNS failure,
 * request timeout). Network failures are transient; anything unrecognised is permanent so
 * that a programming error cannot loop until the deadline.
 */
export function classifyTransportFailure(code: string | undefined, message: string, ctx: ClassifyContext): PollOutcome {
    const networkError = (hint: string) => new JobApiError({ jobId: ctx.jobId, networkCode: code, networkMessage: ctx.safeText(message) || undefined, hint });
    if (code === "EPROXY_REFUSED") {
        return { kind: "permanent", error: networkError("Check HTTPS_PROXY and NO_PROXY, and that the proxy lets this machine through to the job API.") };
    }
    if (code === "ENOTFOUND") {
        return { kind: "transient", error: networkError("The job API's host name does not resolve: check region, HW_CLOUD and endpoint."), hostNotFound: true };
    }
    if (code !== undefined && (TRANSIENT_NETWORK_CODES.has(code) || HTTP_PARSER_ERROR.test(code))) {
        return { kind: "transient", error: networkError("The connection to the job API failed; retrying.") };
    }
    return { kind: "permanent", error: networkError("The request to the job API could not be sent.") };
}

function tryJson(body: string): { value: unknown } | undefined {
    try {
        return { value: JSON.parse(body) };
    } catch {
        return undefined;
    }
}

function looksLikeHtml(answer: HttpAnswer): boolean {
    const type = answer.headers["content-type"] ?? "";
    return /text\/html/i.test(type) || /^\s*<(!doctype|html|head|body)/i.test(answer.body);
}

/**
 * Huawei error bodies: `{error_code, error_msg, error_details?, request_id?}`, `{error: {code,
 * message}}`, `{errCode, externalMessage}` (DDM's older APIs, and its older error pages), or
 * `{code, message}` (the query error of ECS's and BMS's job responses).
 */
function errorFields(json: { value: unknown } | undefined, answer: HttpAnswer, ctx: ClassifyContext) {
    const body = json?.value;
    const clean = (v: unknown) => {
        const text = optionalText(v);
        return text === undefined ? undefined : ctx.safeText(text) || undefined;
    };
    const errorMsg = [
        clean(readPath(body, "error_msg") ?? readPath(body, "error.message") ?? readPath(body, "externalMessage") ?? readPath(body, "message")),
        clean(readPath(body, "error_details")),
    ]
        .filter(Boolean)
        .join(" — ");
    const rawErrorCode = optionalText(readPath(body, "error_code") ?? readPath(body, "error.code") ?? readPath(body, "errCode") ?? readPath(body, "code"));
    return {
        rawErrorCode,
        errorCode: clean(rawErrorCode),
        errorMsg: errorMsg || undefined,
        requestId: clean(answer.headers["x-request-id"]) ?? clean(readPath(body, "request_id")),
    };
}

function describeBody(body: string, ctx: ClassifyContext): string {
    if (body.trim() === "") return "empty";
    return `starts with ${JSON.stringify(ctx.safeText(body).slice(0, 40))}`;
}
