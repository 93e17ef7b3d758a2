/**
 * The package as a user's TypeScript project sees it: both entry points (`pulumi-huaweicloud-jobwaiter`
 * and `…/testing`) type-check from a consumer folder under the classic `node10` module resolution
 * (the default for `module: commonjs`, which ignores package.json `exports`) and under `node16`;
 * Node resolves the handler the serialized provider requires, and no other internal file; the
 * main entry exports exactly the public surface.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import * as entry from "../../provider";
import { HANDLER_PACKAGE_SPECIFIER } from "../../provider/resource/provider";

const ROOT = path.resolve(__dirname, "..", "..", "..");

describe("packaging: the public entry points type-check in a consumer project", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-consumer-"));
        fs.mkdirSync(path.join(dir, "node_modules"));
        fs.symlinkSync(ROOT, path.join(dir, "node_modules", "pulumi-huaweicloud-jobwaiter"));
        fs.symlinkSync(path.join(ROOT, "node_modules", "@types"), path.join(dir, "node_modules", "@types"));
        fs.writeFileSync(
            path.join(dir, "index.ts"),
            [
                'import { JobWaiter, waitForJob, createProgressAwarePolicy, VirtualClock } from "pulumi-huaweicloud-jobwaiter";',
                'import { JobApiEmulator, createLocalStack } from "pulumi-huaweicloud-jobwaiter/testing";',
                "export const used = [JobWaiter, waitForJob, createProgressAwarePolicy, VirtualClock, JobApiEmulator, createLocalStack];",
            ].join("\n"),
        );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const settings: [string, ts.CompilerOptions][] = [
        ["node10 (module commonjs)", { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }],
        ["node16", { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
    ];
    for (const [name, options] of settings) {
        it(name, () => {
            const program = ts.createProgram([path.join(dir, "index.ts")], {
                ...options,
                strict: true,
                noEmit: true,
                skipLibCheck: true,
                types: ["node"],
                target: ts.ScriptTarget.ES2022,
            });
            const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
            expect(problems).to.deep.equal([]);
        });
    }
});

describe("packaging: package.json exports open the entries and the handler, nothing else", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-exports-"));
        fs.mkdirSync(path.join(dir, "node_modules"));
        fs.symlinkSync(ROOT, path.join(dir, "node_modules", "pulumi-huaweicloud-jobwaiter"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const resolve = (specifier: string) => fs.realpathSync(require.resolve(specifier, { paths: [dir] }));

    it("the serialized provider's handler specifier resolves to the handler", () => {
        expect(resolve(HANDLER_PACKAGE_SPECIFIER)).to.equal(fs.realpathSync(path.join(ROOT, "dist", "provider", "resource", "handler.js")));
    });

    it("both entries resolve", () => {
        expect(resolve("pulumi-huaweicloud-jobwaiter")).to.equal(fs.realpathSync(path.join(ROOT, "dist", "provider", "index.js")));
        expect(resolve("pulumi-huaweicloud-jobwaiter/testing")).to.equal(fs.realpathSync(path.join(ROOT, "dist", "provider", "testing", "index.js")));
    });

    for (const internal of [
        "pulumi-huaweicloud-jobwaiter/dist/provider/options.js",
        "pulumi-huaweicloud-jobwaiter/dist/provider/http/signer.js",
        "pulumi-huaweicloud-jobwaiter/dist/provider/index.js",
    ]) {
        it(`an internal file is not exported: ${internal}`, () => {
            expect(() => resolve(internal))
                .to.throw()
                .with.property("code", "ERR_PACKAGE_PATH_NOT_EXPORTED");
        });
    }
});

describe("packaging: the main entry's public surface", () => {
    it("exports these values, and no others", () => {
        expect(Object.keys(entry).sort()).to.deep.equal(
            [
                "ConfigError",
                "JobApiError",
                "JobCancelledError",
                "JobFailedError",
                "JobTimeoutError",
                "JobWaiter",
                "JobWaiterError",
                "NoRequestSlotError",
                "SERVICE_KINDS",
                "VirtualClock",
                "createProgressAwarePolicy",
                "getJobStatus",
                "PollNotSent",
                "pollUntilTerminal",
                "progressAwarePolicy",
                "waitForJob",
            ].sort(),
        );
    });
});

describe("packaging: the tarball", () => {
    it("holds every file the README links to, and the license", () => {
        const { files } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { files: string[] };
        const shipped = (file: string) => files.some((entry) => file === entry || file.startsWith(`${entry}/`));
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const linked = [...readme.matchAll(/\]\(([^)#:]+)(?:#[^)]*)?\)/g)].map((m) => m[1]);
        expect(linked.length, "relative links in the README").to.be.above(0);
        expect(linked.filter((file) => !shipped(file) || !fs.existsSync(path.join(ROOT, file)))).to.deep.equal([]);
        expect(shipped("LICENSE") && fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8")).to.match(/Apache License\s+Version 2\.0/);
    });
});
