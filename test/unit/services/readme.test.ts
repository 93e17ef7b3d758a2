/**
 * The kinds tables and the specs agree. docs/service-kinds.md: one row per kind, each with the
 * kind's request path and endpoint prefix, exactly its status table, its progress field and scale,
 * and the failure and resource-ID fields it reads. README.md: one row per kind with its request.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { SERVICES, SERVICE_KINDS } from "../../../provider/services";
import type { PathChoice } from "../../../provider/services/defineService";

const README = path.resolve(__dirname, "..", "..", "..", "..", "README.md");
const KINDS_DOC = path.resolve(__dirname, "..", "..", "..", "..", "docs", "service-kinds.md");

/** The rows of the table under `## Service kinds` in `file`, each as its cells. */
function kindRows(file: string): string[][] {
    const text = readFileSync(file, "utf8");
    const section = text.slice(text.indexOf("## Service kinds\n"), text.indexOf("\n## ", text.indexOf("## Service kinds\n") + 1));
    return section
        .split("\n")
        .filter((line) => /^\| `[a-z]+` \|/.test(line))
        .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| |\s\|$/g, "")));
}

/** The backquoted words of a cell part. */
function quoted(text: string): string[] {
    return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

function paths(choice: PathChoice | undefined): string[] {
    return choice === undefined ? [] : typeof choice === "string" ? [choice] : [...choice];
}

describe("README: the kinds table lists every kind with its request", () => {
    it("one row per kind, in the order of SERVICE_KINDS, with the request the spec sends", () => {
        const rows = kindRows(README);
        expect(rows.map((r) => quoted(r[0])[0])).to.deep.equal([...SERVICE_KINDS]);
        for (const [kind, request] of rows) {
            const { spec } = SERVICES[quoted(kind)[0] as (typeof SERVICE_KINDS)[number]];
            expect(quoted(request), kind).to.deep.equal([`GET ${spec.pathTemplate}`, spec.endpointService]);
        }
    });
});

describe("docs/service-kinds.md: the kinds table agrees with the specs", () => {
    const rows = kindRows(KINDS_DOC);

    it("has one row per kind, in the order of SERVICE_KINDS", () => {
        expect(rows.map((r) => quoted(r[0])[0])).to.deep.equal([...SERVICE_KINDS]);
    });

    for (const kind of SERVICE_KINDS) {
        it(`${kind}: request, statuses, progress, failure and resource fields`, () => {
            const [, , request, statuses, progress, failures, outputs] = rows.find((r) => quoted(r[0])[0] === kind)!;
            const { spec } = SERVICES[kind];
            expect(quoted(request)).to.deep.equal([`GET ${spec.pathTemplate}`, spec.endpointService]);
            const [running, rest] = statuses.split(" → ");
            const [succeeded, failed] = rest.split(" / ");
            expect({ running: quoted(running), succeeded: quoted(succeeded), failed: quoted(failed) }).to.deep.equal({
                running: [...spec.states.running],
                succeeded: [...spec.states.succeeded],
                failed: [...spec.states.failed],
            });
            expect(progress).to.equal(spec.fields.progress ? `\`${spec.fields.progress}\` (${spec.progressScale})` : "none");
            const fields = spec.fields;
            expect(quoted(failures)).to.deep.equal([...paths(fields.failedCode), ...paths(fields.failedDetail), ...paths(fields.failureReasons)]);
            const ids = [...paths(fields.resourceIds), ...(fields.subJobs ? [fields.subJobs.list, ...paths(fields.subJobs.resourceIds)] : [])];
            expect(quoted(outputs)).to.deep.equal(ids);
        });
    }
});
