/**
 * AK/SK request signing (`SDK-HMAC-SHA256`), computed exactly as the official Huawei Cloud SDKs
 * compute it. (The emulator's server-side check is `testing/emulator/verify.ts`.)
 *
 * Sources (read, not copied):
 * - huaweicloud/huaweicloud-sdk-python-v3 `huaweicloud-sdk-core/huaweicloudsdkcore/signer/signer.py`
 *   (class `Signer`) and `huaweicloudsdkcore/auth/credentials.py` (`sign_request`): the reference this
 *   module follows step by step, and against which the tests cross-check.
 * - huaweicloud/huaweicloud-sdk-go-v3 `core/auth/signer/signer.go` and `escape.go`,
 *   `core/auth/basic/basic_icredential.go`; huaweicloud/huaweicloud-sdk-nodejs-v3
 *   `core/auth/AKSKSigner.ts` and `core/auth/BasicCredentials.ts`: same algorithm, with the
 *   differences noted below.
 *
 * The algorithm:
 * ```
 * CanonicalRequest = Method "\n" CanonicalURI "\n" CanonicalQueryString "\n"
 *                    CanonicalHeaders "\n" SignedHeaders "\n" HexSHA256(body)
 * StringToSign     = "SDK-HMAC-SHA256" "\n" X-Sdk-Date "\n" HexSHA256(CanonicalRequest)
 * Signature        = HexHMAC-SHA256(SK, StringToSign)
 * Authorization    = "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b;c>, Signature=<hex>"
 * ```
 * - `X-Sdk-Date` is `YYYYMMDDTHHMMSSZ` in UTC (`%Y%m%dT%H%M%SZ`), set unless the request has one.
 * - Canonical URI: the path is percent-decoded, split on `/`, each segment escaped with the SDK's
 *   escape (everything but `A-Z a-z 0-9 - _ . ~` becomes `%XX`, upper-case hex, UTF-8 bytes), joined
 *   with `/`, and a `/` is appended when it does not end with one.
 * - Canonical query: `(key, value)` pairs sorted by key then value, each escaped the same way,
 *   `k=v` joined with `&`.
 * - Signed headers (Python and Node SDKs): every header the request carries, lower-cased, sorted,
 *   values trimmed — including `Content-Type`, `X-Project-Id` and `X-Security-Token`, which the SDK
 *   adds *before* signing, and `Host`, which it adds from the endpoint (`urlparse(endpoint).netloc`)
 *   when the request has none. (The Go SDK skips `content-type*` and does not add `Host`; a server
 *   reads the list from `SignedHeaders`, so both verify.)
 * - Body hash: the hex SHA-256 of the body; `e3b0…b855` for an empty body; the value of
 *   `X-Sdk-Content-Sha256` when that header is set, which the SDK sets to `UNSIGNED-PAYLOAD` when
 *   `Content-Type` is present and does not start with `application/json`.
 *
 * Where the SDKs disagree on an input this project never produces, Python's behaviour is kept:
 * a `%2F` inside a segment is decoded before splitting (so it splits), whereas the APIG JavaScript
 * signer keeps it and the Node SDK escapes the already-encoded `%` again.
 *
 * @packageDocumentation
 */

import { createHash, createHmac } from "node:crypto";
import { ConfigError } from "../errors";
import { printable } from "../services";

/** AK/SK credentials. `securityToken` is set for temporary (STS) credentials. */
export interface AkSkCredentials {
    /** Access key ID (AK). Not secret; sent in `Authorization`. */
    accessKey: string;
    /** Secret access key (SK). Never sent, never logged. */
    secretKey: string;
    /** Security token of temporary credentials, sent (and signed) as `X-Security-Token`. */
    securityToken?: string;
}

/** A request about to be sent. */
export interface SignableRequest {
    /** HTTP method; upper-cased for signing. */
    method: string;
    /** Absolute URL; the path is already percent-encoded and may carry a query. */
    url: string;
    /** Headers that will be sent. Every one of them is signed (names are compared case-insensitively). */
    headers: Record<string, string>;
    /** Body that will be sent; empty or absent for GET. Strings are hashed as UTF-8. */
    body?: string | Buffer;
}

/** The signing algorithm name, first word of `Authorization` and of the string to sign. */
const SIGNING_ALGORITHM = "SDK-HMAC-SHA256";
/** Header carrying the signing time. */
const HEADER_SDK_DATE = "X-Sdk-Date";
/** Header that replaces the body hash (`UNSIGNED-PAYLOAD`, or a hex digest). */
const HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256";
/** Header carrying the security token of temporary credentials. */
const HEADER_SECURITY_TOKEN = "X-Security-Token";
/** Value of {@link HEADER_CONTENT_SHA256} for bodies that are not hashed. */
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
/** Hex SHA-256 of the empty string: the body hash of requests without a body. */
export const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** An RFC 9110 token: the header names accepted by {@link signRequest}. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// ---------------------------------------------------------------------------------------------
// Building blocks (pure)
// ---------------------------------------------------------------------------------------------

/** Format a time as `X-Sdk-Date` wants it: `YYYYMMDDTHHMMSSZ`, UTC, seconds precision. */
export function formatSdkDate(date: Date): string {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TypeError("formatSdkDate needs a valid Date");
    return date
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z")
        .replace(/[-:]/g, "");
}

/** Parse a strict `YYYYMMDDTHHMMSSZ` value; `undefined` for anything else (including 20240231T…). */
export function parseSdkDate(value: string): Date | undefined {
    const m = SDK_DATE.exec(value);
    if (!m) return undefined;
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    return formatSdkDate(date) === value ? date : undefined;
}

/**
 * The SDKs' escape function: every byte except `A-Z a-z 0-9 - _ . ~` becomes `%XX` (upper-case hex).
 * Strings are taken as UTF-8. Same as Go `escape()` and Python `quote(s, safe='~')`.
 */
export function sdkEscape(input: string | Buffer): string {
    const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
    let out = "";
    for (const b of bytes) {
        const unreserved =
            (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e;
        out += unreserved ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    }
    return out;
}

/**
 * Percent-decode to bytes, tolerantly like Python's `unquote`: a `%` not followed by two hex
 * digits is kept as is. Working on bytes keeps invalid UTF-8 distinct instead of collapsing it.
 */
function percentDecode(text: string): Buffer {
    const src = Buffer.from(text, "utf8");
    const out = Buffer.alloc(src.length);
    let n = 0;
    for (let i = 0; i < src.length; i++) {
        const b = src[i];
        if (b === 0x25 && i + 2 < src.length && isHex(src[i + 1]) && isHex(src[i + 2])) {
            out[n++] = parseInt(String.fromCharCode(src[i + 1], src[i + 2]), 16);
            i += 2;
        } else {
            out[n++] = b;
        }
    }
    return out.subarray(0, n);
}

function isHex(b: number): boolean {
    return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

/**
 * Canonical URI of a raw (percent-encoded) path: decode, split on `/`, escape each segment, join,
 * append `/` when missing. `"/v1/p/jobs/a%2Fb"` → `"/v1/p/jobs/a/b/"`; `""` → `"/"`.
 */
export function canonicalUri(rawPath: string): string {
    const decoded = percentDecode(rawPath);
    const segments: string[] = [];
    let start = 0;
    for (let i = 0; i <= decoded.length; i++) {
        if (i === decoded.length || decoded[i] === 0x2f) {
            segments.push(sdkEscape(decoded.subarray(start, i)));
            start = i + 1;
        }
    }
    const path = segments.join("/");
    return path.endsWith("/") ? path : `${path}/`;
}

/**
 * Canonical query string of a raw query (with or without the leading `?`): pairs split on `&`
 * (empty pieces skipped) and the first `=`, `+` read as a space and `%XX` decoded (form
 * semantics, as Go's `url.ParseQuery`), sorted by key then value (byte order, which is code-point
 * order like Python's sort), re-escaped with {@link sdkEscape}, joined with `&`.
 */
export function canonicalQueryString(rawQuery: string): string {
    const query = rawQuery.startsWith("?") ? rawQuery.slice(1) : rawQuery;
    if (query === "") return "";
    const pairs = query
        .split("&")
        .filter((piece) => piece !== "")
        .map((piece): [Buffer, Buffer] => {
            const eq = piece.indexOf("=");
            const key = eq < 0 ? piece : piece.slice(0, eq);
            const value = eq < 0 ? "" : piece.slice(eq + 1);
            return [percentDecode(key.replace(/\+/g, " ")), percentDecode(value.replace(/\+/g, " "))];
        });
    pairs.sort((a, b) => Buffer.compare(a[0], b[0]) || Buffer.compare(a[1], b[1]));
    return pairs.map(([k, v]) => `${sdkEscape(k)}=${sdkEscape(v)}`).join("&");
}

/** Canonical headers block: `name:trimmed value` per signed name, in the given order, each ending in `\n`. */
function canonicalHeaders(headers: Readonly<Record<string, string>>, signedHeaders: readonly string[]): string {
    return signedHeaders.map((name) => `${name}:${(headers[name] ?? "").trim()}`).join("\n") + "\n";
}

/** The parts of a canonical request. */
export interface CanonicalRequestParts {
    /** HTTP method (used as given: callers upper-case it). */
    method: string;
    /** Raw, percent-encoded path. */
    rawPath: string;
    /** Raw query, with or without `?`. */
    rawQuery: string;
    /** Header values by lower-case name; must hold every signed header. */
    headers: Readonly<Record<string, string>>;
    /** Lower-case names of the signed headers, in signing order (sorted). */
    signedHeaders: readonly string[];
    /** Hex SHA-256 of the body, or the `X-Sdk-Content-Sha256` value. */
    payloadHash: string;
}

/** Assemble the canonical request (six lines; the header block brings its own trailing newline). */
export function canonicalRequest(parts: CanonicalRequestParts): string {
    return [
        parts.method,
        canonicalUri(parts.rawPath),
        canonicalQueryString(parts.rawQuery),
        canonicalHeaders(parts.headers, parts.signedHeaders),
        parts.signedHeaders.join(";"),
        parts.payloadHash,
    ].join("\n");
}

/** `SDK-HMAC-SHA256\n<date>\n<hex sha256(canonical request)>`. */
export function stringToSign(sdkDate: string, canonical: string): string {
    return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** Hex HMAC-SHA256 of the string to sign, keyed with the secret key (UTF-8). */
export function computeSignature(secretKey: string, toSign: string): string {
    return createHmac("sha256", Buffer.from(secretKey, "utf8")).update(toSign, "utf8").digest("hex");
}

/** The `Authorization` header value. */
export function authorizationHeader(accessKey: string, signedHeaders: readonly string[], signature: string): string {
    return `${SIGNING_ALGORITHM} Access=${accessKey}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`;
}

/** Hex SHA-256 of text (UTF-8) or bytes. */
export function sha256Hex(data: string | Buffer): string {
    return createHash("sha256").update(data).digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------------

/**
 * Sign a request as the official SDK does (`BasicCredentials.sign_request` then `Signer.sign`):
 * 1. `X-Security-Token` is added when the credentials carry one;
 * 2. `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` is added when `Content-Type` is set and does not
 *    start with `application/json`;
 * 3. `X-Sdk-Date` is set from `now` (default: the current time) unless the request has one;
 * 4. `Host` is set to the URL's host (with the port when not the default, as Node sends it)
 *    unless the request has one;
 * 5. every header is signed.
 *
 * The path and query are taken from the WHATWG-parsed URL, which is what axios and Node put on
 * the wire, so the signed path is the sent path.
 *
 * Returns only the headers to add (`X-Sdk-Date`, `Host`, `X-Security-Token`,
 * `X-Sdk-Content-Sha256` when added, and `Authorization`); `req` is not changed.
 * Throws `ConfigError` for empty credentials, `TypeError` for a malformed request.
 */
export function signRequest(req: SignableRequest, creds: AkSkCredentials, now?: Date): Record<string, string> {
    if (typeof creds?.accessKey !== "string" || creds.accessKey === "" || /[\s,]/.test(creds.accessKey)) {
        throw new ConfigError({ field: "accessKey", value: printable(creds?.accessKey), allowed: "a non-empty access key ID without spaces or commas" });
    }
    if (typeof creds.secretKey !== "string" || creds.secretKey === "") {
        throw new ConfigError({ field: "secretKey", value: "(missing)", allowed: "a non-empty secret key" });
    }
    const url = new URL(req.url);
    const headers = new Map<string, { name: string; value: string }>();
    for (const [name, value] of Object.entries(req.headers ?? {})) {
        if (!TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
        if (typeof value !== "string" || /[\0\r\n]/.test(value)) throw new TypeError(`invalid value for header ${name}`);
        const lower = name.toLowerCase();
        if (lower === "authorization") throw new TypeError("the request to sign must not already carry an Authorization header");
        if (headers.has(lower)) throw new TypeError(`header ${name} is given twice (names are case-insensitive)`);
        headers.set(lower, { name, value });
    }
    const added: Record<string, string> = {};
    const add = (name: string, value: string) => {
        headers.set(name.toLowerCase(), { name, value });
        added[name] = value;
    };

    if (creds.securityToken !== undefined && creds.securityToken !== "") {
        if (/[\0\r\n]/.test(creds.securityToken))
            throw new ConfigError({ field: "securityToken", value: "(set, hidden)", allowed: "a token without line breaks" });
        add(HEADER_SECURITY_TOKEN, creds.securityToken);
    }
    const contentType = headers.get("content-type")?.value;
    if (contentType && !contentType.startsWith("application/json")) add(HEADER_CONTENT_SHA256, UNSIGNED_PAYLOAD);

    let sdkDate = headers.get("x-sdk-date")?.value;
    if (sdkDate === undefined) {
        sdkDate = formatSdkDate(now ?? new Date());
        add(HEADER_SDK_DATE, sdkDate);
    } else if (parseSdkDate(sdkDate) === undefined) {
        throw new TypeError(`X-Sdk-Date ${JSON.stringify(sdkDate)} is not of the form YYYYMMDDTHHMMSSZ`);
    }
    if (!headers.has("host")) add("Host", url.host);

    const body = toBuffer(req.body);
    const values: Record<string, string> = {};
    for (const [lower, { value }] of headers) values[lower] = value;
    const signedHeaders = [...headers.keys()].sort();
    const canonical = canonicalRequest({
        method: req.method.toUpperCase(),
        rawPath: url.pathname,
        rawQuery: url.search,
        headers: values,
        signedHeaders,
        payloadHash: body.length === 0 ? EMPTY_BODY_SHA256 : values["x-sdk-content-sha256"] || sha256Hex(body),
    });
    const signature = computeSignature(creds.secretKey, stringToSign(sdkDate, canonical));
    added.Authorization = authorizationHeader(creds.accessKey, signedHeaders, signature);
    return added;
}

/** The bytes of a body (empty when absent). */
export function toBuffer(body: string | Buffer | undefined): Buffer {
    if (body === undefined || body === null) return Buffer.alloc(0);
    return typeof body === "string" ? Buffer.from(body, "utf8") : body;
}
