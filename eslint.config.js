// Lint for every workspace: the recommended JavaScript and TypeScript rules, plus a few that keep
// the codebase honest (no focused or skipped tests, no stray console in libraries).
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.ncod/**", "docs/.vitepress/cache/**", "test-artifacts/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-control-regex": "off",
      eqeqeq: ["error", "always"],
      "no-restricted-properties": [
        "error",
        { object: "it", property: "only", message: "focused tests hide the rest" },
        { object: "describe", property: "only", message: "focused tests hide the rest" },
        { object: "it", property: "skip", message: "a skipped test checks nothing" },
        { object: "describe", property: "skip", message: "a skipped test checks nothing" }
      ]
    }
  }
)
