/**
 * Every class of poll outcome, from an HTTP answer or a transport failure.
 */
import { expect } from "chai";
import { JobApiError } from "../../../provider/errors";
import { classifyAnswer, classifyTransportFailure, HttpAnswer, parseRetryAfter } from "../../../provider/http/classify";
import { MAX_BODY_BYTES } from "../../../provider/http/client";
import { serverTextFilter } from "../../../provider/serverText";
import { getService } from "../../../provider/services";

const SECRET = "SK-very-secret-0123456789";
const ctx = {
    service: getService("dws"),
    jobId: "job-1",
    nowMs: Date.parse("2026-11-23T12:00:00Z"),
    safeText: serverTextFilter([SECRET]),
};
const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => ({
    status,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
});

describe("http: classifyAnswer with a value redacted from the error code", () => {
    it("still sees throttling in APIGW.0308, whose filtered code lost a part", () => {
        const outcome = classifyAnswer(json(403, { error_code: "APIGW.0308", error_msg: "threshold" }), { ...ctx, safeText: serverTextFilter(["APIGW"]) });
        expect(outcome.kind).to.equal("throttled");
        expect(((outcome as { error: Error }).error as JobApiError).errorCode).to.equal("***.0308");
    });
});

describe("http: classifyAnswer", () => {
    const table: [string, HttpAnswer, string, Partial<JobApiError> & { retryAfterMs?: number }][] = [
        ["200 running status", json(200, { status: "RUNNING", progress: "10%" }), "status", {}],
        [
            "429 with Retry-After seconds",
            json(429, { error_code: "APIGW.0308", error_msg: "throttled" }, { "retry-after": "3" }),
            "throttled",
            { retryAfterMs: 3000, errorCode: "APIGW.0308" },
        ],
        ["403 with APIGW.0308 is throttling", json(403, { error_code: "APIGW.0308", error_msg: "threshold" }), "throttled", {}],
        ["429 with HTTP-date Retry-After", json(429, {}, { "retry-after": "Mon, 23 Nov 2026 12:00:05 GMT" }), "throttled", { retryAfterMs: 5000 }],
        ["500", json(500, { error_code: "DWS.9999", error_msg: "internal" }), "transient", { httpStatus: 500, errorCode: "DWS.9999" }],
        ["503 with Retry-After", json(503, {}, { "retry-after": "1" }), "transient", { retryAfterMs: 1000 }],
        ["502 HTML gateway page", { status: 502, headers: { "content-type": "text/html" }, body: "<html><body>Bad Gateway</body></html>" }, "transient", {}],
        ["200 HTML page from a gateway", { status: 200, headers: {}, body: "<!DOCTYPE html><html>maintenance</html>" }, "transient", {}],
        [
            "200 JSON status labelled text/html is a status",
            { status: 200, headers: { "content-type": "text/html;charset=UTF-8" }, body: '{"status":"SUCCESS"}' },
            "status",
            {},
        ],
        [
            "301 HTML page fails at once (redirects are not followed)",
            { status: 301, headers: { "content-type": "text/html", location: "https://dws.example.com/v1.0/p/job/j" }, body: "<html>Moved</html>" },
            "permanent",
            { httpStatus: 301 },
        ],
        [
            "401 HTML page (a WAF block) fails at once",
            { status: 401, headers: { "content-type": "text/html" }, body: "<html>blocked</html>" },
            "permanent",
            { httpStatus: 401 },
        ],
        [
            "403 HTML page fails at once",
            { status: 403, headers: { "content-type": "text/html" }, body: "<html>Forbidden</html>" },
            "permanent",
            { httpStatus: 403 },
        ],
        [
            "400 HTML page fails at once",
            { status: 400, headers: { "content-type": "text/html" }, body: "<html>Bad Request</html>" },
            "permanent",
            { httpStatus: 400 },
        ],
        [
            "404 HTML page (a wrong endpoint) gets the 404 grace, not endless retries",
            { status: 404, headers: { "content-type": "text/html" }, body: "<html>Not Found</html>" },
            "notFound",
            { httpStatus: 404 },
        ],
        [
            "429 HTML page is throttling",
            { status: 429, headers: { "content-type": "text/html", "retry-after": "2" }, body: "<html>slow down</html>" },
            "throttled",
            { retryAfterMs: 2000 },
        ],
        ["408", json(408, {}), "transient", {}],
        [
            "404 with error body",
            json(404, { error_code: "DWS.0001", error_msg: "job not found" }, { "x-request-id": "r-404" }),
            "notFound",
            { httpStatus: 404, requestId: "r-404" },
        ],
        ["401", json(401, { error_code: "APIGW.0301", error_msg: "Incorrect IAM authentication information" }), "permanent", { httpStatus: 401 }],
        [
            "403 with ROMA body",
            json(403, {
                error_code: "ROMA.00000101",
                error_msg: "error summary",
                error_details: "some error details here",
                request_id: "13760c1fe8655e61209b75665e9bef43",
            }),
            "permanent",
            { errorCode: "ROMA.00000101", errorMsg: "error summary — some error details here", requestId: "13760c1fe8655e61209b75665e9bef43" },
        ],
        [
            "400 nested error object",
            json(400, { error: { code: "APIGW.0101", message: "bad request" } }),
            "permanent",
            { errorCode: "APIGW.0101", errorMsg: "bad request" },
        ],
        [
            "400 DDM errCode/externalMessage body",
            json(400, { errCode: "DBS.280001", externalMessage: "Parameter error." }),
            "permanent",
            { errorCode: "DBS.280001", errorMsg: "Parameter error." },
        ],
        [
            "400 ECS/BMS top-level code/message body (ShowJobResponse's query error)",
            json(400, { code: "Ecs.0114", message: "Invalid job ID." }),
            "permanent",
            { errorCode: "Ecs.0114", errorMsg: "Invalid job ID." },
        ],
        [
            "200 ECS query error without a status names its code",
            json(200, { code: "Ecs.0114", message: "Invalid job ID." }),
            "permanent",
            { httpStatus: 200, errorCode: "Ecs.0114", errorMsg: "Invalid job ID." },
        ],
        ["200 truncated JSON", { status: 200, headers: {}, body: '{"status":"RUNN' }, "permanent", { httpStatus: 200 }],
        ["200 empty body", { status: 200, headers: {}, body: "" }, "permanent", {}],
        ["200 JSON without status", json(200, { progress: "5%" }), "permanent", {}],
        ["204", { status: 204, headers: {}, body: "" }, "permanent", {}],
        ["302 redirect is not followed", { status: 302, headers: { location: "https://evil.example" }, body: "" }, "permanent", { httpStatus: 302 }],
    ];
    for (const [name, answer, kind, fields] of table) {
        it(`${name} → ${kind}`, () => {
            const outcome = classifyAnswer(answer, ctx);
            expect(outcome.kind).to.equal(kind);
            if (outcome.kind === "status") return;
            expect(outcome.error).to.be.instanceOf(JobApiError);
            const { retryAfterMs, ...errorFields } = fields;
            if (retryAfterMs !== undefined) expect((outcome as { retryAfterMs?: number }).retryAfterMs).to.equal(retryAfterMs);
            for (const [k, v] of Object.entries(errorFields)) expect((outcome.error as unknown as Record<string, unknown>)[k], k).to.deep.equal(v);
            expect(outcome.error.message).to.contain("job-1");
        });
    }

    it("scrubs secrets and control characters from server text and bounds its length", () => {
        const hostile = json(401, { error_code: "APIGW.0301", error_msg: `bad signature for ${SECRET}\n\u001b[31mred` + "x".repeat(5000) });
        const outcome = classifyAnswer(hostile, ctx);
        expect(outcome.kind).to.equal("permanent");
        const message = (outcome as { error: Error }).error.message;
        expect(message).to.not.contain(SECRET);
        expect(message).to.contain("***");
        // eslint-disable-next-line no-control-regex -- no control character may reach the message
        expect(message).to.not.match(/[\u0000-\u001f]/);
        expect(message.length).to.be.lessThan(1000);
    });

    it("a 200 status with a sub-job list as long as the body cap allows is read, not a stack overflow", () => {
        const body = JSON.stringify({ status: "RUNNING", entities: { sub_jobs: Array.from({ length: 400_000 }, () => 0) } });
        expect(body.length).to.be.lessThan(MAX_BODY_BYTES);
        const outcome = classifyAnswer({ status: 200, headers: { "content-type": "application/json" }, body }, { ...ctx, service: getService("ecs") });
        expect(outcome.kind).to.equal("status");
        expect((outcome as { status: { state: string; subJobs?: unknown[] } }).status).to.deep.include({ state: "running" });
    });

    it("a redirect says where it points (filtered) and what to set instead", () => {
        const answer = { status: 307, headers: { location: `https://other.example/${SECRET}` }, body: "<html>Moved</html>" };
        const message = (classifyAnswer(answer, ctx) as { error: Error }).error.message;
        expect(message).to.contain('redirected (HTTP 307) to "https://other.example/***"');
        expect(message).to.contain("set endpoint to the job API's own address");
    });

    it("a 200 body that is not this service's status names the service", () => {
        const outcome = classifyAnswer(json(200, { data: { status: "Running" } }), ctx);
        expect(outcome.kind).to.equal("permanent");
        expect((outcome as { error: Error }).error.message).to.match(/GaussDB\(DWS\) task progress status: no status string at "status"/);
    });
});

describe("http: classifyTransportFailure", () => {
    it("a host name that does not resolve says which settings to check", () => {
        const outcome = classifyTransportFailure("ENOTFOUND", "getaddrinfo ENOTFOUND dws.cn-nort-4.myhuaweicloud.com", ctx);
        expect(outcome).to.include({ kind: "transient", hostNotFound: true });
        expect((outcome as { error: Error }).error.message).to.match(/ENOTFOUND dws\.cn-nort-4.*check region, HW_CLOUD and endpoint\.$/);
    });

    for (const code of ["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT", "EAI_AGAIN"]) {
        it(`${code} is transient, and not a host that does not resolve`, () => {
            const outcome = classifyTransportFailure(code, "socket hang up", ctx);
            expect(outcome.kind).to.equal("transient");
            expect(outcome).to.not.have.property("hostNotFound");
        });
    }
    it("a network failure's code and message have their own fields, apart from the service's and without an HTTP status", () => {
        const error = (classifyTransportFailure("ECONNRESET", `socket hang up ${SECRET}\r\n`, ctx) as { error: Error }).error as JobApiError;
        expect(error).to.include({ networkCode: "ECONNRESET", networkMessage: "socket hang up ***" });
        expect(error.errorCode).to.equal(undefined);
        expect(error.httpStatus).to.equal(undefined);
        expect(error.message).to.match(/^Job API error for job job-1: no HTTP answer \(ECONNRESET: socket hang up \*\*\*\)\. The connection/);
    });

    it("an unknown failure is permanent (no blind retry of a bug)", () => {
        expect(classifyTransportFailure("ERR_INVALID_URL", "Invalid URL", ctx).kind).to.equal("permanent");
        expect(classifyTransportFailure(undefined, "weird", ctx).kind).to.equal("permanent");
    });
});

describe("http: parseRetryAfter", () => {
    const now = Date.parse("2026-11-23T12:00:00Z");
    const table: [string | undefined, number | undefined][] = [
        [undefined, undefined],
        ["", undefined],
        ["0", 0],
        ["2", 2000],
        ["1.5", 1500],
        ["Mon, 23 Nov 2026 12:00:30 GMT", 30_000],
        ["Mon, 23 Nov 2026 11:00:00 GMT", 0],
        ["Monday, 23-Nov-26 12:00:30 GMT", 30_000],
        ["Mon Nov 23 12:00:30 2026", 30_000],
        ["Mon Nov  1 12:00:30 2026", 0],
        ["Mon Nov 23 12:00:30 2026 GMT", undefined],
        ["99999999", 3_600_000],
        ["soon", undefined],
        ["-5", undefined],
    ];
    for (const [value, expected] of table) {
        it(`${JSON.stringify(value)} → ${expected}`, () => expect(parseRetryAfter(value, now)).to.equal(expected));
    }
    it("reads an asctime date as GMT whatever the machine's time zone", () => {
        const saved = process.env.TZ;
        process.env.TZ = "Asia/Shanghai"; // Node re-reads TZ when it is assigned
        try {
            expect(new Date(2026, 10, 23, 12).toISOString(), "the zone took effect").to.equal("2026-11-23T04:00:00.000Z");
            expect(parseRetryAfter("Mon Nov 23 12:00:30 2026", now)).to.equal(30_000);
        } finally {
            if (saved === undefined) delete process.env.TZ;
            else process.env.TZ = saved;
        }
    });
});
