/** `npm run test:web`: the teaching page in Debian's Chromium (see page.e2e.ts), after `npm run web:build`. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: [{ find: /^tenfold$/, replacement: fileURLToPath(new URL("../../src/index.ts", import.meta.url)) }] },
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/web/**/*.e2e.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
