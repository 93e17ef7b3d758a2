/**
 * scripts/pulumi-cli.sh's choices, with stand-in `pulumi` executables on PATH: a CLI the user has
 * is used when it is new enough and has the Node.js language host; an old one is passed over; with
 * no usable CLI and no Go, the script fails saying what to install. (Building from the Go module
 * proxy is exercised by every run of `npm test`, which prints the `real Pulumi CLI:` line.)
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const SCRIPT = path.join(ROOT, "scripts", "pulumi-cli.sh");
const SDK_VERSION = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;

describe("scripts/pulumi-cli.sh", function () {
    this.timeout(30_000);
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobwaiter-cli-script-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** A stand-in `pulumi` printing `version`, optionally with a language host beside it. */
    function fakeCli(version: string, withHost: boolean): string {
        const bin = path.join(dir, `bin-${version}`);
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
        if (withHost) fs.writeFileSync(path.join(bin, "pulumi-language-nodejs"), "#!/bin/sh\n", { mode: 0o755 });
        return bin;
    }

    /** PATH with node and the shell tools but no go and no real pulumi. */
    function pathWithout(extra: string[]): string {
        return [...extra, path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter);
    }

    function run(env: NodeJS.ProcessEnv) {
        return spawnSync("bash", [SCRIPT], { cwd: ROOT, encoding: "utf8", env: { HOME: dir, JOBWAITER_PULUMI_CACHE: path.join(dir, "cache"), ...env } });
    }

    it("uses a new-enough pulumi on PATH that has the Node.js language host", () => {
        const bin = fakeCli("v99.0.0", true);
        const result = run({ PATH: pathWithout([bin]) });
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout.trim()).to.equal(`real Pulumi CLI: v99.0.0 (${path.join(bin, "pulumi")})`);
    });

    it("passes over an old pulumi, or one without the language host, and then needs Go: fails saying what to install", () => {
        for (const bin of [fakeCli("v3.0.0", true), fakeCli(`v${SDK_VERSION}`, false)]) {
            const result = run({ PATH: pathWithout([bin]) });
            expect(result.status).to.equal(1);
            expect(result.stdout).to.equal("");
            expect(result.stderr).to.contain(`ignoring ${path.join(bin, "pulumi")}`);
            expect(result.stderr).to.contain("no usable pulumi on PATH and no go to build one");
            expect(result.stderr).to.contain(`install the Pulumi CLI >= v${SDK_VERSION} with pulumi-language-nodejs on PATH, or Go >= 1.25.11`);
        }
    });
});
