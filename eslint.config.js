// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The decision core must stay pure: no Azure SDKs, no adapters, no simulator.
const coreBoundary = {
  patterns: [
    { group: ["@azure/*", "@azure-rest/*"], message: "src/machine and src/health must not use Azure SDKs; depend on a port in src/ports instead." },
    { group: ["**/azure/**", "**/azure", "**/sim/**", "**/sim"], message: "src/machine and src/health must not import adapters or the simulator; depend on a port in src/ports instead." },
  ],
};

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "reports/**", ".sim/**", "statecharts/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", AbortController: "readonly", AbortSignal: "readonly", fetch: "readonly", structuredClone: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", setImmediate: "readonly", queueMicrotask: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src/machine/**/*.ts", "src/health/**/*.ts"],
    rules: { "no-restricted-imports": ["error", coreBoundary] },
  },
);
