/**
 * The teaching page: `npm run web` serves it (cross-origin isolated, so the kernels use two threads),
 * `npm run web:build` writes a static folder, `web/dist`, that any static server can serve (without
 * the COOP/COEP headers it runs on one thread, with the same results).
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** The headers that make the page cross-origin isolated (SharedArrayBuffer, a shared WebAssembly.Memory). */
export const ISOLATION_HEADERS = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  root: here("."),
  base: "./",
  resolve: {
    alias: [
      // The page imports the library as a user would; here it is the repository's own source.
      { find: /^tenfold$/, replacement: here("../src/index.ts") },
    ],
  },
  server: { host: "127.0.0.1", headers: ISOLATION_HEADERS, fs: { allow: [here("..")] } },
  preview: { host: "127.0.0.1", headers: ISOLATION_HEADERS },
  build: { outDir: here("dist"), emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2048 },
});
