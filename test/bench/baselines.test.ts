/**
 * The baselines' own loops, on jobs that never end: the poll times their documented rules give
 * (bench/baselines.ts), at the deadline too.
 */
import { expect } from "chai";
import { OWN_LOOP_BASELINES } from "../../bench/baselines";

const never = () => ({ done: false, progress: undefined });
const run = (name: string) => OWN_LOOP_BASELINES.find((b) => b.name === name)!.run;

describe("bench: baselines", () => {
    it("aws-sdk-v3: waits of U(2 s, 2^(k−1)·2 s), the one that would pass the deadline cut to the time left − 0.5 s, then TIMEOUT without a final check", () => {
        const top = () => 0.999_999;
        const r = run("aws-sdk-v3")(never as never, 7_000, top);
        expect(r.outcome).to.equal("timeout");
        expect(r.pollTimesMs.map(Math.round)).to.deep.equal([0, 2_000, 6_000, 6_500]);
    });

    it("p-retry-default: 11 attempts 1, 2, 4 … 512 s apart, then gives up", () => {
        const r = run("p-retry-default")(never as never, 10 * 3_600_000, Math.random);
        expect(r.outcome).to.equal("gaveUp");
        expect(r.pollTimesMs).to.deep.equal([0, 1, 3, 7, 15, 31, 63, 127, 255, 511, 1023].map((s) => s * 1000));
    });
});
