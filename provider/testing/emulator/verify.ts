/**
 * The emulator's server-side check of `SDK-HMAC-SHA256` requests: the counterpart of the client's
 * `signRequest` (http/signer.ts), built from the same canonical-request blocks.
 *
 * @packageDocumentation
 */

import { timingSafeEqual } from "node:crypto";
import { canonicalRequest, computeSignature, EMPTY_BODY_SHA256, parseSdkDate, sha256Hex, stringToSign, toBuffer } from "../../http/signer";

/** A request as a server received it. */
export interface ReceivedRequest {
    /** HTTP method as received. */
    method: string;
    /** Path exactly as received, still percent-encoded, without the query. */
    rawPath: string;
    /** Query exactly as received, without the leading `?` (a leading `?` is tolerated). */
    rawQuery: string;
    /** Node `IncomingMessage` headers: lower-case names. */
    headers: Record<string, string | string[] | undefined>;
    /** Body as received (empty or absent for GET). */
    body?: Buffer | string;
}

/** Outcome of {@link verifySignature}. `reason` never contains a secret key or token. */
export type VerifyResult = { ok: true; accessKey: string } | { ok: false; reason: string };

/** Options of {@link verifySignature}. */
export interface VerifyOptions {
    /** The server's clock. Default: `new Date()`. */
    now?: Date;
    /** Largest accepted distance between `X-Sdk-Date` and `now`, in ms. Default {@link DEFAULT_MAX_SKEW_MS}. */
    maxSkewMs?: number;
}

/** Default of {@link VerifyOptions.maxSkewMs}: 15 minutes, in ms. */
export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Headers a server insists are signed whenever the request carries them: the SDKs add all of
 * them before signing, and an unsigned one could be swapped in transit.
 */
const MUST_SIGN_WHEN_PRESENT = ["x-sdk-date", "x-security-token", "x-project-id", "x-sdk-content-sha256"] as const;

/** An RFC 9110 token, lower-case: the only header names accepted in `SignedHeaders`. */
const LOWER_TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const AUTHORIZATION = /^SDK-HMAC-SHA256\s+Access=([^\s,]+)\s*,\s*SignedHeaders=([^\s,]+)\s*,\s*Signature=([0-9A-Fa-f]{64})\s*$/;

/** The fields of an `SDK-HMAC-SHA256` `Authorization` value; `undefined` when malformed. */
export function parseAuthorization(value: string): { accessKey: string; signedHeaders: string[]; signature: string } | undefined {
    const m = AUTHORIZATION.exec(value);
    if (!m) return undefined;
    return { accessKey: m[1], signedHeaders: m[2].split(";"), signature: m[3].toLowerCase() };
}

/**
 * Verify an `SDK-HMAC-SHA256` request (the local emulator's check): parse `Authorization`, look up
 * the secret key, recompute the signature over the headers named in `SignedHeaders`, compare in
 * constant time, and reject an `X-Sdk-Date` more than `maxSkewMs` away from `now`.
 *
 * Also rejected: `x-sdk-date` not signed; `X-Security-Token`, `X-Project-Id` or
 * `X-Sdk-Content-Sha256` present but not signed; a signed header missing or repeated;
 * `SignedHeaders` not sorted, lower-case and free of duplicates. `host` need not be signed (the Go
 * SDK does not sign it). For an empty body, both the empty-body hash (Python SDK) and the
 * `X-Sdk-Content-Sha256` value (Go SDK) are accepted.
 */
export function verifySignature(req: ReceivedRequest, lookupSecretKey: (accessKey: string) => string | undefined, options: VerifyOptions = {}): VerifyResult {
    const fail = (reason: string): VerifyResult => ({ ok: false, reason });
    const now = options.now ?? new Date();
    const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    if (!Number.isFinite(maxSkewMs) || maxSkewMs < 0) throw new RangeError("maxSkewMs must be a finite number >= 0");

    const headers: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;

    const authorization = headers.authorization;
    if (authorization === undefined) return fail("missing Authorization header");
    if (typeof authorization !== "string") return fail("the Authorization header was sent more than once");
    const auth = parseAuthorization(authorization);
    if (!auth) {
        return fail('malformed Authorization header: expected "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<64 hex digits>"');
    }
    const signed = auth.signedHeaders;
    if (!signed.every((name, i) => LOWER_TOKEN.test(name) && (i === 0 || signed[i - 1] < name))) {
        return fail('SignedHeaders must list lower-case header names, sorted, each once, separated by ";"');
    }
    if (!signed.includes("x-sdk-date")) return fail("x-sdk-date is not among the signed headers");
    for (const name of MUST_SIGN_WHEN_PRESENT) {
        if (headers[name] !== undefined && !signed.includes(name)) return fail(`header ${name} is present but not signed`);
    }

    const values: Record<string, string> = {};
    for (const name of signed) {
        const value = headers[name];
        if (value === undefined) return fail(`signed header ${name} is missing from the request`);
        if (typeof value !== "string") return fail(`signed header ${name} was sent more than once`);
        values[name] = value;
    }

    const sdkDate = values["x-sdk-date"].trim();
    const signedAt = parseSdkDate(sdkDate);
    if (!signedAt) return fail("X-Sdk-Date is not of the form YYYYMMDDTHHMMSSZ (UTC)");
    const skewMs = Math.abs(now.getTime() - signedAt.getTime());
    if (skewMs > maxSkewMs) {
        return fail(
            `X-Sdk-Date ${sdkDate} is ${Math.round(skewMs / 1000)} s away from the server clock ` +
                `(at most ${Math.round(maxSkewMs / 1000)} s allowed): check the client's clock`,
        );
    }

    const secretKey = lookupSecretKey(auth.accessKey);
    if (typeof secretKey !== "string" || secretKey === "") return fail("unknown access key");

    const body = toBuffer(req.body);
    const contentSha = values["x-sdk-content-sha256"];
    const payloadHashes =
        body.length === 0 ? [EMPTY_BODY_SHA256, ...(contentSha && contentSha !== EMPTY_BODY_SHA256 ? [contentSha] : [])] : [contentSha || sha256Hex(body)];

    const given = Buffer.from(auth.signature, "hex");
    let matched = false;
    for (const payloadHash of payloadHashes) {
        const canonical = canonicalRequest({
            method: String(req.method ?? "").toUpperCase(),
            rawPath: req.rawPath ?? "",
            rawQuery: req.rawQuery ?? "",
            headers: values,
            signedHeaders: signed,
            payloadHash,
        });
        const expected = Buffer.from(computeSignature(secretKey, stringToSign(sdkDate, canonical)), "hex");
        // Both are 32 bytes (the regex admits exactly 64 hex digits); evaluate every candidate.
        if (timingSafeEqual(expected, given)) matched = true;
    }
    if (!matched) {
        return fail("signature does not match: check the secret key, and that the method, path, query, signed headers and body were sent as signed");
    }
    return { ok: true, accessKey: auth.accessKey };
}
