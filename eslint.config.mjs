import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "coverage/", "bin/", "plan/"] },
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
        files: ["components/**/*.ts", "index.ts"],
        rules: {
            // Components build resources for users; they report through errors and Pulumi's log, not the console.
            "no-console": "error",
        },
    },
);
