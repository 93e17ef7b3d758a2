import { expect } from "chai";
import { inFlightCount, sharedRequest } from "../../../provider/polling/sharedRequest";

describe("polling: shared request (single-flight with cancellation)", () => {
    it("runs once for concurrent callers of the same key", async () => {
        let runs = 0;
        const run = async () => {
            runs++;
            await new Promise((r) => setTimeout(r, 20));
            return 42;
        };
        const results = await Promise.all([sharedRequest("k1", undefined, run), sharedRequest("k1", undefined, run), sharedRequest("k2", undefined, run)]);
        expect(results).to.deep.equal([42, 42, 42]);
        expect(runs).to.equal(2);
        expect(inFlightCount()).to.equal(0);
    });

    it("one caller's abort rejects only that caller; the request goes on for the others", async () => {
        const a = new AbortController();
        let sharedSignal: AbortSignal | undefined;
        const run = async (signal: AbortSignal) => {
            sharedSignal = signal;
            await new Promise((r) => setTimeout(r, 50));
            return "done";
        };
        const first = sharedRequest("k3", a.signal, run);
        const second = sharedRequest("k3", undefined, run);
        a.abort(new Error("first gave up"));
        const firstError = await first.catch((e: Error) => e.message);
        expect(firstError).to.equal("first gave up");
        expect(await second).to.equal("done");
        expect(sharedSignal!.aborted).to.equal(false);
    });

    it("aborts the shared request when every caller has aborted", async () => {
        const a = new AbortController();
        const b = new AbortController();
        let sharedSignal: AbortSignal | undefined;
        const run = (signal: AbortSignal) =>
            new Promise<string>((_, reject) => {
                sharedSignal = signal;
                signal.addEventListener("abort", () => reject(signal.reason));
            });
        const p1 = sharedRequest("k4", a.signal, run).catch((e: Error) => e.message);
        const p2 = sharedRequest("k4", b.signal, run).catch((e: Error) => e.message);
        a.abort(new Error("a"));
        expect(sharedSignal!.aborted).to.equal(false);
        b.abort(new Error("b"));
        expect(sharedSignal!.aborted).to.equal(true);
        expect(await p1).to.equal("a");
        expect(await p2).to.equal("b");
        expect(inFlightCount()).to.equal(0);
    });

    it("a caller joins only a request that runs at least as long as its own would, and sees that request's stage", async () => {
        let runs = 0;
        const run = async (_signal: AbortSignal, stage: { sent: boolean }) => {
            const mine = ++runs;
            stage.sent = true;
            await new Promise((r) => setTimeout(r, 20));
            return mine;
        };
        const stages: { sent: boolean }[] = [];
        const onJoin = (stage: { sent: boolean }) => stages.push(stage);
        const results = await Promise.all([
            sharedRequest("k6", undefined, run, { until: 1_000, onJoin }),
            sharedRequest("k6", undefined, run, { until: 500, onJoin }), // joins the first
            sharedRequest("k6", undefined, run, { until: 2_000, onJoin }), // starts its own
            sharedRequest("k6", undefined, run, { until: 2_000, onJoin }), // joins the third
        ]);
        expect(results).to.deep.equal([1, 1, 2, 2]);
        expect(stages[0]).to.equal(stages[1]);
        expect(stages[2]).to.equal(stages[3]);
        expect(stages[0]).to.not.equal(stages[2]);
        expect(stages.every((stage) => stage.sent)).to.equal(true);
        expect(inFlightCount()).to.equal(0);
    });

    it("rejects at once with an already-aborted signal", async () => {
        const c = new AbortController();
        c.abort(new Error("already"));
        const error = await sharedRequest("k5", c.signal, async () => 1).catch((e: Error) => e.message);
        expect(error).to.equal("already");
    });
});
