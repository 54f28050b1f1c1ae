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
  },
  {
    // the portal and the admin app run in the browser
    files: ["web/src/**/*.ts", "admin/src/**/*.ts"],
    languageOptions: {
      globals: {
        window: "readonly", document: "readonly", location: "readonly", history: "readonly", navigator: "readonly",
        localStorage: "readonly", sessionStorage: "readonly", globalThis: "readonly", customElements: "readonly",
        HTMLElement: "readonly", HTMLAnchorElement: "readonly", HTMLInputElement: "readonly", HTMLSelectElement: "readonly",
        HTMLTextAreaElement: "readonly", HTMLFormElement: "readonly", Event: "readonly", CustomEvent: "readonly",
        MouseEvent: "readonly", SubmitEvent: "readonly", StorageEvent: "readonly", FormData: "readonly", Blob: "readonly",
        URLSearchParams: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly",
        clearInterval: "readonly", queueMicrotask: "readonly", atob: "readonly", btoa: "readonly", Storage: "readonly",
        Navigator: "readonly", Intl: "readonly", crypto: "readonly"
      }
    }
  }
)
