import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start servers and child processes; keep the 2-core CI machine responsive.
    maxWorkers: 2,
  },
});
