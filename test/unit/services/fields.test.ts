import { expect } from "chai";
import { parseProgress, parseTime, readAll, readPath } from "../../../provider/services/fields";

describe("fields: parseProgress", () => {
    const table: [unknown, "percent" | "fraction", number | undefined][] = [
        ["9%", "percent", 9],
        ["60%", "percent", 60],
        [" 60 % ", "percent", 60],
        ["60", "percent", 60],
        ["12.5%", "percent", 12.5],
        ["", "percent", undefined],
        [null, "percent", undefined],
        [undefined, "percent", undefined],
        ["abc", "percent", undefined],
        ["150%", "percent", 100],
        ["-5%", "percent", 0],
        [45, "percent", 45],
        [0.35, "fraction", 35],
        [0, "fraction", 0],
        [1, "fraction", 100],
        ["0.5", "fraction", 50],
        ["35%", "fraction", 35],
        [35, "fraction", 35],
        [Number.NaN, "fraction", undefined],
        [Number.POSITIVE_INFINITY, "percent", undefined],
    ];
    for (const [input, scale, expected] of table) {
        it(`${JSON.stringify(input)} (${scale}) → ${expected}`, () => {
            expect(parseProgress(input, scale)).to.equal(expected);
        });
    }
});

describe("fields: parseTime", () => {
    const table: [unknown, string | undefined][] = [
        ["2022-11-09T20:25:00", "2022-11-09T20:25:00.000Z"],
        ["2018-08-06T10:41:14+0000", "2018-08-06T10:41:14.000Z"],
        ["2018-08-06T18:41:14+0800", "2018-08-06T10:41:14.000Z"],
        ["2018-08-06T18:41:14+08:00", "2018-08-06T10:41:14.000Z"],
        ["2019-12-06T06:49:04Z", "2019-12-06T06:49:04.000Z"],
        ["2019-12-06 06:49:04", "2019-12-06T06:49:04.000Z"],
        ["2019-12-06T06:49:04.123Z", "2019-12-06T06:49:04.123Z"],
        // CCE (Go time.String()): nanoseconds, offset, then a zone name that the offset overrides.
        ["2020-02-02 08:12:40.672772389 +0000 UTC", "2020-02-02T08:12:40.672Z"],
        ["2020-02-02 16:12:40.5 +0800 CST", "2020-02-02T08:12:40.500Z"],
        ["2020-02-02 08:12:40 UTC", undefined],
        ["2020-02-02T08:12:40Z UTC", undefined],
        ["1684191545379", "2023-05-15T22:59:05.379Z"],
        [1641370501000, "2022-01-05T08:15:01.000Z"],
        ["1641370501000", "2022-01-05T08:15:01.000Z"],
        [1641370501, "2022-01-05T08:15:01.000Z"],
        ["", undefined],
        [0, undefined],
        [-1, undefined],
        ["yesterday", undefined],
        ["2022-13-45T99:99:99", undefined],
        [null, undefined],
        [{}, undefined],
    ];
    for (const [input, expected] of table) {
        it(`${JSON.stringify(input)} → ${expected}`, () => {
            expect(parseTime(input)).to.equal(expected);
        });
    }
});

describe("fields: readAll and readPath", () => {
    const body = {
        tasks: [{ status: "SUCCESS" }, { status: "FAILED" }],
        entities: { sub_jobs: [{ entities: { server_id: "a" } }, { entities: {} }, { entities: { server_id: "b" } }] },
        n: null,
    };
    const table: [string, unknown[]][] = [
        ["tasks[0].status", ["SUCCESS"]],
        ["tasks[1].status", ["FAILED"]],
        ["tasks[2].status", []],
        ["tasks[].status", ["SUCCESS", "FAILED"]],
        ["entities.sub_jobs[].entities.server_id", ["a", "b"]],
        ["entities[].x", []],
        ["n", []],
        ["n.x", []],
        ["missing.path", []],
    ];
    for (const [path, expected] of table) {
        it(`${path} → ${JSON.stringify(expected)}`, () => {
            expect(readAll(body, path)).to.deep.equal(expected);
            expect(readPath(body, path)).to.equal(expected[0]);
        });
    }

    it("flattens a list of any length the body cap allows (a spread of 10^5 items overflows the stack)", () => {
        const items = Array.from({ length: 500_000 }, (_, i) => i);
        expect(readAll({ a: { list: items } }, "a.list[]")).to.have.length(items.length);
    });

    it("refuses a malformed path (a programming error)", () => {
        expect(() => readAll(body, "tasks[x].status")).to.throw(/invalid field path/);
        expect(() => readAll(body, "a..b")).to.throw(/invalid field path/);
    });
});
