/**
 * Secret inputs on the provider side: the names recorded by the program, and the redaction of
 * their values (the program side runs under Pulumi's mocks in jobWaiter.test.ts, and through the
 * real CLI in test/e2e).
 */
import { expect } from "chai";
import { ConfigError, JobApiError } from "../../../provider/errors";
import { recordedSecretInputs, redactedError, redactorFor, secretInputsOf } from "../../../provider/resource/secrets";

describe("resource: secretInputsOf", () => {
    const accepted: [string, unknown, string[]][] = [
        ["none recorded", undefined, []],
        ["settings", ["jobId", "projectId"], ["jobId", "projectId"]],
    ];
    for (const [what, names, expected] of accepted) {
        it(`accepts ${what}`, () => {
            expect(secretInputsOf({ secretInputs: names })).to.deep.equal(expected);
        });
    }

    const refused: [string, unknown][] = [
        ["a string", "jobId"],
        ["a name that is no setting", ["jobId", "secretKey"]],
        ["a number among names", ["jobId", 7]],
    ];
    for (const [what, names] of refused) {
        it(`refuses ${what}, naming the key and never the value`, () => {
            const error = (() => {
                try {
                    return secretInputsOf({ secretInputs: names });
                } catch (e) {
                    return e;
                }
            })();
            expect(error).to.be.instanceOf(ConfigError);
            expect((error as ConfigError).field).to.equal("secretInputs");
            expect((error as ConfigError).message).to.match(/JobWaiter sets it itself.*pulumi\.secret/);
            expect((error as ConfigError).message)
                .to.contain("(value not shown)")
                .and.not.contain(JSON.stringify(names));
            expect(recordedSecretInputs({ secretInputs: names }), "a recorded state is read leniently").to.deep.equal([]);
        });
    }
});

describe("resource: redactorFor", () => {
    const props = {
        jobId: "job-7f3a",
        projectId: 'p"quoted"',
        timeoutSeconds: 5,
        region: "cn-north-4",
        secretInputs: ["jobId", "projectId", "timeoutSeconds"],
    };
    const redact = redactorFor(props);
    const table: [string, string, string][] = [
        ["a secret as written", "dws job job-7f3a running", "dws job *** running"],
        ["a secret JSON-escaped", 'project "p\\"quoted\\""', 'project "***"'],
        ["a secret URL-encoded", "/v1/p%22quoted%22/jobs", "/v1/***/jobs"],
        ["an input that is not secret", "region cn-north-4", "region cn-north-4"],
        ["a secret number: left, or every 5 would go", "after 5 s", "after 5 s"],
    ];
    for (const [what, text, expected] of table) {
        it(what, () => expect(redact(text)).to.equal(expected));
    }

    it("hides a secret endpoint also as messages write it: its origin normalised, its host", () => {
        const hide = redactorFor({ endpoint: "https://Internal.Example.com:443/", secretInputs: ["endpoint"] });
        expect(hide("no slot for https://internal.example.com in time")).to.equal("no slot for *** in time");
        expect(hide("getaddrinfo ENOTFOUND internal.example.com")).to.equal("getaddrinfo ENOTFOUND ***");
    });

    it("leaves a value too short to hide (it would garble every text) and a host name without a dot outside its URL", () => {
        const hide = redactorFor({ jobId: "a", endpoint: "https://api:8443", secretInputs: ["jobId", "endpoint"] });
        expect(hide("jobwaiter: dws job a after 2s: no answer from https://api:8443 (api)")).to.equal(
            "jobwaiter: dws job a after 2s: no answer from *** (api)",
        );
        const local = redactorFor({ endpoint: "https://emulator", secretInputs: ["endpoint"] });
        expect(local("https://emulator: emulator busy")).to.equal("***: emulator busy");
    });

    it("changes nothing where no input is secret", () => {
        expect(redactorFor({ jobId: "job-7f3a" })("dws job job-7f3a")).to.equal("dws job job-7f3a");
    });

    it("redacts an error's message and stack, keeping its class and code", () => {
        const error = new JobApiError({ jobId: "job-7f3a", httpStatus: 404, errorCode: "DWS.0404", errorMsg: "job job-7f3a not found", hint: "check jobId" });
        const redacted = redactedError(error, redact) as JobApiError;
        expect(redacted).to.be.instanceOf(JobApiError);
        expect(redacted.code).to.equal(error.code);
        expect(redacted.message).to.not.contain("job-7f3a");
        expect(redacted.stack).to.not.contain("job-7f3a");
        expect(redacted.message).to.contain("***");
    });
});
