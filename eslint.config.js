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
    // A promise nobody awaits or catches ends a Node 20 process when it rejects: every one in src is handled.
    files: ["src/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    files: ["src/machine/**/*.ts"],
    rules: { "no-restricted-imports": ["error", coreBoundary] },
  },
  {
    files: ["src/health/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [...coreBoundary.patterns, { group: ["**/machine/**", "**/machine"], message: "src/health must not import the machine: share types through src/ports." }] },
      ],
    },
  },
  {
    files: ["src/drill/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["**/cli/**", "**/cli"], message: "src/drill must not import the CLI: share what both need through a library module." }] }] },
  },
);
