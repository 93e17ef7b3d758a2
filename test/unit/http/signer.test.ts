/**
 * SDK-HMAC-SHA256 signing and verification: official fixed vectors, a cross-check against a
 * transcription of the official Python SDK's signer, and every rejection of the server check.
 */
import { expect } from "chai";
import axios from "axios";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError } from "../../../provider/errors";
import {
    AkSkCredentials,
    authorizationHeader,
    canonicalQueryString,
    canonicalRequest,
    canonicalUri,
    computeSignature,
    EMPTY_BODY_SHA256,
    formatSdkDate,
    parseSdkDate,
    sdkEscape,
    sha256Hex,
    SignableRequest,
    signRequest,
    stringToSign,
} from "../../../provider/http/signer";
import { parseAuthorization, ReceivedRequest, verifySignature } from "../../../provider/testing/emulator/verify";

describe("signer: fixed vectors of the official Go SDK", () => {
    // Verbatim from huaweicloud/huaweicloud-sdk-go-v3, core/auth/signer/signer_test.go
    // (TestSigner_Sign): ak "AccessKey", sk "SecretKey", endpoint https://example.huaweicloud.com,
    // path /path, X-Sdk-Date 20060102T150405Z. That signer signs only x-sdk-date here (it skips
    // content-type and the TEST_UNDERSCORE header); the POST body is Go's json.Encoder output of
    // {Name: "test", Id: 1}, which ends with a newline.
    const GO_VECTORS: { name: string; method: string; rawQuery: string; body: string; headers: Record<string, string>; expected: string }[] = [
        {
            name: "test1 (GET ?limit=1)",
            method: "GET",
            rawQuery: "limit=1",
            body: "",
            headers: { "x-sdk-date": "20060102T150405Z", test_underscore: "TEST_VALUE" },
            expected:
                "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, " + "Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
        },
        {
            name: "test2 (POST ?key=value, JSON body)",
            method: "POST",
            rawQuery: "key=value",
            body: '{"Name":"test","Id":1}\n',
            headers: { "x-sdk-date": "20060102T150405Z", test_underscore: "TEST_VALUE", "content-type": "application/json" },
            expected:
                "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, " + "Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
        },
    ];

    for (const v of GO_VECTORS) {
        it(`reproduces ${v.name} from the building blocks`, () => {
            const canonical = canonicalRequest({
                method: v.method,
                rawPath: "/path",
                rawQuery: v.rawQuery,
                headers: v.headers,
                signedHeaders: ["x-sdk-date"],
                payloadHash: v.body === "" ? EMPTY_BODY_SHA256 : sha256Hex(v.body),
            });
            const signature = computeSignature("SecretKey", stringToSign("20060102T150405Z", canonical));
            expect(authorizationHeader("AccessKey", ["x-sdk-date"], signature)).to.equal(v.expected);
        });

        it(`verifySignature accepts ${v.name} as the Go SDK sent it (unsigned extra headers included)`, () => {
            const result = verifySignature(
                {
                    method: v.method,
                    rawPath: "/path",
                    rawQuery: v.rawQuery,
                    headers: { ...v.headers, host: "example.huaweicloud.com", authorization: v.expected },
                    body: Buffer.from(v.body),
                },
                (ak) => (ak === "AccessKey" ? "SecretKey" : undefined),
                { now: new Date("2006-01-02T15:04:05Z") },
            );
            expect(result).to.deep.equal({ ok: true, accessKey: "AccessKey" });
        });
    }

    it("canonical query string matches TestSigner_canonicalQueryString", () => {
        // Same file, TestSigner_canonicalQueryString: params limit=1, enable=true,
        // test="一 (&=?!#%.*)", path="/tmp/123", multi=[1,2,3] — given here as a raw query.
        const raw = `multi=3&limit=1&test=${encodeURIComponent("一 (&=?!#%.*)")}&enable=true&multi=1&path=%2Ftmp%2F123&multi=2`;
        expect(canonicalQueryString(raw)).to.equal(
            "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29",
        );
    });
});

describe("signer: cross-check with the official Python SDK's signer", () => {
    // Expected values produced once by a line-by-line Python 3 transcription of
    // huaweicloud/huaweicloud-sdk-python-v3 huaweicloud-sdk-core/huaweicloudsdkcore/signer/signer.py
    // (class Signer) and auth/credentials.py (sign_request adds X-Project-Id and X-Security-Token
    // before signing), fed with SdkRequest(host=<netloc>, resource_path=<path, path params
    // quote(v, safe='')>, query_params=[(k, v), ...] decoded, header_params incl.
    // "X-Sdk-Date": "20240102T030405Z"), and printing header_params["Authorization"]:
    //   r = basic_credentials_sign(SdkRequest(...), AK, SK, project_id=..., security_token=...)
    //   print(r.header_params["Authorization"])
    const AK = "HPUAEXAMPLEAK0000001";
    const SK = "exampleSecretKey+/=0123456789abcdefghijklmn";
    const NOW = new Date("2024-01-02T03:04:05.678Z");
    const PY = "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, ";

    const CASES: { name: string; req: SignableRequest; token?: string; expected: string; added: string[] }[] = [
        {
            name: "DWS GET with project ID",
            req: {
                method: "GET",
                url: "https://dws.cn-north-4.myhuaweicloud.com/v1.0/0123456789abcdef0123456789abcdef/job-status/5e2d3f0a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
                headers: { "Content-Type": "application/json", "X-Project-Id": "0123456789abcdef0123456789abcdef" },
            },
            expected: `${PY}SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=9af5c3cbf5c82a8d6eb16929dd97c13a29f291ae43a6e06829d44bfb9b2dc231`,
            added: ["X-Sdk-Date", "Host", "Authorization"],
        },
        {
            name: "temporary credentials (security token signed)",
            req: {
                method: "get",
                url: "https://ddm.ap-southeast-1.myhuaweicloud.com/v1/proj-1/jobs/job_42",
                headers: { "Content-Type": "application/json;charset=UTF-8", "X-Project-Id": "proj-1" },
            },
            token: "gQpjbi1ub3J0aC00i+/=TOKEN",
            expected: `${PY}SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, Signature=7fcfed5748d500fa3234cc8bcfa559cb24568e98a5ef85a3ee9be48e3d09da70`,
            added: ["X-Security-Token", "X-Sdk-Date", "Host", "Authorization"],
        },
        {
            name: "query string: repeated keys, reserved characters, UTF-8, upper-case key, empty value",
            req: {
                method: "GET",
                url: "https://roma.cn-north-4.myhuaweicloud.com/v2/p/instances/i-1/tasks?offset=0&limit=10&name=a%20b&name=A%26B%3DC&empty=&z=%E4%B8%80%20(~*')&Upper=x",
                headers: {},
            },
            expected: `${PY}SignedHeaders=host;x-sdk-date, Signature=21329086c3acdbe88a63770ec50eb64b7d0d3c499d6b526797a95aa1137afc66`,
            added: ["X-Sdk-Date", "Host", "Authorization"],
        },
        {
            name: "encoded ../ inside one segment (%2E%2E%2Fx), Europe domain",
            req: {
                method: "GET",
                url: "https://cfw.eu-west-101.myhuaweicloud.eu/v1/p/jobs/%2E%2E%2Fx",
                headers: { "Content-Type": "application/json", "X-Project-Id": "p" },
            },
            expected: `${PY}SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=1d9c67a640a833451114ac2f0ab9b3c1449a742451a9fc49762d55c0ad48446a`,
            added: ["X-Sdk-Date", "Host", "Authorization"],
        },
        {
            name: "UTF-8 and sub-delimiters in a segment",
            req: { method: "GET", url: "https://dws.la-north-2.myhuaweicloud.com/v1.0/p/jobs/a%20b%C3%A9~_.-%21%27%28%29%2A%40%3A", headers: {} },
            expected: `${PY}SignedHeaders=host;x-sdk-date, Signature=5fecb3fdf457b7b4aac1f3d33dad07dd532856185a08b4a84c9edb79fc040bed`,
            added: ["X-Sdk-Date", "Host", "Authorization"],
        },
        {
            name: "loopback host with port, trailing slash",
            req: { method: "GET", url: "http://127.0.0.1:8443/v3/p/jobs/?a=1", headers: { "Content-Type": "application/json", "X-Project-Id": "p" } },
            expected: `${PY}SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=06bfbe98c387d6d5988a12252383788ac036520219f271e82b7318f1b1392286`,
            added: ["X-Sdk-Date", "Host", "Authorization"],
        },
        {
            name: "POST with a JSON body",
            req: {
                method: "POST",
                url: "https://dws.cn-north-4.myhuaweicloud.com/v1.0/p/jobs",
                headers: { "Content-Type": "application/json", "X-Project-Id": "p" },
                body: '{"job_id":"x","n":1}',
            },
            expected: `${PY}SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=23556abb1388f12918543eeb17164f32317c520fa5573449183a6abbf982c9a2`,
            added: ["X-Sdk-Date", "Host", "Authorization"],
        },
        {
            name: "non-JSON body: X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD",
            req: {
                method: "PUT",
                url: "https://dws.cn-north-4.myhuaweicloud.com/v1.0/p/upload",
                headers: { "Content-Type": "application/octet-stream", "X-Project-Id": "p" },
                body: Buffer.from("binary-ish body"),
            },
            expected: `${PY}SignedHeaders=content-type;host;x-project-id;x-sdk-content-sha256;x-sdk-date, Signature=07ef02bc2ea9217dc8a83926bf9ab6728323d0d3a04195621ca26a2b291673e2`,
            added: ["X-Sdk-Content-Sha256", "X-Sdk-Date", "Host", "Authorization"],
        },
    ];

    for (const c of CASES) {
        it(`${c.name}: same Authorization as the Python SDK`, () => {
            const creds: AkSkCredentials = { accessKey: AK, secretKey: SK, ...(c.token ? { securityToken: c.token } : {}) };
            const before = JSON.stringify(c.req);
            const added = signRequest(c.req, creds, NOW);
            expect(added.Authorization).to.equal(c.expected);
            expect(Object.keys(added)).to.have.members(c.added);
            expect(added["X-Sdk-Date"]).to.equal("20240102T030405Z");
            expect(added.Host).to.equal(new URL(c.req.url).host);
            if (c.token) expect(added["X-Security-Token"]).to.equal(c.token);
            if (added["X-Sdk-Content-Sha256"]) expect(added["X-Sdk-Content-Sha256"]).to.equal("UNSIGNED-PAYLOAD");
            expect(JSON.stringify(c.req), "req is not mutated").to.equal(before);
            // And the server side accepts it.
            expect(verifySignature(received(c.req, added), (ak) => (ak === AK ? SK : undefined), { now: NOW })).to.deep.equal({ ok: true, accessKey: AK });
        });
    }
});

describe("signer: building blocks", () => {
    it("formats and parses X-Sdk-Date (UTC, seconds)", () => {
        expect(formatSdkDate(new Date("2024-01-02T03:04:05.999Z"))).to.equal("20240102T030405Z");
        expect(formatSdkDate(new Date("1999-12-31T23:59:59+01:00"))).to.equal("19991231T225959Z");
        expect(parseSdkDate("20240102T030405Z")?.toISOString()).to.equal("2024-01-02T03:04:05.000Z");
        for (const bad of ["20240231T000000Z", "20240102T030405", "2024-01-02T03:04:05Z", "20240102T250000Z", " 20240102T030405Z", ""]) {
            expect(parseSdkDate(bad), bad).to.equal(undefined);
        }
        expect(() => formatSdkDate(new Date(NaN))).to.throw(TypeError);
    });

    it("escapes like Go escape() / Python quote(safe='~')", () => {
        expect(sdkEscape("AZaz09-_.~")).to.equal("AZaz09-_.~");
        expect(sdkEscape(" !\"#$%&'()*+,/:;=?@[]")).to.equal("%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D");
        expect(sdkEscape("é一😀")).to.equal("%C3%A9%E4%B8%80%F0%9F%98%80");
    });

    const URIS: [string, string][] = [
        ["", "/"],
        ["/", "/"],
        ["/v1/p/jobs/abc", "/v1/p/jobs/abc/"],
        ["/v1/p/jobs/abc/", "/v1/p/jobs/abc/"],
        ["/v1/p/jobs/a%2Fb", "/v1/p/jobs/a/b/"],
        ["/v1/p/jobs/%2E%2E%2Fx", "/v1/p/jobs/../x/"],
        ["/v1/p/jobs/%2e%2e%2fx", "/v1/p/jobs/../x/"],
        ["/a%20b/%7Ec/%41", "/a%20b/~c/A/"],
        ["/a b/(c)", "/a%20b/%28c%29/"],
        ["/bad%zz/%", "/bad%25zz/%25/"],
        ["/%FF", "/%FF/"],
        ["//double//", "//double//"],
    ];
    for (const [raw, canonical] of URIS) {
        it(`canonical URI of ${JSON.stringify(raw)} is ${canonical}`, () => expect(canonicalUri(raw)).to.equal(canonical));
    }

    const QUERIES: [string, string][] = [
        ["", ""],
        ["?", ""],
        ["?b=2&a=1", "a=1&b=2"],
        ["a=2&a=1&a=10", "a=1&a=10&a=2"],
        ["flag&x=", "flag=&x="],
        ["a=1&&b=2&", "a=1&b=2"],
        ["q=a+b&r=a%20b&s=a%2Bb", "q=a%20b&r=a%20b&s=a%2Bb"],
        ["B=1&a=1&_=1", "B=1&_=1&a=1"],
        ["k=%E4%B8%80&k=%7A", "k=z&k=%E4%B8%80"],
        ["eq=a=b", "eq=a%3Db"],
    ];
    for (const [raw, canonical] of QUERIES) {
        it(`canonical query of ${JSON.stringify(raw)} is ${JSON.stringify(canonical)}`, () => expect(canonicalQueryString(raw)).to.equal(canonical));
    }

    it("parses Authorization values", () => {
        expect(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${"A".repeat(64)}`)).to.deep.equal({
            accessKey: "AK1",
            signedHeaders: ["host", "x-sdk-date"],
            signature: "a".repeat(64),
        });
        for (const bad of [
            "",
            "Bearer abc",
            `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=${"a".repeat(63)}`,
            `SDK-HMAC-SHA256 Access=AK1, Signature=${"a".repeat(64)}`,
            `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=${"g".repeat(64)}`,
            `SDK-HMAC-SM3 Access=AK1, SignedHeaders=host, Signature=${"a".repeat(64)}`,
        ]) {
            expect(parseAuthorization(bad), bad).to.equal(undefined);
        }
    });
});

describe("signer: signRequest behaviour", () => {
    const creds = { accessKey: "AK-TEST", secretKey: "SK-TEST-very-secret" };
    const now = new Date("2025-06-01T12:00:00Z");

    it("keeps a Host header the caller gives and does not return it", () => {
        const added = signRequest({ method: "GET", url: "http://127.0.0.1:9/x", headers: { host: "example.com" } }, creds, now);
        expect(added).to.not.have.property("Host");
        expect(added.Authorization).to.contain("SignedHeaders=host;x-sdk-date,");
    });

    it("uses an X-Sdk-Date the caller gives instead of now", () => {
        const added = signRequest({ method: "GET", url: "https://h.example.com/", headers: { "X-Sdk-Date": "20200101T000000Z" } }, creds, now);
        expect(added).to.not.have.property("X-Sdk-Date");
        const received: ReceivedRequest = {
            method: "GET",
            rawPath: "/",
            rawQuery: "",
            headers: { host: "h.example.com", "x-sdk-date": "20200101T000000Z", authorization: added.Authorization },
        };
        expect(verifySignature(received, () => creds.secretKey, { now: new Date("2020-01-01T00:05:00Z") }).ok).to.equal(true);
    });

    it("signs with the current time when no date is given", () => {
        const added = signRequest({ method: "GET", url: "https://h.example.com/", headers: {} }, creds);
        const signedAt = parseSdkDate(added["X-Sdk-Date"])!.getTime();
        expect(Math.abs(Date.now() - signedAt)).to.be.below(5000);
    });

    const BAD: [string, () => unknown, new (...args: never[]) => Error][] = [
        ["empty secret key", () => signRequest({ method: "GET", url: "https://h/", headers: {} }, { accessKey: "AK", secretKey: "" }), ConfigError],
        ["empty access key", () => signRequest({ method: "GET", url: "https://h/", headers: {} }, { accessKey: "", secretKey: "S" }), ConfigError],
        ["access key with a comma", () => signRequest({ method: "GET", url: "https://h/", headers: {} }, { accessKey: "A,B", secretKey: "S" }), ConfigError],
        ["same header twice in different case", () => signRequest({ method: "GET", url: "https://h/", headers: { "X-A": "1", "x-a": "2" } }, creds), TypeError],
        ["header value with CRLF", () => signRequest({ method: "GET", url: "https://h/", headers: { "X-A": "1\r\nX-B: 2" } }, creds), TypeError],
        ["invalid header name", () => signRequest({ method: "GET", url: "https://h/", headers: { "X A": "1" } }, creds), TypeError],
        ["Authorization already present", () => signRequest({ method: "GET", url: "https://h/", headers: { authorization: "x" } }, creds), TypeError],
        ["malformed X-Sdk-Date", () => signRequest({ method: "GET", url: "https://h/", headers: { "X-Sdk-Date": "yesterday" } }, creds), TypeError],
        ["relative URL", () => signRequest({ method: "GET", url: "/v1/x", headers: {} }, creds), TypeError],
    ];
    for (const [what, fn, type] of BAD) {
        it(`refuses ${what} without echoing the secret`, () => {
            let caught: unknown;
            try {
                fn();
            } catch (error) {
                caught = error;
            }
            expect(caught).to.be.instanceOf(type);
            expect(String((caught as Error).message)).to.not.contain(creds.secretKey);
        });
    }
});

describe("signer: verifySignature", () => {
    const AK = "AK-VERIFY-0001";
    const SK = "SK-verify-secret-0123456789abcdef";
    const TOKEN = "SECURITY-TOKEN-verify-0123456789";
    const NOW = new Date("2025-03-04T05:06:07Z");
    const lookup = (ak: string) => (ak === AK ? SK : undefined);

    const base: SignableRequest = {
        method: "GET",
        url: "https://dws.cn-north-4.myhuaweicloud.com/v1.0/proj/job-status/job-1?x=1&y=2",
        headers: { "Content-Type": "application/json", "X-Project-Id": "proj" },
    };
    const good = (): ReceivedRequest => received(base, signRequest(base, { accessKey: AK, secretKey: SK, securityToken: TOKEN }, NOW));
    const withHeaders = (r: ReceivedRequest, h: Record<string, string | string[] | undefined>): ReceivedRequest => ({ ...r, headers: { ...r.headers, ...h } });
    const auth = (r: ReceivedRequest) => String(r.headers.authorization);

    it("accepts what signRequest produced", () => {
        expect(verifySignature(good(), lookup, { now: NOW })).to.deep.equal({ ok: true, accessKey: AK });
    });

    it("accepts a clock skew just inside the window (default 15 min), both ways", () => {
        expect(verifySignature(good(), lookup, { now: new Date(NOW.getTime() + 14 * 60_000) }).ok).to.equal(true);
        expect(verifySignature(good(), lookup, { now: new Date(NOW.getTime() - 15 * 60_000) }).ok).to.equal(true);
    });

    it("accepts a POST body and rejects a changed one", () => {
        const post: SignableRequest = {
            method: "POST",
            url: "https://h.example.com/v1/p/jobs",
            headers: { "Content-Type": "application/json" },
            body: '{"a":1}',
        };
        const r = received(post, signRequest(post, { accessKey: AK, secretKey: SK }, NOW));
        expect(verifySignature(r, lookup, { now: NOW }).ok).to.equal(true);
        const tampered = verifySignature({ ...r, body: Buffer.from('{"a":2}') }, lookup, { now: NOW });
        expect(tampered.ok).to.equal(false);
    });

    const REJECT: [string, () => ReceivedRequest, RegExp, { now?: Date; maxSkewMs?: number }?][] = [
        ["wrong secret key", () => received(base, signRequest(base, { accessKey: AK, secretKey: "not-the-right-secret" }, NOW)), /signature does not match/],
        ["tampered path", () => ({ ...good(), rawPath: "/v1.0/proj/job-status/job-2" }), /signature does not match/],
        ["tampered path (encoded traversal)", () => ({ ...good(), rawPath: "/v1.0/proj/job-status/%2E%2E%2Fjob-1" }), /signature does not match/],
        ["tampered query", () => ({ ...good(), rawQuery: "x=1&y=3" }), /signature does not match/],
        ["added query parameter", () => ({ ...good(), rawQuery: "x=1&y=2&z=0" }), /signature does not match/],
        ["tampered method", () => ({ ...good(), method: "DELETE" }), /signature does not match/],
        ["tampered signed header (X-Project-Id)", () => withHeaders(good(), { "x-project-id": "other" }), /signature does not match/],
        ["tampered signed header (host)", () => withHeaders(good(), { host: "evil.example.com" }), /signature does not match/],
        ["tampered security token", () => withHeaders(good(), { "x-security-token": "forged" }), /signature does not match/],
        ["stale date (16 min old)", good, /away from the server clock/, { now: new Date(NOW.getTime() + 16 * 60_000) }],
        ["date from the future", good, /away from the server clock/, { now: new Date(NOW.getTime() - 16 * 60_000) }],
        ["stale date with a custom window", good, /at most 60 s/, { now: new Date(NOW.getTime() + 61_000), maxSkewMs: 60_000 }],
        ["malformed date", () => withHeaders(good(), { "x-sdk-date": "2025-03-04T05:06:07Z" }), /YYYYMMDDTHHMMSSZ/],
        ["unknown access key", () => withHeaders(good(), { authorization: auth(good()).replace(`Access=${AK}`, "Access=SOMEONE-ELSE") }), /unknown access key/],
        ["missing Authorization", () => withHeaders(good(), { authorization: undefined }), /missing Authorization/],
        ["Authorization sent twice", () => withHeaders(good(), { authorization: [auth(good()), auth(good())] }), /more than once/],
        ["other scheme", () => withHeaders(good(), { authorization: auth(good()).replace("SDK-HMAC-SHA256", "SDK-HMAC-SM3") }), /malformed Authorization/],
        ["truncated signature", () => withHeaders(good(), { authorization: auth(good()).slice(0, -1) }), /malformed Authorization/],
        ["no SignedHeaders", () => withHeaders(good(), { authorization: auth(good()).replace(/SignedHeaders=[^,]+, /, "") }), /malformed Authorization/],
        ["garbage", () => withHeaders(good(), { authorization: "Basic dXNlcjpwYXNz" }), /malformed Authorization/],
        ["unsorted SignedHeaders", () => withHeaders(good(), { authorization: auth(good()).replace("content-type;host", "host;content-type") }), /sorted/],
        [
            "upper-case SignedHeaders",
            () => withHeaders(good(), { authorization: auth(good()).replace("content-type;host", "Content-Type;host") }),
            /lower-case/,
        ],
        [
            "x-sdk-date not signed",
            () => {
                const r = good();
                return withHeaders(r, { authorization: auth(r).replace(";x-sdk-date;", ";") });
            },
            /x-sdk-date is not among the signed headers/,
        ],
        [
            "security token present but not signed",
            () => {
                const unsigned = received(base, signRequest(base, { accessKey: AK, secretKey: SK }, NOW));
                return withHeaders(unsigned, { "x-security-token": TOKEN });
            },
            /x-security-token is present but not signed/,
        ],
        ["signed header missing", () => withHeaders(good(), { "x-project-id": undefined }), /signed header x-project-id is missing/],
        ["signed header repeated", () => withHeaders(good(), { "x-project-id": ["proj", "proj"] }), /x-project-id was sent more than once/],
    ];
    for (const [what, make, reason, options] of REJECT) {
        it(`rejects ${what}`, () => {
            const result = verifySignature(make(), lookup, { now: NOW, ...options });
            expect(result.ok, JSON.stringify(result)).to.equal(false);
            const text = (result as { reason: string }).reason;
            expect(text).to.match(reason);
            expect(text).to.not.contain(SK);
            expect(text).to.not.contain(TOKEN);
        });
    }

    it("refuses a negative or non-finite maxSkewMs", () => {
        expect(() => verifySignature(good(), lookup, { maxSkewMs: -1 })).to.throw(RangeError);
        expect(() => verifySignature(good(), lookup, { maxSkewMs: NaN })).to.throw(RangeError);
    });

    it("accepts an empty body signed with X-Sdk-Content-Sha256 as the Go SDK hashes it", () => {
        const headers = { "x-sdk-date": "20250304T050607Z", "x-sdk-content-sha256": "UNSIGNED-PAYLOAD", host: "h.example.com" };
        const signed = ["host", "x-sdk-content-sha256", "x-sdk-date"];
        const canonical = canonicalRequest({ method: "GET", rawPath: "/p", rawQuery: "", headers, signedHeaders: signed, payloadHash: "UNSIGNED-PAYLOAD" });
        const authorization = authorizationHeader(AK, signed, computeSignature(SK, stringToSign("20250304T050607Z", canonical)));
        const r: ReceivedRequest = { method: "GET", rawPath: "/p", rawQuery: "", headers: { ...headers, authorization } };
        expect(verifySignature(r, lookup, { now: NOW }).ok).to.equal(true);
    });
});

describe("signer: end to end over loopback with axios (as the job client sends it)", () => {
    const AK = "AK-E2E";
    const SK = "SK-e2e-secret-value-0123456789";
    let server: http.Server;
    let origin: string;
    let results: { ok: boolean; reason?: string; url?: string }[];

    before(async () => {
        results = [];
        server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const url = req.url ?? "/";
                const q = url.indexOf("?");
                const result = verifySignature(
                    {
                        method: req.method ?? "GET",
                        rawPath: q < 0 ? url : url.slice(0, q),
                        rawQuery: q < 0 ? "" : url.slice(q + 1),
                        headers: req.headers,
                        body: Buffer.concat(chunks),
                    },
                    (ak) => (ak === AK ? SK : undefined),
                );
                results.push({ ...result, url });
                res.writeHead(result.ok ? 200 : 401, { "content-type": "text/plain" }).end(result.ok ? "ok" : result.reason);
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    after(async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const PATHS = [
        "/v1.0/0123456789abcdef0123456789abcdef/job-status/5e2d3f0a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
        "/v2/p/instances/i-1/tasks/%2E%2E%2Fx",
        "/v1/p/jobs/a%3Fb%23c%20d?limit=10&name=a%20b&offset=0",
    ];
    for (const path of PATHS) {
        it(`a signed GET ${path} verifies on the server`, async () => {
            const headers: Record<string, string> = { "Content-Type": "application/json", "X-Project-Id": "0123456789abcdef0123456789abcdef" };
            const signedHeaders = {
                ...headers,
                ...signRequest({ method: "GET", url: origin + path, headers }, { accessKey: AK, secretKey: SK, securityToken: "TOKEN-e2e" }),
            };
            const response = await axios.get<string>(origin + path, { headers: signedHeaders, validateStatus: () => true, responseType: "text", proxy: false });
            expect(response.status, response.data).to.equal(200);
            expect(results.at(-1)?.url).to.equal(path);
        });
    }
});

/** The request as a Node server would see it after `req` was sent with `added` headers. */
function received(req: SignableRequest, added: Record<string, string>): ReceivedRequest {
    const url = new URL(req.url);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...req.headers, ...added })) headers[name.toLowerCase()] = value;
    if (headers.host === undefined) headers.host = url.host;
    return {
        method: req.method.toUpperCase(),
        rawPath: url.pathname,
        rawQuery: url.search.replace(/^\?/, ""),
        headers,
        body: req.body === undefined ? undefined : Buffer.from(req.body),
    };
}
