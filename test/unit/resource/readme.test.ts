/**
 * The README's inputs and outputs tables agree with the declarations: one row per entry of
 * `SETTINGS` (options.ts) and of `OUTPUTS` (resource/outputs.ts), in order, with the declared type,
 * default, bounds and doc (each entry's TSDoc, read from the source). On a mismatch the failure
 * shows the table the README should have.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { REPLACE_ON_CHANGE, SETTINGS, SettingSpec } from "../../../provider/options";
import { OUTPUTS } from "../../../provider/resource/outputs";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

/** The TSDoc of each property of the object literal that initialises `name` in `file`, as one line. */
function docsOf(file: string, name: string): Map<string, string> {
    const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
    const docs = new Map<string, string>();
    const visit = (node: ts.Node): void => {
        if (ts.isVariableDeclaration(node) && node.name.getText() === name) {
            const literal = findLiteral(node.initializer!);
            for (const property of literal.properties) {
                const [comment] = ts.getJSDocCommentsAndTags(property);
                const text = comment && ts.isJSDoc(comment) ? ts.getTextOfJSDocComment(comment.comment) : undefined;
                docs.set(property.name!.getText(), (text ?? "").replace(/\s+/g, " ").trim());
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return docs;
}

/** The object literal inside `as const`, `satisfies` or a call. */
function findLiteral(node: ts.Node): ts.ObjectLiteralExpression {
    if (ts.isObjectLiteralExpression(node)) return node;
    if (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node)) return findLiteral(node.expression);
    if (ts.isCallExpression(node)) return findLiteral(node.arguments[0]);
    throw new Error(`no object literal in ${node.getText().slice(0, 40)}`);
}

const UNIT_NAMES = { s: "seconds", "/s": "per second" } as const;

function rangeText(spec: SettingSpec): string {
    if (spec.min === undefined || spec.max === undefined) return "";
    const unit = spec.unit === "s" ? " s" : "";
    return spec.minExclusive ? ` Greater than ${spec.min}, at most ${spec.max}${unit}.` : ` From ${spec.min} to ${spec.max}${unit}.`;
}

/** The inputs table the declarations call for. */
function inputsTable(): string[] {
    const docs = docsOf("provider/options.ts", "SETTINGS");
    const rows = Object.entries(SETTINGS).map(([name, declared]) => {
        const spec: SettingSpec = declared;
        const type = spec.unit ? `${spec.type} (${UNIT_NAMES[spec.unit]})` : spec.type;
        const fallback = spec.required ? "required" : spec.default !== undefined ? `\`${spec.default}\`` : (spec.defaultFrom ?? "—");
        const description = `${docs.get(name)}${rangeText(spec)}${spec.resourceOnly ? " `JobWaiter` only." : ""}`;
        return `| \`${name}\` | ${type} | ${fallback} | ${description} |`;
    });
    return ["| name | type | default | description |", "|---|---|---|---|", ...rows];
}

/** The outputs table the declarations call for. */
function outputsTable(): string[] {
    const docs = docsOf("provider/resource/outputs.ts", "OUTPUTS");
    const rows = Object.entries(OUTPUTS).map(([name, spec]) => `| \`${name}\` | ${spec.type} | ${docs.get(name)} |`);
    return ["| name | type | description |", "|---|---|---|", ...rows];
}

/** The sentence under the inputs table that names the settings whose change replaces the waiter. */
function replaceSentence(): string {
    const names = REPLACE_ON_CHANGE.map((key) => `\`${key}\``);
    return `A change of ${names.slice(0, -1).join(", ")} or ${names[names.length - 1]} replaces the waiter, which waits again; any other change updates in place without waiting.`;
}

/** The table lines under `heading` in the README. */
function readmeTable(heading: string): string[] {
    const lines = readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n");
    const start = lines.indexOf(heading);
    if (start < 0) return [];
    const table: string[] = [];
    for (const line of lines.slice(start + 1)) {
        if (/^#{1,3} /.test(line)) break;
        if (line.startsWith("|")) table.push(line.trim());
        else if (table.length > 0) break;
    }
    return table;
}

describe("README: the inputs and outputs tables agree with the declarations", () => {
    it("every setting has a doc, and every output", () => {
        const docs = [...docsOf("provider/options.ts", "SETTINGS"), ...docsOf("provider/resource/outputs.ts", "OUTPUTS")];
        expect(docs.filter(([, doc]) => doc === "").map(([name]) => name)).to.deep.equal([]);
        expect(docs).to.have.length(Object.keys(SETTINGS).length + Object.keys(OUTPUTS).length);
    });

    it("the settings whose change replaces the waiter are named under the inputs table, as declared", () => {
        const readme = readFileSync(path.join(ROOT, "README.md"), "utf8").replace(/\s+/g, " ");
        expect(readme).to.include(replaceSentence());
    });

    for (const [heading, expected] of [
        ["### Inputs", inputsTable],
        ["### Outputs", outputsTable],
    ] as const) {
        it(`${heading}: one row per declaration, in order`, () => {
            const want = expected();
            expect(readmeTable(heading), `README.md, under "${heading}", should read:\n\n${want.join("\n")}\n`).to.deep.equal(want);
        });
    }
});
