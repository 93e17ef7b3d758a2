/**
 * The benchmark's synthetic traces must behave like a job API, or the benchmark measures nothing:
 * every shape answers deterministically, reports integer progress in 0..100 (or none, for the
 * shapes without progress), never says done before the job's duration, and says done from then on.
 */
import { expect } from "chai";
import { ADVERSARIAL_SHAPES, HELD_OUT_SHAPES, MAIN_SHAPES, SECOND_SET_SHAPES, THIRD_SET_SHAPES, TraceShape, seededRandom } from "../../bench/traces";

const ALL: readonly TraceShape[] = [...MAIN_SHAPES, ...ADVERSARIAL_SHAPES, ...HELD_OUT_SHAPES, ...SECOND_SET_SHAPES, ...THIRD_SET_SHAPES];

describe("bench traces", () => {
    it("have unique names", () => {
        const names = ALL.map((s) => s.name);
        expect(new Set(names).size).to.equal(names.length);
    });

    for (const shape of ALL) {
        it(`${shape.name}: deterministic, integer progress in 0..100, done exactly from the duration`, () => {
            const rng = seededRandom(20261123);
            for (let job = 0; job < 200; job++) {
                const durationMs = 1_000 + rng() * 7_200_000;
                const run = shape.make(durationMs, rng);
                expect(run.durationMs).to.equal(durationMs);
                for (let i = 0; i <= 60; i++) {
                    const t = (durationMs * i) / 50; // 0 .. 1.2·D
                    const a = run.at(t);
                    expect(run.at(t), `same answer twice at ${t}`).to.deep.equal(a);
                    expect(a.done, `done at ${t} of ${durationMs}`).to.equal(t >= durationMs);
                    if (a.done) expect(a.progress).to.equal(shape.hasProgress ? 100 : undefined);
                    else if (shape.hasProgress) {
                        expect(Number.isInteger(a.progress) && a.progress! >= 0 && a.progress! <= 100, `progress ${a.progress} at ${t}`).to.equal(true);
                    } else expect(a.progress).to.equal(undefined);
                }
            }
        });
    }
});
