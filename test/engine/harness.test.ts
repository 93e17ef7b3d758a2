/**
 * Tests of the engine harness (provider/testing/engine.ts): a fixture program with a tiny
 * dynamic provider ("echo", backed by a fake cloud directory) goes through the REAL
 * dynamic-provider host of @pulumi/pulumi.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    deploy,
    destroy,
    DeployResult,
    findResource,
    isStateSecret,
    killAllChildren,
    liveChildren,
    loadState,
    pidAlive,
    preview,
    refresh,
    revealSecrets,
    saveState,
    startedPids,
    StackState,
} from "../../provider/testing/engine";

const PROGRAM = path.join(__dirname, "fixtures", "echoProgram.js");
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const A = "urn:pulumi:dev::project::pulumi-nodejs:dynamic/echo:Echo::a";
const B = "urn:pulumi:dev::project::pulumi-nodejs:dynamic/echo:Echo::b";
const DEP = "urn:pulumi:dev::project::fixture:index:Dependent::dep";

describe("engine harness (real dynamic-provider host)", function () {
    this.timeout(120_000);

    let cloud: string;
    const env = () => ({ ECHO_CLOUD_DIR: cloud });
    const cloudIds = () =>
        fs
            .readdirSync(cloud)
            .filter((f) => f.endsWith(".json"))
            .map((f) => f.replace(/\.json$/, ""))
            .sort();
    const up = (config: Record<string, string>, extra: Partial<Parameters<typeof deploy>[0]> = {}) =>
        deploy({ program: PROGRAM, config, hostEnv: env(), timeoutMs: 60_000, ...extra });
    const describeFailure = (r: DeployResult) =>
        `error: ${r.error}\nhost: ${r.hostOutput}\nprogram: ${r.programOutput}\nrpcs: ${JSON.stringify(r.rpcs)}`;

    beforeEach(() => {
        cloud = fs.mkdtempSync(path.join(os.tmpdir(), "echo-cloud-"));
    });

    afterEach(async () => {
        await killAllChildren();
        fs.rmSync(cloud, { recursive: true, force: true });
    });

    after(async () => {
        await killAllChildren();
    });

    it("creates through the real host and chains outputs into a dependent resource", async () => {
        const r = await up({});
        expect(r.ok, describeFailure(r)).to.equal(true);
        expect(r.operations.filter((o) => o.urn === A || o.urn === DEP)).to.deep.equal([
            { urn: A, op: "create" },
            { urn: DEP, op: "create" },
        ]);
        // The engine path: Handshake (UNIMPLEMENTED in the Node host), Configure, Check, Create.
        expect(r.rpcs.map((x) => `${x.method}:${x.ok ? "ok" : x.codeName}`)).to.deep.equal([
            "handshake:UNIMPLEMENTED",
            "configure:ok",
            "check:ok",
            "create:ok",
        ]);
        const a = findResource(r.state, A)!;
        expect(a.id).to.equal("ka-1");
        expect(a.provider).to.match(/^urn:pulumi:dev::project::pulumi:providers:pulumi-nodejs::default::[0-9a-f-]{36}$/);
        expect(a.parent).to.equal("urn:pulumi:dev::project::pulumi:pulumi:Stack::project-dev");
        expect(a.inputs!.__provider).to.be.a("string").and.include("exports.handler");
        const dep = findResource(r.state, DEP)!;
        expect(dep.dependencies).to.deep.equal([A]);
        expect(dep.inputs).to.deep.equal({ echoedValue: "v1", echoId: "ka-1" });
        expect(dep.outputs).to.deep.equal(dep.inputs);
        expect(r.outputs.aValue).to.equal("v1");
        expect(r.outputs.depValue).to.equal("v1");
        expect(r.outputs.depEchoId).to.equal("ka-1");
        expect(cloudIds()).to.deep.equal(["ka-1"]);
        // The provider's progress lines printed in the host process are captured.
        expect(r.hostOutput).to.include("echo: creating ka=v1").and.include("echo: created ka-1");
        expect(r.host!.pid).to.be.a("number");
        // State types follow `pulumi stack export`.
        expect(r.state.version).to.equal(3);
        expect(r.state.deployment.resources.map((x) => x.type)).to.deep.equal([
            "pulumi:pulumi:Stack",
            "pulumi:providers:pulumi-nodejs",
            "pulumi-nodejs:dynamic/echo:Echo",
            "pulumi:providers:fixture",
            "fixture:index:Dependent",
        ]);
    });

    it("feeds stack config through Configure and lets the caller set the host env and cwd", async () => {
        const r1 = await up({ "fixture:greeting": "hello" }, { hostEnv: { ...env(), HW_ACCESS_KEY: "AK-TEST" }, hostCwd: REPO_ROOT });
        expect(r1.ok, describeFailure(r1)).to.equal(true);
        expect(r1.outputs.greeting).to.equal("hello");
        expect(r1.outputs.configureCalls).to.equal(1);
        expect(r1.outputs.accessKeyPresent).to.equal(true);
        expect(r1.outputs.hostCwd).to.equal(REPO_ROOT);
        // Launched through the CLI's shell wrapper: the host node process is a child of the group leader.
        expect(r1.outputs.hostPid).to.not.equal(r1.host!.pid);

        const tmpCwd = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "host-cwd-")));
        try {
            const r2 = await up({ "fixture:greeting": "bonjour", "fixture:key": "other" }, { hostLauncher: "node", hostCwd: tmpCwd });
            expect(r2.ok, describeFailure(r2)).to.equal(true);
            expect(r2.outputs.greeting).to.equal("bonjour");
            expect(r2.outputs.accessKeyPresent).to.equal(false);
            expect(r2.outputs.hostCwd).to.equal(tmpCwd);
            expect(r2.outputs.hostPid).to.equal(r2.host!.pid);
        } finally {
            fs.rmSync(tmpCwd, { recursive: true, force: true });
        }
    });

    it("is idempotent, updates in place, and replaces (create-before-delete, then delete-before-replace)", async () => {
        const r1 = await up({});
        expect(r1.ok, describeFailure(r1)).to.equal(true);

        const same = await up({}, { priorState: r1.state });
        expect(same.ok, describeFailure(same)).to.equal(true);
        expect(same.operations.find((o) => o.urn === A)!.op).to.equal("same");
        expect(same.rpcs.map((x) => x.method)).to.deep.equal(["handshake", "configure", "check", "diff"]);

        const upd = await up({ "fixture:value": "v2" }, { priorState: same.state });
        expect(upd.ok, describeFailure(upd)).to.equal(true);
        expect(upd.operations.find((o) => o.urn === A)!.op).to.equal("update");
        expect(upd.rpcs.map((x) => x.method)).to.include("update").and.not.include("create");
        expect(findResource(upd.state, A)!.id).to.equal("ka-1");
        expect(upd.outputs.updates).to.equal(1);
        expect(upd.outputs.depValue).to.equal("v2"); // the dependent follows the new output
        expect(upd.operations.find((o) => o.urn === DEP)!.op).to.equal("update");

        const rep = await up({ "fixture:value": "v2", "fixture:key": "kb" }, { priorState: upd.state });
        expect(rep.ok, describeFailure(rep)).to.equal(true);
        const repOps = rep.operations.filter((o) => o.urn === A);
        expect(repOps).to.deep.equal([
            { urn: A, op: "replace", replaces: ["key"], deleteBeforeReplace: false },
            { urn: A, op: "delete-replaced" },
        ]);
        // Before a replacement the engine checks the goal again (defaults recomputed, no olds).
        expect(rep.rpcs.map((x) => x.method).slice(2)).to.deep.equal(["check", "diff", "check", "create", "delete"]);
        expect(findResource(rep.state, A)!.id).to.equal("kb-2");
        expect(cloudIds()).to.deep.equal(["kb-2"]);
        expect(rep.state.deployment.resources.filter((x) => x.urn === A)).to.have.length(1);

        const dbr = await up({ "fixture:value": "v2", "fixture:key": "kc", "fixture:dbr": "true" }, { priorState: rep.state });
        expect(dbr.ok, describeFailure(dbr)).to.equal(true);
        expect(dbr.operations.filter((o) => o.urn === A)).to.deep.equal([
            { urn: A, op: "delete-replaced" },
            { urn: A, op: "replace", replaces: ["key"], deleteBeforeReplace: true },
        ]);
        expect(dbr.rpcs.map((x) => x.method).slice(2)).to.deep.equal(["check", "diff", "check", "delete", "create"]);
        expect(cloudIds()).to.deep.equal(["kc-3"]);
    });

    it("surfaces Check failures as a failed deployment with the provider's reason", async () => {
        const r = await up({ "fixture:value": "bad" });
        expect(r.ok).to.equal(false);
        expect(r.error).to.include(
            "pulumi-nodejs:dynamic/echo:Echo resource 'a's property 'value' value {bad} has a problem: value must not be 'bad'",
        );
        expect(r.diagnostics[0]).to.include({ severity: "error", urn: A });
        expect(r.rpcs.map((x) => x.method)).to.not.include("create");
        expect(findResource(r.state, A)).to.equal(undefined);
        expect(cloudIds()).to.deep.equal([]);
    });

    it("surfaces Create errors with the provider's message and keeps what was created before", async () => {
        const r = await up({ "fixture:withB": "true", "fixture:failB": "quota exceeded" });
        expect(r.ok).to.equal(false);
        expect(r.error).to.include(`${B}: echo: cloud refused kb: quota exceeded`);
        const create = r.rpcs.find((x) => x.method === "create" && x.urn === B)!;
        expect(create).to.include({ ok: false, codeName: "UNKNOWN", details: "echo: cloud refused kb: quota exceeded" });
        expect(findResource(r.state, A)!.id).to.equal("ka-1");
        expect(findResource(r.state, B)).to.equal(undefined);
        expect(cloudIds()).to.deep.equal(["ka-1"]);

        // Fixing the problem and deploying again creates only what is missing.
        const fixed = await up({ "fixture:withB": "true" }, { priorState: r.state });
        expect(fixed.ok, describeFailure(fixed)).to.equal(true);
        expect(fixed.operations.find((o) => o.urn === A)!.op).to.equal("same");
        expect(fixed.operations.find((o) => o.urn === B)!.op).to.equal("create");
        expect(fixed.outputs.bValue).to.equal("v1-chained");
    });

    it("previews without creating anything (outputs not in the inputs are unknown)", async () => {
        const p1 = await preview({ program: PROGRAM, config: {}, hostEnv: env() });
        expect(p1.ok, describeFailure(p1)).to.equal(true);
        expect(p1.operations.find((o) => o.urn === A)!.op).to.equal("create");
        expect(p1.rpcs.map((x) => x.method)).to.deep.equal(["handshake", "configure", "check"]);
        expect(p1.outputs.aId).to.equal(undefined);
        expect(p1.outputs.aValue).to.equal("v1"); // echoed input: known, as with the real engine
        expect(p1.outputs.greeting).to.equal(undefined);
        expect(p1.state.deployment.resources).to.deep.equal([]);
        expect(cloudIds()).to.deep.equal([]);

        const r = await up({});
        const p2 = await preview({ program: PROGRAM, config: { "fixture:key": "new" }, priorState: r.state, hostEnv: env() });
        expect(p2.ok, describeFailure(p2)).to.equal(true);
        expect(p2.operations.filter((o) => o.urn === A).map((o) => o.op)).to.deep.equal(["replace", "delete-replaced"]);
        expect(p2.rpcs.map((x) => x.method).slice(2), "a replacement is checked again in a preview too").to.deep.equal(["check", "diff", "check"]);
        expect(findResource(p2.state, A)!.id).to.equal("ka-1");
        expect(cloudIds()).to.deep.equal(["ka-1"]);
    });

    it("refreshes with Read then Diff (drift picked up and shown as an update, vanished resources dropped)", async () => {
        const r = await up({ "fixture:withB": "true" });
        expect(r.ok, describeFailure(r)).to.equal(true);
        const aFile = path.join(cloud, "ka-1.json");
        fs.writeFileSync(aFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(aFile, "utf8")), value: "drifted" }));
        fs.rmSync(path.join(cloud, "kb-2.json"));

        const ref = await refresh(r.state, { hostEnv: env() });
        expect(ref.ok, describeFailure(ref)).to.equal(true);
        expect(ref.operations.find((o) => o.urn === A)!.op, "drift: the read state differs from the inputs").to.equal("update");
        expect(ref.operations.find((o) => o.urn === B)!.op).to.equal("delete");
        expect(ref.rpcs.filter((x) => x.urn === A).map((x) => x.method)).to.deep.equal(["read", "diff"]);
        expect(findResource(ref.state, A)!.outputs!.value).to.equal("drifted");
        expect(findResource(ref.state, A)!.outputs!.__provider).to.be.a("string");
        expect(findResource(ref.state, B)).to.equal(undefined);
        expect(ref.rpcs.filter((x) => x.method === "read")).to.have.length(2);
    });

    it("refresh configures the provider with the config recorded at the last update, not the current one", async () => {
        const r = await up({ "fixture:greeting": "recorded" });
        expect(r.ok, describeFailure(r)).to.equal(true);
        const ref = await refresh(r.state, { config: { "fixture:greeting": "changed since" }, hostEnv: env() });
        expect(ref.ok, describeFailure(ref)).to.equal(true);
        expect(findResource(ref.state, A)!.outputs!.greetingAtRead).to.equal("recorded");
    });

    it("destroys in reverse dependency order through Delete", async () => {
        const r = await up({ "fixture:withB": "true" });
        expect(r.ok, describeFailure(r)).to.equal(true);
        const d = await destroy(r.state, { hostEnv: env() });
        expect(d.ok, describeFailure(d)).to.equal(true);
        expect(d.state.deployment.resources).to.deep.equal([]);
        const order = d.operations.map((o) => o.urn);
        expect(order.indexOf(B)).to.be.lessThan(order.indexOf(A)); // b depends on a's output
        expect(order.indexOf(DEP)).to.be.lessThan(order.indexOf(A));
        expect(order[order.length - 1]).to.equal("urn:pulumi:dev::project::pulumi:pulumi:Stack::project-dev");
        expect(d.rpcs.filter((x) => x.method === "delete").map((x) => x.urn)).to.deep.equal([B, A]);
        expect(cloudIds()).to.deep.equal([]);
        expect(d.hostOutput).to.include("echo: deleting kb-2").and.include("echo: deleting ka-1");
    });

    it("keeps secrets encrypted in state, sends them in clear to the host, and re-marks outputs secret", async () => {
        const config = { "fixture:password": "pw-123", "fixture:withLabel": "true", "fixture:greeting": "hi", "fixture:greetingSecret": "true" };
        const r = await up(config, { secretConfig: ["fixture:password"] });
        expect(r.ok, describeFailure(r)).to.equal(true);
        const file = path.join(cloud, "state.json");
        saveState(file, r.state);
        const text = fs.readFileSync(file, "utf8");
        expect(text).to.not.include("pw-123");
        expect(text).to.not.include("top-secret-label");
        expect(text).to.include('"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"');
        expect(text).to.include('"ciphertext"');

        const a = findResource(r.state, A)!;
        expect(isStateSecret(a.inputs!.password)).to.equal(true); // secret config → secret input
        expect(isStateSecret(a.inputs!.label)).to.equal(true); // pulumi.secret(...) in the program
        expect(isStateSecret(a.outputs!.password)).to.equal(true); // output re-marked: its input was secret
        expect(isStateSecret(a.outputs!.label)).to.equal(true);
        expect(isStateSecret(a.outputs!.greeting)).to.equal(true); // additionalSecretOutputs
        expect(isStateSecret(a.outputs!.value)).to.equal(false);
        expect(revealSecrets(r.state, a.outputs!.password)).to.equal("pw-123");
        const prov = findResource(r.state, "urn:pulumi:dev::project::pulumi:providers:pulumi-nodejs::default")!;
        expect(isStateSecret(prov.inputs!["fixture:password"])).to.equal(true);
        expect(r.secretOutputs).to.include("aPassword");
        expect(r.outputs.aPassword).to.equal("pw-123");
        // The provider (acceptSecrets=false) received the clear values.
        expect(fs.readFileSync(path.join(cloud, "ka-1.json"), "utf8")).to.include('"password":"pw-123"');

        // Round trip through the file: the next deployment sees no change.
        const loaded: StackState = loadState(file);
        const again = await up(config, { secretConfig: ["fixture:password"], priorState: loaded });
        expect(again.ok, describeFailure(again)).to.equal(true);
        expect(again.operations.find((o) => o.urn === A)!.op).to.equal("same");
        expect(JSON.stringify(again.state)).to.not.include("pw-123");
    });

    it("SIGTERM mid-Create kills a host that does not handle it; the RPC ends UNAVAILABLE", async () => {
        const r = await up({ "fixture:delayMs": "20000" }, { interrupt: { signal: "SIGTERM", during: "create", afterMs: 500 } });
        expect(r.ok).to.equal(false);
        const create = r.rpcs.find((x) => x.method === "create")!;
        expect(create.ok).to.equal(false);
        expect(create.codeName).to.equal("UNAVAILABLE");
        expect(create.durationMs).to.be.lessThan(10_000);
        expect(r.host!.interrupt).to.include({ signal: "SIGTERM", method: "create", urn: A });
        expect(r.host!.exit).to.not.equal(null);
        expect(r.host!.exit!.signal).to.equal("SIGTERM");
        expect(r.rpcs.map((x) => x.method)).to.include("cancel"); // the engine sends Cancel first (a no-op)
        expect(findResource(r.state, A)).to.equal(undefined);
        expect(r.hostOutput).to.include("echo: creating");
    });

    it("SIGINT mid-Create reaches a provider that handles it; the RPC ends with its message", async () => {
        const r = await up(
            { "fixture:delayMs": "20000", "fixture:handleSignals": "true" },
            { interrupt: { signal: "SIGINT", during: "create", afterMs: 500 } },
        );
        expect(r.ok).to.equal(false);
        const create = r.rpcs.find((x) => x.method === "create")!;
        expect(create).to.include({ ok: false, codeName: "UNKNOWN", details: "echo: aborted by SIGINT" });
        expect(r.error).to.include("echo: aborted by SIGINT");
        expect(r.hostOutput).to.include("echo: got SIGINT, aborting");
        expect(r.host!.exit).to.equal(null); // survived the signal; killed by the harness at the end
        expect(r.host!.killedByHarness).to.equal(true);
    });

    it("runs an inline, self-contained function program", async () => {
        const r = await deploy({
            program: async (pulumi, args: { n: number }) => {
                const provider = {
                    async create(inputs: any) {
                        return { id: `sq-${inputs.n}`, outs: { ...inputs, square: inputs.n * inputs.n } };
                    },
                };
                class Square extends pulumi.dynamic.Resource {}
                const res = new Square(provider, "sq", { n: args.n, square: undefined });
                return { square: (res as any).square, id: res.id };
            },
            programArgs: { n: 7 },
            hostCwd: REPO_ROOT,
        });
        expect(r.ok, describeFailure(r)).to.equal(true);
        expect(r.outputs).to.deep.equal({ square: 49, id: "sq-7" });
        expect(findResource(r.state, "sq", "pulumi-nodejs:dynamic:Resource")!.id).to.equal("sq-7");
    });

    it("reports a program that throws as a failed deployment", async () => {
        const r = await deploy({
            program: async () => {
                throw new Error("program exploded");
            },
            hostCwd: REPO_ROOT,
        });
        expect(r.ok).to.equal(false);
        expect(r.error).to.include("program failed").and.include("program exploded");
    });

    it("times out instead of hanging, and kills everything", async () => {
        const t0 = Date.now();
        const r = await up({ "fixture:delayMs": "60000" }, { timeoutMs: 4000 });
        expect(r.ok).to.equal(false);
        expect(r.error).to.include("timed out after 4000 ms");
        expect(Date.now() - t0).to.be.lessThan(15_000);
        expect(liveChildren()).to.deep.equal([]);
    });

    it("leaves no child process behind", async () => {
        await killAllChildren();
        expect(liveChildren()).to.deep.equal([]);
        const pids = startedPids();
        expect(pids.length).to.be.greaterThan(10);
        expect(pids.filter(pidAlive)).to.deep.equal([]);
    });
});
