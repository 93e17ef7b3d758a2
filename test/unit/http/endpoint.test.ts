/**
 * Endpoints: default URL per region and cloud, endpoint overrides, loopback hosts, region names.
 */
import { expect } from "chai";
import { ConfigError } from "../../../provider/errors";
import { isLoopbackHost, serviceEndpoint, validateCloud, validateEndpoint, validateRegion } from "../../../provider/http/endpoint";

function configError(fn: () => unknown): ConfigError {
    try {
        fn();
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return error as ConfigError;
    }
    throw new Error("expected a ConfigError");
}

describe("endpoint: serviceEndpoint", () => {
    /** [service, region, cloud, expected] — domain rule of terraform-provider-huaweicloud getCloudDomain. */
    const CASES: [string, string, string | undefined, string][] = [
        ["dws", "cn-north-4", undefined, "https://dws.cn-north-4.myhuaweicloud.com"],
        ["ddm", "ap-southeast-1", undefined, "https://ddm.ap-southeast-1.myhuaweicloud.com"],
        ["roma", "la-north-2", undefined, "https://roma.la-north-2.myhuaweicloud.com"],
        // eu-west-1xx is the Europe site (myhuaweicloud.eu); eu-west-0 (Paris) is not.
        ["cfw", "eu-west-101", undefined, "https://cfw.eu-west-101.myhuaweicloud.eu"],
        ["dws", "eu-west-0", undefined, "https://dws.eu-west-0.myhuaweicloud.com"],
        ["dws", "cn-north-4", "", "https://dws.cn-north-4.myhuaweicloud.com"],
        // An explicit cloud (HW_CLOUD) always wins, also for Europe.
        ["dws", "cn-north-4", "example.cloud.cn", "https://dws.cn-north-4.example.cloud.cn"],
        ["dws", "eu-west-101", "myhuaweicloud.com", "https://dws.eu-west-101.myhuaweicloud.com"],
        ["dws", "cn-north-4", "MyHuaweiCloud.COM", "https://dws.cn-north-4.myhuaweicloud.com"],
    ];
    for (const [service, region, cloud, expected] of CASES) {
        it(`${service} in ${region}${cloud ? ` on ${cloud}` : ""} → ${expected}`, () => {
            expect(serviceEndpoint(service, region, cloud)).to.equal(expected);
        });
    }

    const BAD: [string, () => unknown, string][] = [
        ["service with a dot", () => serviceEndpoint("dws.evil.com/x", "cn-north-4"), "endpointService"],
        ["upper-case service", () => serviceEndpoint("DWS", "cn-north-4"), "endpointService"],
        ["bad region", () => serviceEndpoint("dws", "cn-north-4.evil.com"), "region"],
        ["cloud with a scheme", () => serviceEndpoint("dws", "cn-north-4", "https://evil.com"), "cloud"],
        ["cloud with a path", () => serviceEndpoint("dws", "cn-north-4", "evil.com/x"), "cloud"],
        ["cloud with a port", () => serviceEndpoint("dws", "cn-north-4", "evil.com:8443"), "cloud"],
        ["single-label cloud", () => serviceEndpoint("dws", "cn-north-4", "localhost"), "cloud"],
        ["cloud with user info", () => serviceEndpoint("dws", "cn-north-4", "x@evil.com"), "cloud"],
    ];
    for (const [what, fn, field] of BAD) {
        it(`refuses ${what}`, () => expect(configError(fn).field).to.equal(field));
    }

    it("validateCloud folds case and refuses non-strings", () => {
        expect(validateCloud("MYHUAWEICLOUD.EU")).to.equal("myhuaweicloud.eu");
        expect(configError(() => validateCloud(3 as unknown as string)).field).to.equal("cloud");
    });
});

describe("endpoint: validateEndpoint", () => {
    const GOOD: [string, { allowInsecureLoopback?: boolean }, string][] = [
        ["https://dws.cn-north-4.myhuaweicloud.com", {}, "https://dws.cn-north-4.myhuaweicloud.com"],
        ["https://dws.cn-north-4.myhuaweicloud.com/", {}, "https://dws.cn-north-4.myhuaweicloud.com"],
        ["HTTPS://DWS.Example.COM:443/", {}, "https://dws.example.com"],
        ["https://dws.example.com:8443", {}, "https://dws.example.com:8443"],
        ["https://10.0.0.1", {}, "https://10.0.0.1"],
        ["https://[2001:db8::1]:8443/", {}, "https://[2001:db8::1]:8443"],
        ["http://127.0.0.1:8080", { allowInsecureLoopback: true }, "http://127.0.0.1:8080"],
        ["http://127.9.9.9", { allowInsecureLoopback: true }, "http://127.9.9.9"],
        ["http://localhost:3000/", { allowInsecureLoopback: true }, "http://localhost:3000"],
        ["http://LOCALHOST:3000", { allowInsecureLoopback: true }, "http://localhost:3000"],
        ["http://[::1]:9000", { allowInsecureLoopback: true }, "http://[::1]:9000"],
        ["https://127.0.0.1:9443", { allowInsecureLoopback: true }, "https://127.0.0.1:9443"],
    ];
    for (const [input, options, expected] of GOOD) {
        it(`accepts ${input}${options.allowInsecureLoopback ? " (loopback allowed)" : ""} → ${expected}`, () => {
            expect(validateEndpoint(input, options)).to.equal(expected);
        });
    }

    /** [what, value, options, the message must match] */
    const BAD: [string, unknown, { allowInsecureLoopback?: boolean }, RegExp][] = [
        ["plain http to a public host", "http://dws.example.com", {}, /https/],
        ["plain http to a public host even with the loopback opt-in", "http://dws.example.com", { allowInsecureLoopback: true }, /loopback/],
        ["plain http to loopback without the opt-in", "http://127.0.0.1:8080", {}, /allowInsecureLoopback: true/],
        ["plain http to a private address", "http://10.0.0.1", { allowInsecureLoopback: true }, /loopback/],
        ["plain http to localhost.example.com", "http://localhost.example.com", { allowInsecureLoopback: true }, /loopback/],
        ["plain http to 127.0.0.1.nip.io", "http://127.0.0.1.nip.io", { allowInsecureLoopback: true }, /loopback/],
        ["user info", "https://user:hunter2@dws.example.com", {}, /credentials never go in the URL/],
        ["empty user info", "https://@dws.example.com", {}, /user info/],
        ["a password holding a slash", "https://admin:hunt/er2@dws.example.com", {}, /"https:\/\/\*\*\*@dws\.example\.com"/],
        ["a password holding a space", "https://admin:hunt er2@dws.example.com", {}, /"https:\/\/\*\*\*@dws\.example\.com"/],
        ["user info without a scheme", "admin:hunt#er2@dws.example.com", {}, /"\*\*\*@dws\.example\.com"/],
        ["a path", "https://dws.example.com/v1", {}, /no path/],
        ["a dot segment", "https://dws.example.com/.", {}, /no path/],
        ["a query", "https://dws.example.com?x=1", {}, /no query/],
        ["an empty query", "https://dws.example.com/?", {}, /no query/],
        ["a fragment", "https://dws.example.com#x", {}, /no fragment/],
        ["no scheme", "dws.example.com", {}, /https/],
        ["another scheme", "ftp://dws.example.com", {}, /https/],
        ["a file URL", "file:///etc/passwd", {}, /https/],
        ["surrounding whitespace", " https://dws.example.com", {}, /https/],
        ["an embedded tab", "https://dws.exa\tmple.com", {}, /https/],
        ["a backslash", "https://dws.example.com\\@evil.com", {}, /https/],
        ["no host", "https://", {}, /https/],
        ["a bad port", "https://dws.example.com:99999", {}, /https/],
        ["not a string", 42, {}, /42/],
        ["empty", "", {}, /""/],
    ];
    for (const [what, value, options, message] of BAD) {
        it(`refuses ${what}`, () => {
            const error = configError(() => validateEndpoint(value as string, options));
            expect(error.field).to.equal("endpoint");
            expect(error.message).to.match(message);
            for (const part of ["hunter2", "hunt", "er2"]) expect(error.message).to.not.contain(part);
        });
    }
});

describe("endpoint: isLoopbackHost", () => {
    const TABLE: [string, boolean][] = [
        ["localhost", true],
        ["LocalHost", true],
        ["127.0.0.1", true],
        ["127.255.255.254", true],
        ["127.1", true],
        ["::1", true],
        ["[::1]", true],
        ["0:0:0:0:0:0:0:1", true],
        ["[0000::0001]", true],
        ["::ffff:127.0.0.1", true],
        ["[::ffff:7f00:1]", true],
        ["128.0.0.1", false],
        ["10.0.0.1", false],
        ["0.0.0.0", false],
        ["::", false],
        ["::2", false],
        ["::ffff:10.0.0.1", false],
        ["localhost.", false],
        ["foo.localhost", false],
        ["localhost.example.com", false],
        ["127.0.0.1.example.com", false],
        ["evil@127.0.0.1", false],
        ["127.0.0.1:80", false],
        ["", false],
    ];
    for (const [host, expected] of TABLE) {
        it(`${JSON.stringify(host)} → ${expected}`, () => expect(isLoopbackHost(host)).to.equal(expected));
    }
});

describe("endpoint: validateRegion", () => {
    for (const region of ["cn-north-4", "ap-southeast-1", "eu-west-101", "la-north-2", "eu-west-0", "ae-ad-1", "my-kualalumpur-1", "cn-north-11"]) {
        it(`accepts ${region}`, () => expect(validateRegion(region)).to.equal(region));
    }
    const BAD: unknown[] = [
        "CN-North-4",
        "cn north 4",
        "cn-north-4/evil",
        "cn-north-4.evil.com",
        "cn--north",
        "cn-north-",
        "-cn-north",
        "c-1",
        "cn",
        "",
        `cn-${"a".repeat(61)}`,
        4,
        undefined,
    ];
    for (const region of BAD) {
        it(`refuses ${JSON.stringify(region)}`, () => {
            const error = configError(() => validateRegion(region as string));
            expect(error.field).to.equal("region");
            expect(error.message).to.contain("cn-north-4");
        });
    }
});
