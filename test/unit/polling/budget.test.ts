import { expect } from "chai";
import { ConfigError } from "../../../provider/errors";
import type { Clock } from "../../../provider/polling/clock";
import { RequestBudget, leaseBudget, resetBudgets } from "../../../provider/polling/budget";

/** A fake clock with real concurrency: timers fire in time order when the test advances time. */
class ManualClock implements Clock {
    private t = 0;
    private timers: { at: number; seq: number; resolve: () => void }[] = [];
    private seq = 0;

    now(): number {
        return this.t;
    }

    sleep(ms: number, signal?: AbortSignal): Promise<void> {
        if (signal?.aborted) return Promise.reject(signal.reason);
        return new Promise<void>((resolve, reject) => {
            const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve };
            this.timers.push(timer);
            signal?.addEventListener(
                "abort",
                () => {
                    this.timers = this.timers.filter((x) => x !== timer);
                    reject(signal.reason);
                },
                { once: true },
            );
        });
    }

    /** Advance virtual time by `ms`, firing due timers in order and letting promise chains run. */
    /** Timers armed and not yet fired or aborted. */
    get pending(): number {
        return this.timers.length;
    }

    async advance(ms: number): Promise<void> {
        const target = this.t + ms;
        await flush();
        for (;;) {
            this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
            const next = this.timers[0];
            if (!next || next.at > target) break;
            this.timers.shift();
            this.t = next.at;
            next.resolve();
            await flush();
        }
        this.t = target;
        await flush();
    }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Acquire `n` tokens concurrently; record when each was granted. */
function acquireMany(budget: RequestBudget, clock: ManualClock, n: number, signals: (AbortSignal | undefined)[] = []) {
    const grants: { index: number; at: number }[] = [];
    const errors: { index: number; reason: unknown }[] = [];
    const promises = Array.from({ length: n }, (_, index) =>
        budget.acquire(signals[index]).then(
            () => {
                grants.push({ index, at: clock.now() });
            },
            (reason) => {
                errors.push({ index, reason });
            },
        ),
    );
    return { grants, errors, all: Promise.all(promises) };
}

describe("RequestBudget", () => {
    const table: { rate: number; burst?: number; n: number }[] = [
        { rate: 5, n: 60 },
        { rate: 1, n: 10 },
        { rate: 20, burst: 1, n: 80 },
        { rate: 0.5, n: 6 },
        { rate: 3, burst: 10, n: 40 },
    ];
    for (const { rate, burst, n } of table) {
        it(`never exceeds ${rate}/s (burst ${burst ?? "default"}) over any window, FIFO`, async () => {
            const clock = new ManualClock();
            const budget = new RequestBudget({ ratePerSecond: rate, burst, clock });
            const { grants, all } = acquireMany(budget, clock, n);
            await clock.advance(Math.ceil(((n + 1) / rate) * 1000) + 1000);
            await all;
            expect(grants.length).to.equal(n);
            // FIFO: granted in the order asked.
            expect(grants.map((g) => g.index)).to.deep.equal(Array.from({ length: n }, (_, i) => i));
            // Token-bucket bound on every window [t_i, t_j]: j − i + 1 ≤ burst + rate·(t_j − t_i).
            const cap = burst ?? 1;
            for (let i = 0; i < grants.length; i++) {
                for (let j = i; j < grants.length; j++) {
                    const window = (grants[j].at - grants[i].at) / 1000;
                    expect(j - i + 1, `grants ${i}..${j} within ${window}s`).to.be.at.most(cap + rate * window + 1e-9);
                }
            }
            // And it is not needlessly slow: the last grant comes when the bucket allows it.
            const ideal = ((n - cap) / rate) * 1000;
            expect(grants[n - 1].at).to.be.at.most(Math.max(0, ideal) + 2 * n + 1);
        });
    }

    it("the bucket starts full: `burst` acquisitions pass at once", async () => {
        const clock = new ManualClock();
        const budget = new RequestBudget({ ratePerSecond: 2, burst: 4, clock });
        const { grants, all } = acquireMany(budget, clock, 5);
        await clock.advance(0);
        expect(grants.map((g) => g.at)).to.deep.equal([0, 0, 0, 0]);
        await clock.advance(500);
        await all;
        expect(grants[4].at).to.equal(500);
    });

    it("tokens accumulate while idle, up to the burst", async () => {
        const clock = new ManualClock();
        const budget = new RequestBudget({ ratePerSecond: 1, burst: 3, clock });
        await acquireMany(budget, clock, 3).all;
        await clock.advance(60_000); // long idle: refills to 3, not 60
        const { grants, all } = acquireMany(budget, clock, 4);
        await clock.advance(0);
        expect(grants.length).to.equal(3);
        await clock.advance(1_000);
        await all;
        expect(grants.length).to.equal(4);
    });

    it("abort: rejects with signal.reason, leaves the queue, consumes no token", async () => {
        const clock = new ManualClock();
        const budget = new RequestBudget({ ratePerSecond: 1, clock });
        const controller = new AbortController();
        const reason = new Error("stop waiting");
        const { grants, errors, all } = acquireMany(budget, clock, 4, [undefined, controller.signal, undefined, undefined]);
        await clock.advance(0);
        expect(grants.map((g) => g.index)).to.deep.equal([0]);
        expect(budget.waiting).to.equal(3);
        controller.abort(reason);
        await clock.advance(0);
        expect(errors).to.deep.equal([{ index: 1, reason }]);
        expect(budget.waiting).to.equal(2);
        await clock.advance(2_000);
        await all;
        // Waiter 2 gets the token waiter 1 would have had, at 1 s.
        expect(grants).to.deep.equal([
            { index: 0, at: 0 },
            { index: 2, at: 1_000 },
            { index: 3, at: 2_000 },
        ]);
    });

    it("an already-aborted signal rejects at once without taking a token", async () => {
        const clock = new ManualClock();
        const budget = new RequestBudget({ ratePerSecond: 1, clock });
        const controller = new AbortController();
        controller.abort("cancelled");
        let rejected: unknown;
        await budget.acquire(controller.signal).catch((e) => (rejected = e));
        expect(rejected).to.equal("cancelled");
        await budget.acquire(); // the single token is still there
        expect(clock.now()).to.equal(0);
    });

    it("rejects invalid options", () => {
        for (const ratePerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
            expect(() => new RequestBudget({ ratePerSecond })).to.throw(ConfigError, /ratePerSecond/);
        }
        expect(() => new RequestBudget({ ratePerSecond: 1, burst: 0.5 })).to.throw(ConfigError, /Invalid burst: 0.5/);
    });

    it("default burst is 1 (a smooth bucket)", async () => {
        for (const [rate, expected] of [
            [0.2, 1],
            [1, 1],
            [7, 1],
            [200, 1],
        ] as const) {
            const clock = new ManualClock();
            const budget = new RequestBudget({ ratePerSecond: rate, clock });
            const { grants } = acquireMany(budget, clock, 10);
            await clock.advance(0);
            expect(grants.length, `rate ${rate}`).to.equal(expected);
        }
    });
});

describe("leaseBudget", () => {
    beforeEach(() => resetBudgets());
    after(() => resetBudgets());

    it("one budget per endpoint origin", () => {
        const a = leaseBudget("https://dws.cn-north-4.myhuaweicloud.com/v1.0/p/job/1", 5).budget;
        const b = leaseBudget("https://DWS.cn-north-4.myhuaweicloud.com/v1.0/p/job/2", 5).budget;
        const c = leaseBudget("https://ddm.cn-north-4.myhuaweicloud.com/v1/p/jobs/1", 5).budget;
        expect(a).to.equal(b);
        expect(a).to.not.equal(c);
        expect(a.ratePerSecond).to.equal(5);
    });

    it("the strictest rate among the current holders holds, and relaxes when its holder releases", () => {
        const loose = leaseBudget("https://dws.example.com", 10);
        const strict = leaseBudget("https://dws.example.com/x", 2);
        const looser = leaseBudget("https://dws.example.com/y", 50);
        const budget = loose.budget;
        expect(budget.ratePerSecond).to.equal(2);
        strict.release();
        expect(budget.ratePerSecond).to.equal(10);
        strict.release(); // idempotent: must not drop another holder's rate
        expect(budget.ratePerSecond).to.equal(10);
        loose.release();
        expect(budget.ratePerSecond).to.equal(50);
        looser.release();
        const next = leaseBudget("https://dws.example.com", 4);
        expect(next.budget, "a budget nobody holds is kept").to.equal(budget);
        expect(budget.ratePerSecond, "and takes the next holder's rate").to.equal(4);
    });

    it("two holders asking the same rate: releasing one leaves the other's", () => {
        const a = leaseBudget("https://cfw.example.com", 3);
        const b = leaseBudget("https://cfw.example.com", 1);
        const c = leaseBudget("https://cfw.example.com", 1);
        b.release();
        expect(a.budget.ratePerSecond).to.equal(1);
        c.release();
        expect(a.budget.ratePerSecond).to.equal(3);
    });

    it("a waiter starting right after the last one released gets no fresh burst: the tokens are kept", async () => {
        const clock = new ManualClock();
        const first = leaseBudget("https://ddm.example.com", 1, clock);
        const grants: number[] = [];
        const take = (budget: RequestBudget) => budget.acquire().then(() => grants.push(clock.now()));
        const one = take(first.budget);
        await clock.advance(0);
        await one;
        first.release();
        const second = leaseBudget("https://ddm.example.com", 1, clock);
        const two = take(second.budget);
        await clock.advance(999);
        expect(grants, "the bucket was emptied by the first holder").to.deep.equal([0]);
        await clock.advance(1);
        await two;
        expect(grants).to.deep.equal([0, 1000]);
    });

    it("a relaxed rate applies at once, not after the wait computed at the strict rate", async () => {
        const clock = new ManualClock();
        const strict = leaseBudget("https://dws.example.com", 0.05, clock); // one token per 20 s
        await clock.advance(0);
        await strict.budget.acquire(); // the bucket's one token
        const gaveUp = new AbortController();
        const queued = strict.budget.acquire(gaveUp.signal).catch(() => "gave up");
        await clock.advance(100);
        gaveUp.abort();
        expect(await queued).to.equal("gave up");
        strict.release();
        const fast = leaseBudget("https://dws.example.com", 10, clock);
        let grantedAt: number | undefined;
        const granted = fast.budget.acquire().then(() => (grantedAt = clock.now()));
        await clock.advance(300);
        await granted;
        expect(grantedAt, "granted at 10/s, not 20 s later").to.be.at.most(100 + 300);
    });

    it("when the last queued caller gives up, no timer is left behind (nothing keeps the process alive)", async () => {
        const clock = new ManualClock();
        const lease = leaseBudget("https://roma.example.com", 0.001, clock); // one token per 1 000 s
        await clock.advance(0);
        await lease.budget.acquire();
        const gaveUp = new AbortController();
        const queued = lease.budget.acquire(gaveUp.signal).catch(() => undefined);
        await clock.advance(10);
        expect(clock.pending, "the pump sleeps while a caller waits").to.equal(1);
        gaveUp.abort();
        await queued;
        await clock.advance(0);
        expect(clock.pending).to.equal(0);
        lease.release();
    });

    it("refuses a rate that is not positive and finite", () => {
        for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
            expect(() => leaseBudget("https://dws.example.com", bad), String(bad)).to.throw(ConfigError, /ratePerSecond/);
        }
    });

    it("waiters sharing an endpoint share its rate", async () => {
        const clock = new ManualClock();
        const budget = leaseBudget("https://roma.example.com", 2, clock).budget;
        const grants: number[] = [];
        const waiters = [0, 1, 2].map(async () => {
            const lease = leaseBudget("https://roma.example.com/job", 2);
            for (let i = 0; i < 4; i++) {
                await lease.budget.acquire();
                grants.push(clock.now());
            }
            lease.release();
        });
        await clock.advance(10_000);
        await Promise.all(waiters);
        expect(budget.ratePerSecond).to.equal(2);
        expect(grants.length).to.equal(12);
        for (let i = 0; i < grants.length; i++) {
            for (let j = i; j < grants.length; j++) {
                expect(j - i + 1, "grants in a window: the default burst of 1 plus 2 per second").to.be.at.most(
                    1 + (2 * (grants[j] - grants[i])) / 1000 + 1e-9,
                );
            }
        }
    });
});
