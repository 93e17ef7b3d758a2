// ESLint: typescript-eslint's recommended rules over the TypeScript sources. Formatting is Prettier's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["dist/", "node_modules/", ".pulumi-cli/", "**/*.js", "!eslint.config.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // `_name` marks a deliberately unused binding (a destructured key left out, an ignored parameter).
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
            // A `let` read by a callback before its one assignment (a server's handler) cannot be a const.
            "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
        },
    },
    {
        files: ["test/**/*.ts"],
        rules: {
            // chai's property assertions (`expect(x).to.be.empty`) are expressions by design.
            "@typescript-eslint/no-unused-expressions": "off",
        },
    },
);
