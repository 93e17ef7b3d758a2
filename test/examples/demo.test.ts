/** `npm run demo` as a newcomer runs it: the library part and real `pulumi up`s, every check passing. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");

describe("npm run demo", function () {
    this.timeout(300_000);

    it("runs every part against the emulator with the real CLI and reports no problem", () => {
        const result = spawnSync(process.execPath, [path.join(ROOT, "dist", "examples", "demo.js")], { cwd: ROOT, encoding: "utf8", timeout: 280_000 });
        expect(result.status, result.stdout + result.stderr).to.equal(0);
        expect(result.stdout).to.match(/real Pulumi CLI: v\S+ \(/);
        expect(result.stdout).to.match(/\| .*pulumi-nodejs:dynamic\/huaweicloud:JobWaiter dws-cluster-created created/);
        expect(result.stdout).to.not.match(/^ {2}FAIL /m);
        expect(result.stdout).to.contain("Demo finished: everything behaved as expected.");
    });
});
