/**
 * The serialized provider: what Pulumi stores in the state as `__provider`.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { handlerSpecifier, HANDLER_PACKAGE_SPECIFIER, jobWaiterProvider } from "../../../provider/resource/provider";

describe("resource: serialized provider", () => {
    const secret = "serialization-secret-must-not-appear";
    let text: string;

    before(async () => {
        process.env.HW_SECRET_KEY = secret;
        process.env.HW_AUTH_TOKEN = secret;
        const provider = jobWaiterProvider();
        text = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
        delete process.env.HW_SECRET_KEY;
        delete process.env.HW_AUTH_TOKEN;
    });

    it("is small: only require() delegations, no inlined libraries", () => {
        expect(text.length).to.be.below(4000);
        expect(text).to.not.match(/axios|pRetry|p-retry|signRequest|createHmac/);
        expect(text).to.contain("handler");
    });

    it("captures no credential from the environment", () => {
        expect(text).to.not.contain(secret);
    });

    it("loads and works the way the provider host loads it (require-from-string)", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the provider host loads the provider this way; there are no typings to import
        const requireFromString = require("require-from-string") as (code: string) => { handler: () => pulumi.dynamic.ResourceProvider };
        const provider = requireFromString(text).handler();
        const result = await provider.check!({}, { service: "nope", jobId: "j", projectId: "p", region: "cn-north-4" });
        expect(result.failures?.[0].property).to.equal("service");
        expect(result.failures?.[0].reason).to.match(/"dws", "ddm", "roma", "cfw"/);
    });

    it("names the package when installed under node_modules, else this checkout's file", () => {
        expect(handlerSpecifier(os.tmpdir())).to.equal(require.resolve("../../../provider/resource/handler"));
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-install-"));
        try {
            const root = path.resolve(__dirname, "..", "..", "..", "..");
            fs.mkdirSync(path.join(project, "node_modules"));
            fs.symlinkSync(root, path.join(project, "node_modules", "pulumi-huaweicloud-jobwaiter"));
            expect(handlerSpecifier(project)).to.equal(HANDLER_PACKAGE_SPECIFIER);
            expect(handlerSpecifier(path.join(project, "sub", "dir"))).to.equal(HANDLER_PACKAGE_SPECIFIER);
            // A monorepo app with a copy of its own nearer: Node would load that one by name, so the state names this file.
            const app = path.join(project, "packages", "app");
            const nearer = path.join(app, "node_modules", ...HANDLER_PACKAGE_SPECIFIER.split("/"));
            fs.mkdirSync(path.dirname(nearer), { recursive: true });
            fs.writeFileSync(nearer, "module.exports = {};\n");
            expect(handlerSpecifier(app)).to.equal(fs.realpathSync(require.resolve("../../../provider/resource/handler")));
        } finally {
            fs.rmSync(project, { recursive: true, force: true });
        }
    });
});
