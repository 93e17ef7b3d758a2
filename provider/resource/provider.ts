/**
 * The object Pulumi serializes into the state as the dynamic provider. It is deliberately tiny:
 * each method `require`s the implementation module (`handler.js`) inside the provider host and
 * delegates to it. Nothing else is captured — no closures over credentials, no inlined copy of
 * axios or p-retry (which is ESM-only and is loaded by the handler with Node's `require(esm)`).
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** The handler's module specifier when this package is installed under its own name. */
export const HANDLER_PACKAGE_SPECIFIER = "pulumi-huaweicloud-jobwaiter/dist/provider/resource/handler.js";

/**
 * Where the provider host should load the handler from: the package name when a plain
 * `node_modules` lookup from the host's working directory finds this very file (an installed
 * package: portable state), else the absolute path of this file (running from the repository
 * itself, or another copy of the package lies nearer the working directory, as in a monorepo
 * whose app has its own: Node would load that one). The host loads the provider with
 * `require-from-string`, which has no package self-reference, so neither does this check.
 */
export function handlerSpecifier(cwd: string = process.cwd()): string {
    const own = fs.realpathSync(require.resolve("./handler"));
    for (const dir of nodeModulesDirs(cwd)) {
        const candidate = path.join(dir, ...HANDLER_PACKAGE_SPECIFIER.split("/"));
        // Node stops at the first node_modules that has the file: that copy is the one loaded.
        if (fs.existsSync(candidate)) return fs.realpathSync(candidate) === own ? HANDLER_PACKAGE_SPECIFIER : own;
    }
    return own;
}

/** `node_modules` folders Node searches from `dir` upwards. */
function nodeModulesDirs(dir: string): string[] {
    const dirs: string[] = [];
    for (let current = path.resolve(dir); ; current = path.dirname(current)) {
        if (path.basename(current) !== "node_modules") dirs.push(path.join(current, "node_modules"));
        if (path.dirname(current) === current) return dirs;
    }
}

/** Build the serializable provider. Only the specifier string is captured. */
export function jobWaiterProvider(specifier: string = handlerSpecifier()): dynamic.ResourceProvider {
    // The handler is loaded inside the provider host when a method runs, by the specifier only: an
    // `import` would be resolved (and its module captured) when the provider is serialized.
    /* eslint-disable @typescript-eslint/no-require-imports */
    return {
        configure: (req) => require(specifier).configure(req),
        check: (olds, news) => require(specifier).check(olds, news),
        diff: (id, olds, news) => require(specifier).diff(id, olds, news),
        create: (inputs) => require(specifier).create(inputs),
        read: (id, props) => require(specifier).read(id, props),
        update: (id, olds, news) => require(specifier).update(id, olds, news),
        delete: (id, props) => require(specifier).delete(id, props),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
}
