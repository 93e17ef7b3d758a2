/**
 * Credential and setting resolution (explicit options over the Terraform provider's environment
 * variables) and which of them are secrets.
 */
import { expect } from "chai";
import { ConfigError } from "../../../provider/errors";
import { Credentials, ENV_VARS, resolveSettings, secretsOf, SettingsInput } from "../../../provider/http/credentials";

const SK = "sk-SECRET-0123456789abcdefghij";
const SK_ENV = "sk-ENV-SECRET-9876543210zyxwvu";
const STS = "sts-TOKEN-+/=abcdefghijklmnop";
const TOKEN = "MIIEhwYJKoZIhvcNAQcCoIIEeDCCBHQCAQExDTALBglghkgBZQMEAgEwggLLBgkqhkiG9w0BBwGgggK8";
const SECRETS = [SK, SK_ENV, STS, TOKEN];

describe("credentials: resolveSettings", () => {
    it("reads the Terraform provider's variable names", () => {
        expect(ENV_VARS).to.deep.equal({
            accessKey: ["HW_ACCESS_KEY", "OS_ACCESS_KEY"],
            secretKey: ["HW_SECRET_KEY", "OS_SECRET_KEY"],
            securityToken: ["HW_SECURITY_TOKEN"],
            token: ["HW_AUTH_TOKEN", "OS_AUTH_TOKEN"],
            region: ["HW_REGION_NAME", "OS_REGION_NAME"],
            projectId: ["HW_PROJECT_ID", "OS_PROJECT_ID"],
            cloud: ["HW_CLOUD"],
        });
    });

    /** [what, explicit, env, expected] */
    const GOOD: [string, SettingsInput, NodeJS.ProcessEnv, ReturnType<typeof resolveSettings>][] = [
        [
            "everything from HW_* variables",
            {},
            {
                HW_ACCESS_KEY: "AKENV",
                HW_SECRET_KEY: SK_ENV,
                HW_SECURITY_TOKEN: STS,
                HW_REGION_NAME: "cn-north-4",
                HW_PROJECT_ID: "p-env",
                HW_CLOUD: "myhuaweicloud.com",
            },
            {
                credentials: { kind: "aksk", accessKey: "AKENV", secretKey: SK_ENV, securityToken: STS },
                region: "cn-north-4",
                projectId: "p-env",
                cloud: "myhuaweicloud.com",
            },
        ],
        [
            "OS_* fallbacks",
            {},
            { OS_ACCESS_KEY: "AKOS", OS_SECRET_KEY: SK_ENV, OS_REGION_NAME: "ap-southeast-1", OS_PROJECT_ID: "p-os" },
            { credentials: { kind: "aksk", accessKey: "AKOS", secretKey: SK_ENV }, region: "ap-southeast-1", projectId: "p-os" },
        ],
        [
            "HW_* wins over OS_*",
            {},
            {
                HW_ACCESS_KEY: "AKHW",
                OS_ACCESS_KEY: "AKOS",
                HW_SECRET_KEY: SK,
                OS_SECRET_KEY: SK_ENV,
                HW_REGION_NAME: "cn-north-4",
                OS_REGION_NAME: "cn-east-3",
            },
            { credentials: { kind: "aksk", accessKey: "AKHW", secretKey: SK }, region: "cn-north-4" },
        ],
        [
            "explicit values win field by field",
            { accessKey: "AKX", region: "eu-west-101", cloud: "MyHuaweiCloud.EU" },
            { HW_ACCESS_KEY: "AKENV", HW_SECRET_KEY: SK_ENV, HW_REGION_NAME: "cn-north-4", HW_PROJECT_ID: "p-env" },
            { credentials: { kind: "aksk", accessKey: "AKX", secretKey: SK_ENV }, region: "eu-west-101", projectId: "p-env", cloud: "myhuaweicloud.eu" },
        ],
        [
            "empty explicit values fall back to the environment; values are trimmed",
            { accessKey: "", secretKey: "  ", region: "" },
            { HW_ACCESS_KEY: " AKENV\n", HW_SECRET_KEY: `${SK_ENV}\n`, HW_REGION_NAME: "la-north-2" },
            { credentials: { kind: "aksk", accessKey: "AKENV", secretKey: SK_ENV }, region: "la-north-2" },
        ],
        [
            "AK/SK wins over a token when both are complete",
            { accessKey: "AKX", secretKey: SK, token: TOKEN },
            {},
            { credentials: { kind: "aksk", accessKey: "AKX", secretKey: SK } },
        ],
        ["token from HW_AUTH_TOKEN", {}, { HW_AUTH_TOKEN: TOKEN }, { credentials: { kind: "token", token: TOKEN } }],
        ["token from OS_AUTH_TOKEN", {}, { OS_AUTH_TOKEN: TOKEN }, { credentials: { kind: "token", token: TOKEN } }],
        [
            "an explicit token beats half a pair that only comes from the environment",
            { token: TOKEN },
            { HW_ACCESS_KEY: "AKENV" },
            { credentials: { kind: "token", token: TOKEN } },
        ],
        [
            "an explicit token beats a whole pair that only comes from the environment",
            { token: TOKEN },
            { HW_ACCESS_KEY: "AKENV", HW_SECRET_KEY: SK_ENV, HW_SECURITY_TOKEN: STS },
            { credentials: { kind: "token", token: TOKEN } },
        ],
        [
            "an explicit half pair still completes with the environment's other half, beside an explicit token",
            { token: TOKEN, accessKey: "AKX" },
            { HW_SECRET_KEY: SK_ENV },
            { credentials: { kind: "aksk", accessKey: "AKX", secretKey: SK_ENV } },
        ],
        [
            "a security token left in the environment is not attached to explicitly given keys",
            { accessKey: "AKX", secretKey: SK },
            { HW_SECURITY_TOKEN: STS },
            { credentials: { kind: "aksk", accessKey: "AKX", secretKey: SK } },
        ],
        [
            "an explicit security token goes with explicit keys",
            { accessKey: "AKX", secretKey: SK, securityToken: STS },
            {},
            { credentials: { kind: "aksk", accessKey: "AKX", secretKey: SK, securityToken: STS } },
        ],
        ["a security token with a token but no pair is ignored", { token: TOKEN, securityToken: STS }, {}, { credentials: { kind: "token", token: TOKEN } }],
    ];
    for (const [what, explicit, env, expected] of GOOD) {
        it(what, () => expect(resolveSettings(explicit, env)).to.deep.equal(expected));
    }

    it("defaults env to process.env", () => {
        const saved = { ...process.env };
        try {
            for (const names of Object.values(ENV_VARS)) for (const name of names) delete process.env[name];
            process.env.HW_ACCESS_KEY = "AKPROC";
            process.env.HW_SECRET_KEY = SK_ENV;
            expect(resolveSettings().credentials).to.deep.equal({ kind: "aksk", accessKey: "AKPROC", secretKey: SK_ENV });
        } finally {
            for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
            Object.assign(process.env, saved);
        }
    });

    /** [what, explicit, env, field, message must match] */
    const BAD: [string, SettingsInput, NodeJS.ProcessEnv, string, RegExp][] = [
        [
            "nothing at all",
            {},
            {},
            "credentials",
            /accessKey option \(huaweicloud:accessKey in the Pulumi stack config\) or the HW_ACCESS_KEY \(or OS_ACCESS_KEY\).*HW_SECRET_KEY.*HW_SECURITY_TOKEN.*token option \(huaweicloud:token in the Pulumi stack config\) or the HW_AUTH_TOKEN \(or OS_AUTH_TOKEN\)/,
        ],
        [
            "access key without secret key",
            { accessKey: "AKX" },
            {},
            "secretKey",
            /\(missing\).*secretKey option \(huaweicloud:secretKey in the Pulumi stack config\) or the HW_SECRET_KEY \(or OS_SECRET_KEY\) environment variable/,
        ],
        ["secret key without access key", { secretKey: SK }, {}, "accessKey", /secretKey is \(set, hidden\).*HW_ACCESS_KEY/],
        ["secret key from env without access key", {}, { HW_SECRET_KEY: SK_ENV }, "accessKey", /HW_ACCESS_KEY/],
        ["security token alone", { securityToken: STS }, {}, "accessKey", /securityToken is \(set, hidden\).*HW_ACCESS_KEY.*HW_SECRET_KEY/],
        ["half a pair given explicitly, even with a token", { accessKey: "AKX", token: TOKEN }, {}, "secretKey", /HW_SECRET_KEY/],
        ["half a pair with a token from the environment", {}, { HW_ACCESS_KEY: "AKENV", HW_AUTH_TOKEN: TOKEN }, "secretKey", /HW_SECRET_KEY/],
        ["a secret key that is not a string", { secretKey: 42 as unknown as string, accessKey: "AKX" }, {}, "secretKey", /\(set, hidden\)/],
        ["a secret key with a line break", { accessKey: "AKX", secretKey: `${SK}\r\nX: y` }, {}, "secretKey", /\(set, hidden\).*control characters/],
        ["a token with a line break from the environment", {}, { HW_AUTH_TOKEN: `${TOKEN}\nX` }, "token", /\(set, hidden\) \(from HW_AUTH_TOKEN\)/],
        ["an access key with a space", { accessKey: "AK X", secretKey: SK }, {}, "accessKey", /"AK X".*without spaces or commas/],
        ["a malformed cloud domain", { accessKey: "AKX", secretKey: SK, cloud: "https://myhuaweicloud.com/" }, {}, "cloud", /myhuaweicloud\.com/],
        ["a region that is not a string", { accessKey: "AKX", secretKey: SK, region: 4 as unknown as string }, {}, "region", /4/],
    ];
    for (const [what, explicit, env, field, message] of BAD) {
        it(`refuses ${what} (ConfigError on ${field}, no secret echoed)`, () => {
            let caught: unknown;
            try {
                resolveSettings(explicit, env);
            } catch (error) {
                caught = error;
            }
            expect(caught).to.be.instanceOf(ConfigError);
            const error = caught as ConfigError;
            expect(error.field).to.equal(field);
            expect(error.message).to.match(message);
            for (const secret of SECRETS) {
                expect(error.message).to.not.contain(secret);
                expect(error.value).to.not.contain(secret);
            }
        });
    }

    it("refuses a non-object", () => {
        expect(() => resolveSettings(42 as unknown as SettingsInput, {})).to.throw(ConfigError, /settings/);
    });
});

describe("credentials: secretsOf", () => {
    const CASES: [string, Credentials, string[]][] = [
        ["AK/SK with a security token: all three", { kind: "aksk", accessKey: "AKVISIBLE", secretKey: SK, securityToken: STS }, ["AKVISIBLE", SK, STS]],
        ["AK/SK alone", { kind: "aksk", accessKey: "AKVISIBLE", secretKey: SK }, ["AKVISIBLE", SK]],
        ["an empty security token is no secret", { kind: "aksk", accessKey: "AK", secretKey: SK, securityToken: "" }, ["AK", SK]],
        ["a token", { kind: "token", token: TOKEN }, [TOKEN]],
    ];
    for (const [what, credentials, expected] of CASES) {
        it(what, () => expect(secretsOf(credentials)).to.deep.equal(expected));
    }
});
