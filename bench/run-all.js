// Runs every benchmark even when one fails a check (exit code), then exits non-zero if any did.
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

let failed = 0;
for (const script of ["policy-bench.js", "concurrency-bench.js"]) {
    const run = spawnSync(process.execPath, ["--expose-gc", path.join(__dirname, "..", "dist", "bench", script)], { stdio: "inherit" });
    if (run.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
