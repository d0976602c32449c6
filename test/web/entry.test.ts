/**
 * The platform-neutral root entry: bundled for no particular platform (esbuild's `neutral`, which
 * resolves no `node:*` module), it must build, and it must run in a bare V8 context with no `process`,
 * touching no `process` while it loads or computes once configured. The Node entry adds the file-based
 * parts of `data`.
 */
import { build } from "esbuild";
import { createContext, Script } from "node:vm";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as neutral from "../../src/index.js";
import * as node from "../../src/node.js";

const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));

/** The root entry as one script that assigns its exports to `tenfold`. */
async function bundle(): Promise<{ code: string; inputs: string[] }> {
  const r = await build({
    entryPoints: [entry], bundle: true, platform: "neutral", format: "iife", globalName: "tenfold",
    mainFields: ["module", "main"], write: false, metafile: true, logLevel: "silent", target: "es2022",
  });
  return { code: r.outputFiles[0]!.text, inputs: Object.keys(r.metafile.inputs) };
}

describe("the root entry", () => {
  it("bundles with no node:* module", async () => {
    const { code, inputs } = await bundle();
    expect(code.length).toBeGreaterThan(0);
    expect(inputs.filter((f) => f.startsWith("node:") || f.includes("data/idx") || f.includes("data/checkpoint"))).toEqual([]);
  });

  it("is checked by a bundler that rejects node:* modules (the Node entry fails it)", async () => {
    const r = build({ entryPoints: [fileURLToPath(new URL("../../src/node.ts", import.meta.url))], bundle: true, platform: "neutral", mainFields: ["module", "main"], write: false, logLevel: "silent" });
    await expect(r).rejects.toThrow(/Could not resolve "node:/);
  });

  it("loads and computes in a context without process, touching none once configured", async () => {
    const { code } = await bundle();
    let touched = 0;
    // The web platform's globals the library uses (browsers and workers have them all), and no process.
    const sandbox: Record<string, unknown> = { console, performance, setTimeout, clearTimeout, TextEncoder };
    Object.defineProperty(sandbox, "process", { get: () => (touched++, undefined) });
    const context = createContext(sandbox);
    new Script(`${code}\nglobalThis.tenfold = tenfold;`).runInContext(context);
    expect(touched).toBe(0);
    const t = new Script(`
      const { configure, tensor, matmul, grad, sum, backendInfo } = tenfold;
      configure({ backend: "wasm", threads: 1 });
      const x = tensor([[1, 2], [3, 4]]);
      const f = (w) => sum(matmul(x, w));
      const g = grad(f)(tensor([[0.5], [-1]]));
      ({ g: g.toFlat(), info: backendInfo() });
    `).runInContext(context) as { g: number[]; info: { kind: string; threads: number } };
    expect(t.g).toEqual([4, 6]);
    expect(t.info).toMatchObject({ kind: "wasm-simd", threads: 1 });
    const once = touched; // the SIMD probe looks for Node's TENFOLD_RELAXED_SIMD once
    expect(once).toBeLessThanOrEqual(1);
    new Script(`for (let i = 0; i < 20; i++) tenfold.matmul(tenfold.ones("64 64"), tenfold.ones("64 64"));`).runInContext(context);
    expect(touched).toBe(once);
  });

  it("holds the byte-level data functions, the Node entry the file-based ones too", () => {
    expect(typeof neutral.data.decodeTensor).toBe("function");
    expect("loadFashionMnist" in neutral.data).toBe(false);
    expect(typeof node.data.loadFashionMnist).toBe("function");
    expect(typeof node.data.decodeTensor).toBe("function");
    expect(node.matmul).toBe(neutral.matmul);
    expect(node.configure).toBe(neutral.configure);
  });
});
