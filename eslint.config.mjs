import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "coverage/", "bin/", "dist/", "plan/", "services/node_modules/", "services/dist/", "tests/package/consumer/node_modules/", "tests/package/consumer/dist/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { ecmaVersion: 2022, sourceType: "module" },
        rules: {
            // Mock payloads and the SDK's request objects are untyped by nature.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            "eqeqeq": ["error", "always"],
            "no-console": "off",
        },
    },
    {
        // Build and install scripts, and an example's own service: plain CommonJS for Node, nothing to compile first.
        files: ["**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["components/**/*.ts", "index.ts"],
        rules: {
            // Components build resources for users; they report through errors and Pulumi's log, not the console.
            "no-console": "error",
        },
    },
    {
        files: ["services/**/*.ts"],
        rules: {
            // Service code runs in containers and never knows how it is deployed.
            "no-restricted-imports": ["error", { patterns: [{ group: ["@pulumi/*", "**/components/**", "**/tools/**"], message: "services never import infrastructure code" }] }],
        },
    },
    {
        files: ["components/**/*.ts"],
        rules: {
            "no-restricted-imports": ["error", { patterns: [{ group: ["**/services/**"], message: "components never import service code; index.ts passes what they need" }] }],
        },
    },
);
