/**
 * The benchmark's synthetic traces must behave like a job API, or the benchmark measures nothing:
 * every shape builds the same job from the same seed, reports integer progress in 0..100 (or none,
 * for the shapes without progress) that actually moves, never says done before the job's duration,
 * and says done from then on.
 */
import { expect } from "chai";
import { HELD_OUT_SHAPES, MIX_PROGRESS_SHAPES, TraceShape, endsEarly, endsLow, noProgress, seededRandom } from "../../bench/traces";

const ALL: readonly TraceShape[] = [noProgress, ...MIX_PROGRESS_SHAPES, ...HELD_OUT_SHAPES];

describe("bench traces", () => {
    it("have unique names", () => {
        const names = ALL.map((s) => s.name);
        expect(new Set(names).size).to.equal(names.length);
    });

    for (const shape of ALL) {
        it(`${shape.name}: same job from the same seed, integer progress in 0..100 that moves, done exactly from the duration`, () => {
            for (let job = 0; job < 200; job++) {
                const durationMs = 1_000 + seededRandom(job)() * 7_200_000;
                const run = shape.make(durationMs, seededRandom(1_000 + job));
                const twin = shape.make(durationMs, seededRandom(1_000 + job));
                expect(run.durationMs).to.equal(durationMs);
                const seen = new Set<number | undefined>();
                for (let i = 0; i <= 60; i++) {
                    const t = (durationMs * i) / 50; // 0 .. 1.2·D
                    const a = run.at(t);
                    expect(twin.at(t), `same job from the same seed at ${t}`).to.deep.equal(a);
                    expect(a.done, `done at ${t} of ${durationMs}`).to.equal(t >= durationMs);
                    if (a.done) expect(a.progress).to.equal(shape.hasProgress ? 100 : undefined);
                    else if (shape.hasProgress) {
                        expect(Number.isInteger(a.progress) && a.progress! >= 0 && a.progress! <= 100, `progress ${a.progress} at ${t}`).to.equal(true);
                        seen.add(a.progress);
                    } else expect(a.progress).to.equal(undefined);
                }
                if (shape.hasProgress) expect(seen.size, `distinct progress values before done`).to.be.greaterThan(1);
            }
        });
    }

    for (const [shape, from, to] of [
        [endsEarly, 60, 90],
        [endsLow, 20, 50],
    ] as const) {
        it(`${shape.name} ends while its progress reads ${from}–${to} % (${from - 1}–${to - 1} rounded down, 1 ms before the end)`, () => {
            const rng = seededRandom(7);
            const lasts = new Set<number>();
            for (let job = 0; job < 200; job++) {
                const run = shape.make(600_000, rng);
                const last = run.at(600_000 - 1).progress!;
                expect(last).to.be.within(from - 1, to - 1);
                lasts.add(last);
                expect(run.at(600_000).done).to.equal(true);
            }
            expect(lasts.size, "levels at the end").to.be.greaterThan((to - from) / 2);
        });
    }
});
