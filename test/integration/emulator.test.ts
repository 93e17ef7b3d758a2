/**
 * Integration tests of the job API emulator: a real HTTP server on 127.0.0.1, queried with
 * `node:http`. Most tests drive the emulator's clock; a few use the wall clock with short jobs.
 */

import { expect } from "chai";
import * as http from "node:http";
import * as net from "node:net";
import { ConfigError } from "../../provider/errors";
import { signRequest } from "../../provider/http/signer";
import { EmulatorOptions, EmulatorRequestRecord, JobApiEmulator } from "../../provider/testing/emulator";

/** A manually driven clock, starting at the DWS seed's begin time. */
function fakeClock(start = Date.UTC(2022, 10, 9, 20, 25, 0)) {
    const clock = { t: start, now: () => clock.t, advance: (ms: number) => (clock.t += ms) };
    return clock;
}

interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    text: string;
}

/** GET `url` on a fresh connection (no keep-alive), collecting the whole answer. */
function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, headers, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
            res.on("error", reject);
        });
        req.on("error", reject);
        req.end();
    });
}

/** Send raw bytes and collect whatever comes back until the server closes the connection. */
function raw(port: number, request: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.end(request));
        const chunks: Buffer[] = [];
        socket.on("data", (c) => chunks.push(c));
        socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
        socket.on("error", reject);
    });
}

function json(reply: Reply): Record<string, unknown> {
    return JSON.parse(reply.text) as Record<string, unknown>;
}

const TOKEN = "emulator-test-token-7f3a";
const AUTH = { "X-Auth-Token": TOKEN };

describe("JobApiEmulator (integration, real HTTP server)", function () {
    this.timeout(10_000);
    let emulator: JobApiEmulator;
    let clock: ReturnType<typeof fakeClock>;

    async function startWith(options: EmulatorOptions = {}): Promise<JobApiEmulator> {
        if (emulator) await emulator.close();
        emulator = await JobApiEmulator.start({ tokens: [TOKEN], now: clock.now, ...options });
        return emulator;
    }

    beforeEach(async () => {
        clock = fakeClock();
        await startWith();
    });

    afterEach(async () => {
        await emulator.close();
    });

    describe("server", () => {
        it("listens on 127.0.0.1 on an ephemeral port", () => {
            expect(emulator.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
            expect(Number(new URL(emulator.endpoint).port)).to.be.greaterThan(0);
        });

        it("refuses a host other than loopback and invalid options", async () => {
            await expectRejects(JobApiEmulator.start({ host: "0.0.0.0" as "127.0.0.1" }), ConfigError);
            await expectRejects(JobApiEmulator.start({ randomFaults: { rate: 2, kinds: [{ kind: "drop" }], seed: 1 } }), ConfigError);
            await expectRejects(JobApiEmulator.start({ randomFaults: { rate: 0.5, kinds: [], seed: 1 } }), ConfigError);
            await expectRejects(JobApiEmulator.start({ logCapacity: 0 }), ConfigError);
            await expectRejects(JobApiEmulator.start({ temporaryKeys: { AK1: { secretKey: "sk", securityToken: "" } } }), ConfigError);
            await expectRejects(
                JobApiEmulator.start({ accessKeys: { AK1: "sk" }, temporaryKeys: { AK1: { secretKey: "sk", securityToken: "t" } } }),
                ConfigError,
            );
        });

        it("closes promptly, even with a slow answer pending and keep-alive connections open", async () => {
            const jobId = emulator.defineJob({
                service: "dws",
                projectId: "p",
                durationMs: 100,
                outcome: "succeeded",
                faults: [{ kind: "slow", delayMs: 5000 }],
            });
            const agent = new http.Agent({ keepAlive: true });
            const pending = new Promise<string>((resolve) => {
                const req = http.get(emulator.jobUrl(jobId), { headers: AUTH, agent }, () => resolve("answered"));
                req.on("error", (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
            });
            await sleep(50);
            const started = Date.now();
            await emulator.close();
            expect(Date.now() - started).to.be.lessThan(1000);
            expect(await pending).to.match(/^error/);
            await emulator.close(); // idempotent
            agent.destroy();
        });
    });

    describe("DWS body shapes (GET /v1.0/{project_id}/job/{job_id})", () => {
        it("renders running, succeeded and failed exactly like the seed", async () => {
            const ok = emulator.defineJob({ service: "dws", projectId: "05f2cff45100d5112f4bc00b794ea08e", durationMs: 1000, outcome: "succeeded" });
            const bad = emulator.defineJob({
                service: "dws",
                projectId: "05f2cff45100d5112f4bc00b794ea08e",
                jobName: "ecfClusterElbCreateJob",
                durationMs: 1000,
                outcome: "failed",
                progress: () => 9,
            });
            expect(ok).to.match(/^[0-9a-f]{32}$/);
            expect(emulator.jobUrl(ok)).to.equal(`${emulator.endpoint}/v1.0/05f2cff45100d5112f4bc00b794ea08e/job/${ok}`);

            clock.advance(450);
            let r = await get(emulator.jobUrl(ok), AUTH);
            expect(r.status).to.equal(200);
            expect(r.headers["content-type"]).to.match(/^application\/json/);
            expect(json(r)).to.deep.equal({
                status: "RUNNING",
                progress: "45%",
                job_id: ok,
                job_name: "emulatedDwsJob",
                begin_time: "2022-11-09T20:25:00",
            });

            clock.advance(550);
            r = await get(emulator.jobUrl(ok), AUTH);
            expect(json(r)).to.deep.equal({
                status: "SUCCESS",
                progress: "100%",
                job_id: ok,
                job_name: "emulatedDwsJob",
                begin_time: "2022-11-09T20:25:00",
                end_time: "2022-11-09T20:25:01",
            });

            r = await get(emulator.jobUrl(bad), AUTH);
            const body = json(r);
            // Same keys, in the same order, as the seed's example response.
            expect(Object.keys(body)).to.deep.equal(["status", "progress", "job_id", "job_name", "begin_time", "end_time", "failed_code", "failed_detail"]);
            expect(body).to.deep.equal({
                status: "FAIL",
                progress: "9%",
                job_id: bad,
                job_name: "ecfClusterElbCreateJob",
                begin_time: "2022-11-09T20:25:00",
                end_time: "2022-11-09T20:25:01",
                failed_code: "CreateELBTask-fail:DWS.0114",
                failed_detail: "DWS.0114:ELB private IP is not configured.",
            });
        });
    });

    describe("DDM body shapes (GET /v3/{project_id}/jobs/{job_id})", () => {
        it("renders running, succeeded and failed exactly like the seed (process only while running, no failure fields)", async () => {
            clock.t = Date.UTC(2018, 7, 6, 10, 41, 14);
            const instance = { id: "a48e43ff268f4c0e879652d65e63d0fbin09", name: "DDM-test" };
            const ok = emulator.defineJob({ service: "ddm", projectId: "p", durationMs: 10_000, outcome: "succeeded", instance });
            const bad = emulator.defineJob({ service: "ddm", projectId: "p", durationMs: 10_000, outcome: "failed", failedCode: "X", failedDetail: "Y" });
            expect(ok).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

            clock.advance(6000);
            let body = json(await get(emulator.jobUrl(ok), AUTH));
            expect(Object.keys(body.job as object)).to.deep.equal(["id", "name", "status", "created_time", "end_time", "process", "instance"]);
            expect(body).to.deep.equal({
                job: { id: ok, name: "CreateInstance", status: "Running", created_time: "2018-08-06T10:41:14+0000", end_time: "", process: "60%", instance },
            });

            clock.advance(4000);
            body = json(await get(emulator.jobUrl(ok), AUTH));
            expect(body).to.deep.equal({
                job: {
                    id: ok,
                    name: "CreateInstance",
                    status: "Completed",
                    created_time: "2018-08-06T10:41:14+0000",
                    end_time: "2018-08-06T10:41:24+0000",
                    process: "",
                    instance,
                },
            });

            body = json(await get(emulator.jobUrl(bad), AUTH));
            const job = body.job as Record<string, unknown>;
            expect(job.status).to.equal("Failed");
            expect(job.process).to.equal("");
            expect(JSON.stringify(body)).not.to.match(/failed_code|error_code|"X"|"Y"/);
            expect(job.instance).to.have.keys("id", "name");
        });
    });

    describe("CFW body shapes (GET /v3/{project_id}/jobs/{job_id})", () => {
        it("renders running, succeeded and failed like the seed (epoch-ms times, top-level error fields)", async () => {
            clock.t = 1641370501000;
            const ok = emulator.defineJob({
                service: "cfw",
                projectId: "09bb24e6fe80d23d2fa2c010b53b418c",
                jobId: "f588ce71-e26c-400d-8981-f854355f6849",
                durationMs: 14_000,
                outcome: "succeeded",
            });
            const bad = emulator.defineJob({
                service: "cfw",
                projectId: "09bb24e6fe80d23d2fa2c010b53b418c",
                durationMs: 14_000,
                outcome: "failed",
                failedCode: "CFW.00200005",
                failedDetail: "rule sync failed",
            });

            clock.advance(7000);
            let r = await get(`${emulator.endpoint}/v3/09bb24e6fe80d23d2fa2c010b53b418c/jobs/f588ce71-e26c-400d-8981-f854355f6849`, AUTH);
            expect(json(r)).to.deep.equal({ data: { begin_time: 1641370501000, id: ok, status: "Running" } });

            clock.advance(7000);
            r = await get(emulator.jobUrl(ok), AUTH);
            // The seed's example, byte for byte.
            expect(r.text).to.equal(
                JSON.stringify({ data: { begin_time: 1641370501000, end_time: 1641370515000, id: "f588ce71-e26c-400d-8981-f854355f6849", status: "Success" } }),
            );

            r = await get(emulator.jobUrl(bad), AUTH);
            expect(json(r)).to.deep.equal({
                data: { begin_time: 1641370501000, end_time: 1641370515000, id: bad, status: "Failed" },
                error_code: "CFW.00200005",
                error_msg: "rule sync failed",
            });
        });
    });

    describe("ROMA body shapes (GET /v2/{project_id}/instances/{instance_id}/assets/jobs/{job_id})", () => {
        it("renders running, succeeded and failed exactly like the seed", async () => {
            clock.t = Date.UTC(2019, 11, 6, 6, 49, 4);
            const ok = emulator.defineJob({
                service: "roma",
                projectId: "p",
                instanceId: "i-1",
                durationMs: 60_000,
                outcome: "succeeded",
                archiveId: "arch-1",
            });
            const bad = emulator.defineJob({
                service: "roma",
                projectId: "p",
                instanceId: "i-1",
                durationMs: 60_000,
                outcome: "failed",
                jobType: "importAsset",
                reasons: [{ resource_type: "application", resource_name: "myApp", error_code: "ROMA.00000101", error_msg: "some error details here" }],
            });
            expect(emulator.jobUrl(ok)).to.equal(`${emulator.endpoint}/v2/p/instances/i-1/assets/jobs/${ok}`);

            clock.advance(21_000);
            let body = json(await get(emulator.jobUrl(ok), AUTH));
            expect(Object.keys(body)).to.deep.equal(["id", "type", "status", "reason", "progress_percent", "archive_id", "begin_time"]);
            expect(body).to.deep.equal({
                id: ok,
                type: "exportAsset",
                status: "RUNNING",
                reason: [],
                progress_percent: 0.35,
                archive_id: "arch-1",
                begin_time: "2019-12-06T06:49:04Z",
            });

            clock.advance(39_000);
            body = json(await get(emulator.jobUrl(ok), AUTH));
            expect(body).to.deep.equal({
                id: ok,
                type: "exportAsset",
                status: "SUCCEEDED",
                reason: [],
                progress_percent: 1,
                archive_id: "arch-1",
                begin_time: "2019-12-06T06:49:04Z",
                end_time: "2019-12-06T06:50:04Z",
            });

            body = json(await get(emulator.jobUrl(bad), AUTH));
            expect(body).to.deep.equal({
                id: bad,
                type: "importAsset",
                status: "FAILED",
                reason: [{ resource_type: "application", resource_name: "myApp", error_code: "ROMA.00000101", error_msg: "some error details here" }],
                progress_percent: 0.99,
                begin_time: "2019-12-06T06:49:04Z",
                end_time: "2019-12-06T06:50:04Z",
            });
        });

        it("renders failedCode/failedDetail as a reason[] entry and generates an archive_id for exports", async () => {
            const id = emulator.defineJob({
                service: "roma",
                projectId: "p",
                instanceId: "i",
                durationMs: 0,
                outcome: "failed",
                failedCode: "ROMA.1",
                failedDetail: "boom",
            });
            const body = json(await get(emulator.jobUrl(id), AUTH));
            expect(body.reason).to.deep.equal([{ resource_type: "application", resource_name: "emulatedApp", error_code: "ROMA.1", error_msg: "boom" }]);
            expect(body.archive_id).to.match(/^[0-9a-f]{32}$/);
        });

        it("requires an instanceId for roma jobs", () => {
            expect(() => emulator.defineJob({ service: "roma", projectId: "p", durationMs: 1, outcome: "succeeded" })).to.throw(ConfigError, /instanceId/);
        });
    });

    describe("progress curves", () => {
        async function dwsProgressAt(progress: Parameters<JobApiEmulator["defineJob"]>[0]["progress"], fractions: number[]): Promise<(string | undefined)[]> {
            const start = clock.t;
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1000, outcome: "succeeded", progress });
            const seen: (string | undefined)[] = [];
            for (const f of fractions) {
                clock.t = start + f * 1000;
                seen.push(json(await get(emulator.jobUrl(id), AUTH)).progress as string | undefined);
            }
            return seen;
        }

        it("linear", async () => {
            expect(await dwsProgressAt("linear", [0, 0.25, 0.999, 1])).to.deep.equal(["0%", "25%", "99%", "100%"]);
        });

        it("none: DWS and ROMA omit the field, DDM sends an empty process", async () => {
            expect(await dwsProgressAt("none", [0.5, 1])).to.deep.equal([undefined, undefined]);
            const roma = emulator.defineJob({ service: "roma", projectId: "p", instanceId: "i", durationMs: 1000, outcome: "succeeded", progress: "none" });
            const ddm = emulator.defineJob({ service: "ddm", projectId: "p", durationMs: 1000, outcome: "succeeded", progress: "none" });
            clock.advance(500);
            expect(json(await get(emulator.jobUrl(roma), AUTH))).not.to.have.property("progress_percent");
            expect((json(await get(emulator.jobUrl(ddm), AUTH)).job as Record<string, unknown>).process).to.equal("");
        });

        it("stuck90: reaches 90 % at 30 % of the time and stays there", async () => {
            expect(await dwsProgressAt("stuck90", [0.1, 0.3, 0.6, 0.95, 1])).to.deep.equal(["30%", "90%", "90%", "90%", "100%"]);
        });

        it("jumpy: plateaus, jumps and one regression", async () => {
            expect(await dwsProgressAt("jumpy", [0.05, 0.25, 0.45, 0.55, 0.75, 0.95])).to.deep.equal(["0%", "3%", "40%", "38%", "75%", "97%"]);
        });

        it("a custom function, clamped to 0–100", async () => {
            expect(await dwsProgressAt((f) => (f < 0.5 ? -5 : f * 300), [0.2, 0.5, 0.9])).to.deep.equal(["0%", "100%", "100%"]);
        });

        it("ROMA reports a 0–1 fraction, DDM a percent string", async () => {
            const roma = emulator.defineJob({ service: "roma", projectId: "p", instanceId: "i", durationMs: 1000, outcome: "succeeded", progress: () => 42.7 });
            const ddm = emulator.defineJob({ service: "ddm", projectId: "p", durationMs: 1000, outcome: "succeeded", progress: () => 42.7 });
            expect(json(await get(emulator.jobUrl(roma), AUTH)).progress_percent).to.equal(0.42);
            expect((json(await get(emulator.jobUrl(ddm), AUTH)).job as Record<string, unknown>).process).to.equal("42%");
        });

        it("a throwing progress function gives a 500, not a crash", async () => {
            const id = emulator.defineJob({
                service: "dws",
                projectId: "p",
                durationMs: 1000,
                outcome: "succeeded",
                progress: () => {
                    throw new Error("bug");
                },
            });
            const r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(500);
            expect((await get(`${emulator.endpoint}/nothing`, AUTH)).status).to.equal(404);
        });
    });

    describe("visibility", () => {
        it("notFoundForMs: 404 at first, then the job", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1000, outcome: "succeeded", notFoundForMs: 200 });
            let r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(404);
            expect(json(r)).to.deep.equal({ error_code: "DWS.0404", error_msg: "The job does not exist.", request_id: r.headers["x-request-id"] });
            clock.advance(199);
            expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(404);
            clock.advance(1);
            r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(200);
            expect(json(r).progress).to.equal("20%");
            expect(emulator.requests.map((x) => x.state)).to.deep.equal(["notFound", "notFound", "running"]);
        });

        it("expireAfterMs: 404 once the terminal job has expired", async () => {
            const id = emulator.defineJob({ service: "ddm", projectId: "p", durationMs: 100, outcome: "succeeded", expireAfterMs: 500 });
            clock.advance(599);
            expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(200);
            clock.advance(1);
            const r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(404);
            expect(json(r).error_code).to.equal("DDM.0404");
        });

        it("follows the wall clock by default (a 200 ms job)", async () => {
            await startWith({ now: undefined });
            const id = emulator.defineJob({ service: "cfw", projectId: "p", durationMs: 200, outcome: "succeeded" });
            const first = json(await get(emulator.jobUrl(id), AUTH));
            expect((first.data as Record<string, unknown>).status).to.equal("Running");
            await sleep(250);
            const last = json(await get(emulator.jobUrl(id), AUTH));
            expect((last.data as Record<string, unknown>).status).to.equal("Success");
            const data = last.data as Record<string, number>;
            expect(data.end_time - data.begin_time).to.equal(200);
        });
    });

    describe("404 and bad requests", () => {
        it("an unknown path gets APIGW.0101 with the request id of the X-Request-Id header", async () => {
            for (const path of ["/", "/v1.0/p/job", "/v1.0/p/job/x/extra", "/v3/p/jobs/", "/v2/p/instances/i/assets/jobs"]) {
                const r = await get(`${emulator.endpoint}${path}`, AUTH);
                expect(r.status, path).to.equal(404);
                expect(r.headers["x-request-id"]).to.match(/^[0-9a-f]{32}$/);
                expect(json(r)).to.deep.equal({
                    error_code: "APIGW.0101",
                    error_msg: "The API does not exist or has not been published in the environment.",
                    request_id: r.headers["x-request-id"],
                });
            }
        });

        it("an unknown job gets the service's 404 body (JOB.0404 on the path DDM and CFW share)", async () => {
            const cases: [string, string][] = [
                ["/v1.0/p/job/nope", "DWS.0404"],
                ["/v2/p/instances/i/assets/jobs/nope", "ROMA.00000404"],
                ["/v3/p/jobs/nope", "JOB.0404"],
            ];
            for (const [path, code] of cases) {
                const r = await get(`${emulator.endpoint}${path}`, AUTH);
                expect(r.status).to.equal(404);
                expect(json(r)).to.include({ error_code: code, request_id: r.headers["x-request-id"] });
            }
            // A job of another project or instance is unknown too.
            const id = emulator.defineJob({ service: "roma", projectId: "p", instanceId: "i", durationMs: 1, outcome: "succeeded" });
            expect((await get(`${emulator.endpoint}/v2/p/instances/other/assets/jobs/${id}`, AUTH)).status).to.equal(404);
            expect((await get(`${emulator.endpoint}/v2/q/instances/i/assets/jobs/${id}`, AUTH)).status).to.equal(404);
        });

        it("methods other than GET get 404 APIGW.0101", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1, outcome: "succeeded" });
            const r = await get(emulator.jobUrl(id), AUTH, "DELETE");
            expect(r.status).to.equal(404);
            expect(json(r).error_code).to.equal("APIGW.0101");
        });

        it("decodes path segments: a job id a/b arrives as a%2Fb", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p 1", jobId: "a/b", durationMs: 1, outcome: "succeeded" });
            expect(emulator.jobUrl(id)).to.equal(`${emulator.endpoint}/v1.0/p%201/job/a%2Fb`);
            const r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(200);
            expect(json(r).job_id).to.equal("a/b");
            expect((await get(`${emulator.endpoint}/v1.0/p%201/job/a/b`, AUTH)).status).to.equal(404);
            expect(emulator.requestCount("a/b")).to.equal(1);
        });

        it("answers 400 to bad percent-encoding and huge paths, and keeps serving", async () => {
            let r = await get(`${emulator.endpoint}/v1.0/p/job/%E0%A4%A`, AUTH);
            expect(r.status).to.equal(400);
            expect(json(r).error_code).to.equal("APIGW.0201");
            r = await get(`${emulator.endpoint}/v1.0/p/job/${"x".repeat(9000)}`, AUTH);
            expect(r.status).to.equal(400);
            // Beyond Node's header limit the HTTP parser itself rejects the request: still a JSON 400.
            const port = Number(new URL(emulator.endpoint).port);
            const answer = await raw(port, `GET /${"y".repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
            expect(answer).to.match(/^HTTP\/1\.1 400 /);
            expect(answer).to.contain('"error_code":"APIGW.0201"');
            // A request without Host is still answered by the emulator, with X-Request-Id.
            const noHost = await raw(port, `GET /v1.0/p/job/none HTTP/1.1\r\nX-Auth-Token: ${TOKEN}\r\nConnection: close\r\n\r\n`);
            expect(noHost).to.match(/^HTTP\/1\.1 404 /);
            expect(noHost).to.match(/X-Request-Id: [0-9a-f]{32}/i);
            // Garbage that is not HTTP at all.
            const garbage = await raw(port, "\x00\x01garbage\r\n\r\n");
            expect(garbage).to.match(/^HTTP\/1\.1 400 /);
            expect(garbage).to.contain('"error_code":"APIGW.0201"');
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1, outcome: "succeeded" });
            expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(200);
        });

        it("answers 400 to a body over the limit", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1, outcome: "succeeded" });
            const r = await new Promise<number>((resolve, reject) => {
                const req = http.request(emulator.jobUrl(id), { method: "GET", headers: AUTH, agent: false }, (res) => {
                    res.resume();
                    resolve(res.statusCode ?? 0);
                });
                req.on("error", reject);
                req.end(Buffer.alloc(100_000, 1));
            });
            expect(r).to.equal(400);
        });
    });

    describe("faults", () => {
        function job(faults: NonNullable<Parameters<JobApiEmulator["defineJob"]>[0]["faults"]>, service: "dws" | "roma" = "dws"): string {
            return emulator.defineJob({ service, projectId: "p", instanceId: "i", durationMs: 1000, outcome: "succeeded", faults });
        }

        it("status 429 with Retry-After and the API-gateway throttling code, consumed by count, in order", async () => {
            const id = job([
                { kind: "status", status: 429, retryAfter: "2", count: 2 },
                { kind: "status", status: 503, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT" },
            ]);
            for (let i = 0; i < 2; i++) {
                const r = await get(emulator.jobUrl(id), AUTH);
                expect(r.status).to.equal(429);
                expect(r.headers["retry-after"]).to.equal("2");
                expect(json(r)).to.include({ error_code: "APIGW.0308", request_id: r.headers["x-request-id"] });
                expect(json(r).error_msg).to.match(/throttling threshold/);
            }
            let r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(503);
            expect(r.headers["retry-after"]).to.equal("Wed, 21 Oct 2015 07:28:00 GMT");
            expect(json(r)).to.include({ error_code: "DWS.0503" });
            r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(200);
            expect(emulator.requests.map((x) => [x.status, x.fault])).to.deep.equal([
                [429, "status"],
                [429, "status"],
                [503, "status"],
                [200, undefined],
            ]);
        });

        it("status 500/502/504 with JSON bodies, and with an HTML body on request", async () => {
            const id = job([
                { kind: "status", status: 500 },
                { kind: "status", status: 502 },
                { kind: "status", status: 504 },
                { kind: "status", status: 503, body: "html" },
            ]);
            const seen: [number, string][] = [];
            for (let i = 0; i < 3; i++) {
                const r = await get(emulator.jobUrl(id), AUTH);
                seen.push([r.status, json(r).error_code as string]);
            }
            expect(seen).to.deep.equal([
                [500, "DWS.0500"],
                [502, "APIGW.0202"],
                [504, "APIGW.0203"],
            ]);
            const r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(503);
            expect(r.headers["content-type"]).to.match(/^text\/html/);
            expect(r.text).to.match(/<html>/);
        });

        it("permanent statuses 400/401/403 carry a Huawei error body with request_id (ROMA 403 adds error_details)", async () => {
            const id = job([
                { kind: "status", status: 400 },
                { kind: "status", status: 401 },
                { kind: "status", status: 403, errorCode: "DWS.0015", errorMsg: "no permission" },
            ]);
            const bodies: Record<string, unknown>[] = [];
            for (let i = 0; i < 3; i++) {
                const r = await get(emulator.jobUrl(id), AUTH);
                const body = json(r);
                expect(body.request_id).to.equal(r.headers["x-request-id"]);
                bodies.push({ status: r.status, code: body.error_code, msg: body.error_msg });
            }
            expect(bodies).to.deep.equal([
                { status: 400, code: "DWS.0400", msg: "Invalid request parameters." },
                { status: 401, code: "APIGW.0301", msg: "Incorrect IAM authentication information: token expired" },
                { status: 403, code: "DWS.0015", msg: "no permission" },
            ]);
            const roma = job([{ kind: "status", status: 403 }], "roma");
            const r = await get(emulator.jobUrl(roma), AUTH);
            expect(Object.keys(json(r))).to.deep.equal(["error_code", "error_msg", "error_details", "request_id"]);
        });

        it("slow: answers after the delay", async () => {
            const id = job([{ kind: "slow", delayMs: 150 }]);
            const started = Date.now();
            const r = await get(emulator.jobUrl(id), AUTH);
            expect(Date.now() - started).to.be.at.least(140);
            expect(r.status).to.equal(200);
            expect(json(r).status).to.equal("RUNNING");
            expect(emulator.requests[0]).to.include({ status: 200, fault: "slow" });
        });

        it("slow: a client that disconnects gets nothing and is logged as aborted", async () => {
            const id = job([{ kind: "slow", delayMs: 300 }]);
            await new Promise<void>((resolve) => {
                const req = http.get(emulator.jobUrl(id), { headers: AUTH, agent: false });
                req.on("error", () => resolve());
                setTimeout(() => req.destroy(), 50);
            });
            await sleep(50);
            expect(emulator.requests[0]).to.include({ status: 0, fault: "slow", clientAborted: true });
            await sleep(300);
            expect(emulator.requests[0].status).to.equal(0);
            expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(200);
        });

        it("trickle: status and headers at once, then the body a byte per interval", async () => {
            const id = job([{ kind: "trickle", intervalMs: 2 }]);
            const started = Date.now();
            const r = await new Promise<{ headersAfterMs: number; status: number; text: string; chunks: number }>((resolve, reject) => {
                http.get(emulator.jobUrl(id), { headers: AUTH, agent: false }, (res) => {
                    const headersAfterMs = Date.now() - started;
                    let text = "";
                    let chunks = 0;
                    res.setEncoding("utf8");
                    res.on("data", (c: string) => {
                        text += c;
                        chunks++;
                    });
                    res.on("end", () => resolve({ headersAfterMs, status: res.statusCode ?? 0, text, chunks }));
                }).on("error", reject);
            });
            expect(r.status).to.equal(200);
            expect(JSON.parse(r.text).status).to.equal("RUNNING");
            expect(r.chunks, "bytes arrive one by one").to.be.greaterThan(r.text.length / 2);
            expect(Date.now() - started, "the body takes at least its length × interval").to.be.at.least(2 * r.text.length - 20);
            expect(r.headersAfterMs).to.be.below(2 * r.text.length);
            expect(emulator.requests[0]).to.include({ status: 200, fault: "trickle" });
        });

        it("trickle: a client that disconnects stops the trickle and is logged as aborted", async () => {
            const id = job([{ kind: "trickle", intervalMs: 50 }]);
            await new Promise<void>((resolve) => {
                const req = http.get(emulator.jobUrl(id), { headers: AUTH, agent: false }, (res) => {
                    res.once("data", () => req.destroy());
                });
                req.on("close", () => resolve());
            });
            await sleep(100);
            expect(emulator.requests[0]).to.include({ fault: "trickle", clientAborted: true });
            expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(200);
        });

        it("drop: the connection is destroyed without an answer", async () => {
            const id = job([{ kind: "drop" }]);
            const error = await get(emulator.jobUrl(id), AUTH).then(
                () => undefined,
                (e: NodeJS.ErrnoException) => e,
            );
            expect(error?.code).to.equal("ECONNRESET");
            expect(emulator.requests[0]).to.include({ status: 0, fault: "drop" });
            expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(200);
        });

        it("malformed: 200 with truncated JSON", async () => {
            const id = job([{ kind: "malformed" }]);
            const r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(200);
            expect(r.headers["content-type"]).to.match(/^application\/json/);
            expect(r.text.length).to.be.greaterThan(0);
            expect(() => JSON.parse(r.text)).to.throw(SyntaxError);
            expect(r.text.startsWith('{"status":"RUNNING"')).to.equal(true);
        });

        it("html: 502 with an HTML gateway page", async () => {
            const id = job([{ kind: "html" }]);
            const r = await get(emulator.jobUrl(id), AUTH);
            expect(r.status).to.equal(502);
            expect(r.headers["content-type"]).to.match(/^text\/html/);
            expect(r.text).to.match(/502 Bad Gateway/);
            expect(r.headers["x-request-id"]).to.match(/^[0-9a-f]{32}$/);
        });

        it("faults apply while the job is not yet visible too, and a count of Infinity never runs out", async () => {
            const id = emulator.defineJob({
                service: "dws",
                projectId: "p",
                durationMs: 10,
                outcome: "succeeded",
                notFoundForMs: 1000,
                faults: [{ kind: "status", status: 503, count: Infinity }],
            });
            for (let i = 0; i < 5; i++) expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(503);
        });

        it("refuses invalid faults", () => {
            const bad = [
                { kind: "status", status: 418 },
                { kind: "slow", delayMs: -1 },
                { kind: "teleport" },
                { kind: "drop", count: 0 },
                { kind: "status", status: 503, retryAfter: "1\r\nX: y" },
                { kind: "trickle", intervalMs: 0 },
                { kind: "trickle" },
            ];
            for (const f of bad) {
                expect(() => job([f as never]), JSON.stringify(f)).to.throw(ConfigError);
            }
        });

        it("random faults are seeded: the same seed gives the same faults", async () => {
            const options: EmulatorOptions = {
                randomFaults: { rate: 0.5, kinds: [{ kind: "status", status: 503 }, { kind: "status", status: 429 }, { kind: "malformed" }], seed: 42 },
            };
            async function run(): Promise<number[]> {
                await startWith(options);
                const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1000, outcome: "succeeded" });
                const statuses: number[] = [];
                for (let i = 0; i < 40; i++) {
                    const r = await get(emulator.jobUrl(id), AUTH);
                    statuses.push(r.status === 200 && r.text.endsWith("}") ? 200 : r.status === 200 ? -1 : r.status);
                }
                return statuses;
            }
            const a = await run();
            const b = await run();
            expect(a).to.deep.equal(b);
            const faulted = a.filter((s) => s !== 200).length;
            expect(faulted).to.be.within(8, 32);
            expect(new Set(a)).to.include.members([200, 503, 429, -1]);
            // reset() restarts the sequence.
            emulator.reset();
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1000, outcome: "succeeded" });
            const c: number[] = [];
            for (let i = 0; i < 40; i++) {
                const r = await get(emulator.jobUrl(id), AUTH);
                c.push(r.status === 200 && r.text.endsWith("}") ? 200 : r.status === 200 ? -1 : r.status);
            }
            expect(c).to.deep.equal(a);
        });

        it("job faults take precedence over random ones", async () => {
            await startWith({ randomFaults: { rate: 1, kinds: [{ kind: "status", status: 500 }], seed: 1 } });
            const id = job([{ kind: "status", status: 429 }]);
            expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(429);
            expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(500);
        });
    });

    describe("token authentication", () => {
        it("accepts a known X-Auth-Token and records it", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1, outcome: "succeeded" });
            expect((await get(emulator.jobUrl(id), AUTH)).status).to.equal(200);
            expect(emulator.requests[0].auth).to.deep.equal({ authenticated: true, via: "token" });
        });

        it("rejects a wrong or missing token with 401 APIGW.0301, never echoing a token", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1, outcome: "succeeded" });
            let r = await get(emulator.jobUrl(id), { "X-Auth-Token": "wrong-token-value" });
            expect(r.status).to.equal(401);
            expect(json(r).error_code).to.equal("APIGW.0301");
            expect(json(r).error_msg).to.match(/^Incorrect IAM authentication information: /);
            expect(json(r).request_id).to.equal(r.headers["x-request-id"]);
            expect(r.text).not.to.contain("wrong-token-value");
            expect(r.text).not.to.contain(TOKEN);
            r = await get(emulator.jobUrl(id));
            expect(r.status).to.equal(401);
            expect(emulator.requests.map((x) => x.auth)).to.deep.equal([
                { authenticated: false, via: "token", reason: "the X-Auth-Token is not a valid token" },
                { authenticated: false, via: "none" },
            ]);
        });

        it("without configured credentials, serves unauthenticated requests (logged as via none)", async () => {
            await startWith({ tokens: undefined });
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1, outcome: "succeeded" });
            expect((await get(emulator.jobUrl(id))).status).to.equal(200);
            expect(emulator.requests[0].auth).to.deep.equal({ authenticated: false, via: "none" });
            // Credentials that are sent are still checked.
            expect((await get(emulator.jobUrl(id), { "X-Auth-Token": "x" })).status).to.equal(401);
        });
    });

    describe("AK/SK authentication (SDK-HMAC-SHA256)", () => {
        const AK = "EMULATORTESTAK0000001";
        const SK = "emulator-test-secret-key-0123456789abcdef";

        beforeEach(async () => {
            await startWith({ accessKeys: { [AK]: SK }, now: undefined });
        });

        function signed(url: string, secretKey = SK, accessKey = AK): Record<string, string> {
            const host = new URL(url).host;
            return { Host: host, ...signRequest({ method: "GET", url, headers: { Host: host } }, { accessKey, secretKey }) };
        }

        it("accepts a correctly signed request and records the access key", async () => {
            const id = emulator.defineJob({ service: "roma", projectId: "p", instanceId: "i", jobId: "a/b", durationMs: 100, outcome: "succeeded" });
            const url = emulator.jobUrl(id);
            const r = await get(url, signed(url));
            expect(r.status, r.text).to.equal(200);
            expect(emulator.requests[0].auth).to.deep.equal({ authenticated: true, via: "aksk", accessKey: AK });
        });

        it("accepts a signed request with a query string", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 100, outcome: "succeeded" });
            const url = `${emulator.jobUrl(id)}?b=2&a=1`;
            const r = await get(url, signed(url));
            expect(r.status, r.text).to.equal(200);
        });

        it("rejects a wrong secret, an unknown access key and a tampered path with 401, never echoing a secret", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 100, outcome: "succeeded" });
            const other = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 100, outcome: "succeeded" });
            const url = emulator.jobUrl(id);
            const attempts = [
                get(url, signed(url, "not-the-secret-key-at-all")),
                get(url, signed(url, SK, "UNKNOWNAK")),
                get(emulator.jobUrl(other), signed(url)),
            ];
            for (const r of await Promise.all(attempts)) {
                expect(r.status, r.text).to.equal(401);
                expect(json(r).error_code).to.equal("APIGW.0301");
                expect(json(r).error_msg).to.match(/^Incorrect IAM authentication information: /);
                expect(r.text).not.to.contain(SK);
                expect(r.text).not.to.contain("not-the-secret-key-at-all");
            }
            const auths = emulator.requests.map((x) => x.auth);
            expect(auths.every((a) => a.via === "aksk" && !a.authenticated && typeof a.reason === "string")).to.equal(true);
            expect(JSON.stringify(auths)).not.to.contain(SK);
        });

        it("checks the signature date against the emulator's clock", async () => {
            await startWith({ accessKeys: { [AK]: SK } }); // the fake clock, in 2022
            const id = emulator.defineJob({ service: "ddm", projectId: "p", durationMs: 100, outcome: "succeeded" });
            const url = emulator.jobUrl(id);
            let r = await get(url, signed(url));
            expect(r.status).to.equal(401);
            expect(json(r).error_msg).to.match(/clock/);
            const host = new URL(url).host;
            r = await get(url, {
                Host: host,
                ...signRequest({ method: "GET", url, headers: { Host: host } }, { accessKey: AK, secretKey: SK }, new Date(clock.t)),
            });
            expect(r.status, r.text).to.equal(200);
        });

        it("rejects an unsupported Authorization scheme and a missing signature", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 100, outcome: "succeeded" });
            let r = await get(emulator.jobUrl(id), { Authorization: "Basic dXNlcjpwYXNz" });
            expect(r.status).to.equal(401);
            r = await get(emulator.jobUrl(id));
            expect(r.status).to.equal(401);
        });
    });

    describe("job definitions", () => {
        it("refuses a DDM/CFW collision on the shared /v3 path, in either order", () => {
            const id = emulator.defineJob({ service: "ddm", projectId: "p", durationMs: 1, outcome: "succeeded" });
            expect(() => emulator.defineJob({ service: "cfw", projectId: "p", jobId: id, durationMs: 1, outcome: "succeeded" })).to.throw(
                ConfigError,
                /ddm job/,
            );
            const cfw = emulator.defineJob({ service: "cfw", projectId: "p", durationMs: 1, outcome: "succeeded" });
            expect(() => emulator.defineJob({ service: "ddm", projectId: "p", jobId: cfw, durationMs: 1, outcome: "succeeded" })).to.throw(
                ConfigError,
                /cfw job/,
            );
            // Another project is another path; the same service replaces; DWS does not share the path.
            expect(emulator.defineJob({ service: "cfw", projectId: "q", jobId: id, durationMs: 1, outcome: "succeeded" })).to.equal(id);
            expect(emulator.defineJob({ service: "ddm", projectId: "p", jobId: id, durationMs: 1, outcome: "failed" })).to.equal(id);
            expect(emulator.defineJob({ service: "dws", projectId: "p", jobId: id, durationMs: 1, outcome: "failed" })).to.equal(id);
        });

        it("serves DDM and CFW jobs side by side on the shared path", async () => {
            const ddm = emulator.defineJob({ service: "ddm", projectId: "p", durationMs: 1, outcome: "succeeded" });
            const cfw = emulator.defineJob({ service: "cfw", projectId: "p", durationMs: 1, outcome: "succeeded" });
            clock.advance(1);
            expect(json(await get(`${emulator.endpoint}/v3/p/jobs/${ddm}`, AUTH))).to.have.property("job");
            expect(json(await get(`${emulator.endpoint}/v3/p/jobs/${cfw}`, AUTH))).to.have.property("data");
            expect(emulator.requests.map((r) => r.service)).to.deep.equal(["ddm", "cfw"]);
        });

        it("validates definitions", () => {
            const base = { service: "dws" as const, projectId: "p", durationMs: 1, outcome: "succeeded" as const };
            const bad: object[] = [
                { service: "obs" },
                { projectId: "" },
                { durationMs: -1 },
                { durationMs: Number.NaN },
                { outcome: "maybe" },
                { progress: "quadratic" },
                { notFoundForMs: -5 },
                { jobId: "" },
                { jobId: "x".repeat(2000) },
                { faults: "no" },
                { subJobs: 0 },
                { subJobs: 2, failedSubJobs: 3 },
                { subJobs: 2, resourceIds: ["only-one"] },
                { service: "dms" },
            ];
            for (const override of bad) {
                expect(() => emulator.defineJob({ ...base, ...override } as never), JSON.stringify(override)).to.throw(ConfigError);
            }
            expect(() => emulator.jobUrl("never-defined")).to.throw(ConfigError);
        });
    });

    describe("request log", () => {
        it("records every request with time, method, path, job, service, status, fault and auth", async () => {
            const id = emulator.defineJob({
                service: "dws",
                projectId: "p",
                durationMs: 1000,
                outcome: "succeeded",
                faults: [{ kind: "status", status: 503 }],
            });
            clock.advance(10);
            await get(emulator.jobUrl(id), AUTH);
            clock.advance(10);
            await get(emulator.jobUrl(id), AUTH);
            await get(`${emulator.endpoint}/other?x=1`, AUTH);
            const log = emulator.requests;
            expect(log).to.have.length(3);
            const [a, b, c] = log as EmulatorRequestRecord[];
            expect(a).to.deep.include({ method: "GET", path: `/v1.0/p/job/${id}`, jobId: id, service: "dws", status: 503, fault: "status", state: "running" });
            expect(a.at).to.equal(clock.t - 10);
            expect(b).to.deep.include({ status: 200, state: "running", auth: { authenticated: true, via: "token" } });
            expect(b.fault).to.equal(undefined);
            expect(c).to.deep.include({ path: "/other", status: 404 });
            expect(c.jobId).to.equal(undefined);
            expect(new Set(log.map((r) => r.requestId)).size).to.equal(3);
            expect(emulator.requestCount()).to.equal(3);
            expect(emulator.requestCount(id)).to.equal(2);
            expect(emulator.requestCount("unknown")).to.equal(0);
        });

        it("is a bounded ring buffer; reset() clears jobs, log and counters", async () => {
            await startWith({ logCapacity: 3 });
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1000, outcome: "succeeded" });
            for (let i = 0; i < 5; i++) {
                clock.advance(1);
                await get(emulator.jobUrl(id), AUTH);
            }
            expect(emulator.requests).to.have.length(3);
            expect(emulator.requests[0].at).to.equal(clock.t - 2);
            expect(emulator.requestCount()).to.equal(5);
            expect(emulator.requestCount(id)).to.equal(5);
            emulator.reset();
            expect(emulator.requests).to.have.length(0);
            expect(emulator.requestCount()).to.equal(0);
            expect(emulator.requestCount(id)).to.equal(0);
            expect((await get(`${emulator.endpoint}/v1.0/p/job/${id}`, AUTH)).status).to.equal(404);
        });

        it("counts every defined job's requests exactly, however small the log", async () => {
            await startWith({ logCapacity: 2 });
            const ids = [0, 1, 2].map(() => emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1000, outcome: "succeeded" }));
            for (const id of ids) for (let i = 0; i < 5; i++) await get(emulator.jobUrl(id), AUTH);
            expect(ids.map((id) => emulator.requestCount(id))).to.deep.equal([5, 5, 5]);
            const long = "x".repeat(4000);
            await get(`${emulator.endpoint}/v1.0/p/job/${long}`, AUTH);
            expect(emulator.requests.at(-1)!.jobId, "a long unknown ID is logged cut").to.have.length(256);
        });

        it("handles many concurrent requests", async () => {
            const id = emulator.defineJob({ service: "dws", projectId: "p", durationMs: 1000, outcome: "succeeded" });
            const replies = await Promise.all(Array.from({ length: 100 }, () => get(emulator.jobUrl(id), AUTH)));
            expect(replies.every((r) => r.status === 200)).to.equal(true);
            expect(emulator.requestCount(id)).to.equal(100);
        });
    });
});

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

async function expectRejects(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
    try {
        const value = await promise;
        if (value instanceof JobApiEmulator) await value.close();
    } catch (e) {
        expect(e).to.be.instanceOf(type);
        return;
    }
    expect.fail("expected a rejection");
}
