/**
 * Hostile 200 answers through a real deployment, for every kind: a job API that answers the
 * documented failed body of its kind with every string but the status replaced by the stack's
 * secrets, terminal escapes and oversized text. With `allowFailure` each failure is recorded: the
 * exported state, the CLI's output and the stack outputs hold no secret, no control character and
 * no oversized text, and each waiter's outcome is the one its status means.
 */
import { expect } from "chai";
import * as path from "node:path";
import { MAX_SERVER_TEXT } from "../../provider/serverText";
import { getService, SERVICE_KINDS, ServiceKind } from "../../provider/services";
import { FixedAnswerServer, startFixedAnswerServer } from "../support/fixedAnswerServer";
import { documentedBodies, kindsWithoutBodies, poison, strings, UNSAFE_CHARACTER } from "../support/hostileBodies";
import { ensurePulumiCli, findExported, PulumiWorkspace, REPO_ROOT } from "../support/pulumiCli";

const AK = "E2EHOSTILEACCESSKEY1";
const SK = "e2e-hostile-secret-key-0001";
const PROJECT = "0123456789abcdef0123456789abcdef";
const INSTANCE = "i0123456789";
const FIXTURE = path.join(REPO_ROOT, "test", "e2e", "fixtures", "waiters");
/** Larger than any bound by far; small enough that a body with many strings stays under the client's limit. */
const OVERSIZED = 5000;
/** What a hostile server puts in every text field. */
const HOSTILE = `${SK} ${encodeURIComponent(SK)} ${AK.toLowerCase()}\u001b[2J\r\nFAKE\u0007\u001b]8;;https://evil.example/\u0007x\u001b]8;;\u0007\u202e${"B".repeat(OVERSIZED)}`;
const NEEDS_INSTANCE: readonly ServiceKind[] = SERVICE_KINDS.filter((kind) => getService(kind).requiredIds.includes("instanceId"));

describe("hostile 200 answers through the real Pulumi CLI", function () {
    this.timeout(180_000);
    const servers = new Map<ServiceKind, FixedAnswerServer>();
    let workspace: PulumiWorkspace;

    before(async () => {
        workspace = new PulumiWorkspace(ensurePulumiCli(), FIXTURE);
        const documented = await documentedBodies(PROJECT, INSTANCE);
        for (const kind of SERVICE_KINDS) {
            const body = documented.get(`${kind}/failed`);
            if (body === undefined) continue;
            const server = await startFixedAnswerServer();
            server.body = poison(body, HOSTILE, getService(kind).parse(body, "j", (text) => text).status);
            servers.set(kind, server);
        }
    });
    after(async () => {
        for (const server of servers.values()) await server.close();
        workspace?.dispose();
    });

    it("every kind's failed job, recorded with allowFailure: state, output and outputs carry no secret, no control character, nothing oversized", async () => {
        expect(kindsWithoutBodies(), "kinds without a hostile body").to.deep.equal([]);
        const waiters = [...servers].map(([kind, server]) => ({
            name: `w-${kind}`,
            args: {
                service: kind,
                jobId: `hostile-${kind}`,
                endpoint: server.endpoint,
                allowInsecureLoopback: true,
                allowFailure: true,
                ...(NEEDS_INSTANCE.includes(kind) ? { instanceId: INSTANCE } : {}),
            },
        }));
        await workspace.initStack(
            "hostile",
            { "huaweicloud:accessKey": AK, "huaweicloud:secretKey": SK, "huaweicloud:projectId": PROJECT, "jobwaiter-test:waiters": JSON.stringify(waiters) },
            ["huaweicloud:secretKey"],
        );
        const up = await workspace.stackCommand("hostile", ["up"]);
        expect(up.code, up.output.slice(0, 4000)).to.equal(0);
        const state = await workspace.exportState("hostile");
        for (const [kind, server] of servers) {
            expect(server.requests, kind).to.be.at.least(1);
            const outputs = findExported(state, `w-${kind}`)?.outputs ?? {};
            expect(outputs.state, `${kind}: the job's real outcome`).to.equal("failed");
            const { __provider: _provider, ...recorded } = outputs;
            for (const text of strings(recorded)) {
                expect(text.length, kind).to.be.at.most(MAX_SERVER_TEXT);
                expect(text, kind).to.not.match(UNSAFE_CHARACTER);
                for (const secret of [SK, encodeURIComponent(SK), AK, AK.toLowerCase()]) expect(text, `${kind} holds ${secret}`).to.not.contain(secret);
            }
        }
        // The access key is plain stack config, so the state keeps it as the default provider's
        // input; what the servers echoed of it is checked in the waiters above.
        const haystacks = { state: JSON.stringify(state), output: up.output, outputs: JSON.stringify(await workspace.outputs("hostile")) };
        for (const [where, text] of Object.entries(haystacks)) {
            for (const secret of where === "state" ? [SK, encodeURIComponent(SK)] : [SK, encodeURIComponent(SK), AK, AK.toLowerCase()]) {
                expect(text, `${where} holds ${secret}`).to.not.contain(secret);
            }
            expect(text, `${where} holds the oversized text`).to.not.contain("B".repeat(MAX_SERVER_TEXT + 1));
        }
        for (const escape of ["\u001b[2J", "\u001b]8;", "\u0007", "\u202e"])
            expect(up.output, "no terminal escape reached the CLI's output").to.not.contain(escape);
    });
});
