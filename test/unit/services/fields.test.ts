import { expect } from "chai";
import { parseProgress, parseTime } from "../../../provider/services/fields";

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
