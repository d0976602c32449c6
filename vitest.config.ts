import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "laws/**/*.law.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
