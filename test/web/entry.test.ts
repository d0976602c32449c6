/**
 * The platform-neutral root entry: bundled for no particular platform (esbuild's `neutral`, which
 * resolves no `node:*` module), it must build, and it must run in a bare V8 context with no `process`,
 * touching no `process` while it loads or computes once configured; its byte-level data functions
 * (IDX bytes, checkpoint bytes, training-state bytes) work there and agree with Node's. The Node entry
 * adds the file-based parts of `data` and `train`.
 */
import { build } from "esbuild";
import { createContext, Script } from "node:vm";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { isRight } from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as neutral from "../../src/index.js";
import * as node from "../../src/node.js";

const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));

/** The library's modules that read or write files (and so import node:*): none may be in the root's bundle. */
const NODE_ONLY = ["src/data/idx.ts", "src/data/checkpoint.ts", "src/data/files.ts", "src/data/cache.ts", "src/data/datasets.ts", "src/train/checkpoint.ts"];

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
    expect(inputs.filter((f) => f.startsWith("node:") || NODE_ONLY.includes(f))).toEqual([]);
    expect(inputs).toEqual(expect.arrayContaining(["src/data/idx-format.ts", "src/data/checkpoint-format.ts", "src/train/checkpoint-format.ts"]));
  });

  it("is checked by a bundler that rejects node:* modules (the Node entry fails it)", async () => {
    const r = build({ entryPoints: [fileURLToPath(new URL("../../src/node.ts", import.meta.url))], bundle: true, platform: "neutral", mainFields: ["module", "main"], write: false, logLevel: "silent" });
    await expect(r).rejects.toThrow(/Could not resolve "node:/);
  });

  /** A context with the web platform's globals the library uses (browsers and workers have them all) and no `process`, counting attempts to read it. */
  async function bareContext(): Promise<{ context: ReturnType<typeof createContext>; touched: () => number }> {
    const { code } = await bundle();
    let touched = 0;
    const sandbox: Record<string, unknown> = { console, performance, setTimeout, clearTimeout, TextEncoder, TextDecoder };
    Object.defineProperty(sandbox, "process", { get: () => (touched++, undefined) });
    const context = createContext(sandbox);
    new Script(`${code}\nglobalThis.tenfold = tenfold;`).runInContext(context);
    return { context, touched: () => touched };
  }

  it("loads and computes in a context without process, touching none once configured", async () => {
    const { context, touched: count } = await bareContext();
    let touched = count();
    expect(touched).toBe(0);
    const t = new Script(`
      const { configure, tensor, matmul, grad, sum, backendInfo } = tenfold;
      configure({ backend: "wasm", threads: 1 });
      const x = tensor([[1, 2], [3, 4]]);
      const f = (w) => sum(matmul(x, w));
      const g = grad(f)(tensor([[0.5], [-1]]));
      ({ g: g.toFlat(), info: backendInfo() });
    `).runInContext(context) as { g: number[]; info: { kind: string; threads: number } };
    touched = count();
    expect(t.g).toEqual([4, 6]);
    expect(t.info).toMatchObject({ kind: "wasm-simd", threads: 1 });
    const once = touched; // the SIMD probe looks for Node's TENFOLD_RELAXED_SIMD once
    expect(once).toBeLessThanOrEqual(1);
    new Script(`for (let i = 0; i < 20; i++) tenfold.matmul(tenfold.ones("64 64"), tenfold.ones("64 64"));`).runInContext(context);
    expect(count()).toBe(once);
  });

  it("parses IDX bytes and round-trips checkpoint and training-state bytes there, as Node does", async () => {
    const { context, touched } = await bareContext();
    // An IDX file of three uint8 labels and one of 2×2 big-endian float32, then a model's checkpoint.
    const out = new Script(`
      const { data, train, optim, random, tensor } = tenfold;
      const labels = data.parseIdx(new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 9, 255]), "labels-idx1-ubyte");
      const f32 = new Uint8Array([0, 0, 0x0d, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0]);
      const floats = data.parseIdx(f32, "floats");
      const messageOf = (f) => { try { f(); return "no error"; } catch (e) { return e.name + ": " + e.message; } };
      const gzipped = messageOf(() => data.parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), "labels.gz"));
      const truncated = messageOf(() => data.parseIdx(new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 3, 7]), "short"));
      const params = { layers: [{ w: tensor([[1.5, -2], [0, 3]]), b: tensor([0.25, -0]) }], step: 7 };
      const bytes = data.serialize(params);
      const back = data.deserialize(bytes, params);
      const free = data.deserialize(bytes);
      const flipped = bytes.slice(); flipped[20] ^= 1;
      const opt = optim.sgd(0.1, { momentum: 0.9 });
      const state = { ...train.initTrainState(params, opt, random.key(5)), step: 3, loss: 0.5, position: { epoch: 1, batch: 2, dataKey: random.key(5) } };
      const stateBytes = train.serializeTrainState(state, { history: [0.75, 0.5] });
      const resumed = train.deserializeTrainState(stateBytes, train.initTrainState(params, opt, null));
      ({
        labels: [labels.dims, labels.type, Array.from(labels.data)], floats: [floats.dims, floats.type, Array.from(floats.data)], gzipped, truncated,
        bytes: Array.from(bytes), back: back._tag === "Right" ? [back.right.layers[0].w.toFlat(), Object.is(back.right.layers[0].b.toFlat()[1], -0), back.right.step] : back.left,
        free: free._tag === "Right" ? free.right.layers[0].b.toFlat()[0] : free.left,
        flipped: flipped.length === bytes.length && data.deserialize(flipped, params).left,
        crc: data.crc32(new TextEncoder().encode("123456789")),
        stateBytes: Array.from(stateBytes),
        resumed: resumed._tag === "Right" ? [resumed.right.state.step, resumed.right.state.position.epoch, resumed.right.state.position.batch, resumed.right.extra.history] : resumed.left,
      });
    `).runInContext(context) as Record<string, unknown>;
    expect(out["labels"]).toEqual([[3], "uint8", [7, 9, 255]]);
    expect(out["floats"]).toEqual([[2, 1], "float32", [1.5, -2.5]]);
    expect(out["gzipped"]).toMatch(/^InputError: labels\.gz: gzipped bytes .*DecompressionStream/);
    expect(out["truncated"]).toBe("InputError: short: truncated payload: dims [3] of uint8 need 3 bytes, found 1");
    expect(out["back"]).toEqual([[1.5, -2, 0, 3], true, 7]);
    expect(out["free"]).toBe(0.25);
    expect(out["flipped"]).toMatch(/^checkpoint: /);
    expect(out["crc"]).toBe(0xcbf43926);
    expect(out["resumed"]).toEqual([3, 1, 2, [0.75, 0.5]]);
    expect(touched()).toBeLessThanOrEqual(1); // the SIMD probe, as above
    // The same bytes as Node's entry writes (zlib's CRC-32 there), and Node reads them back.
    const params = { layers: [{ w: node.tensor([[1.5, -2], [0, 3]]), b: node.tensor([0.25, -0]) }], step: 7 };
    expect(out["bytes"]).toEqual(Array.from(node.data.serialize(params)));
    expect(isRight(node.data.deserialize(Uint8Array.from(out["bytes"] as number[]), params))).toBe(true);
    const opt = node.optim.sgd(0.1, { momentum: 0.9 });
    const state = { ...node.train.initTrainState(params, opt, node.random.key(5)), step: 3, loss: 0.5, position: { epoch: 1, batch: 2, dataKey: node.random.key(5) } };
    expect(out["stateBytes"]).toEqual(Array.from(node.train.serializeTrainState(state, { history: [0.75, 0.5] })));
  });

  it("holds the byte-level data functions, the Node entry the file-based ones too", () => {
    expect(typeof neutral.data.decodeTensor).toBe("function");
    for (const f of [neutral.data.parseIdx, neutral.data.serialize, neutral.data.deserialize, neutral.train.serializeTrainState, neutral.train.deserializeTrainState])
      expect(typeof f).toBe("function");
    expect("loadFashionMnist" in neutral.data).toBe(false);
    expect("saveCheckpoint" in neutral.data).toBe(false);
    expect("saveTrainState" in neutral.train).toBe(false);
    // Node's parseIdx inflates gzip (the root's refuses it); Node's checkpoint functions use zlib's CRC-32.
    expect(node.data.parseIdx).not.toBe(neutral.data.parseIdx);
    expect(node.data.parseIdx(gzipSync(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 42])), "x.gz").data).toEqual(new Uint8Array([42]));
    expect(typeof node.data.saveCheckpoint).toBe("function");
    expect(typeof node.train.saveTrainState).toBe("function");
    expect(typeof node.data.loadFashionMnist).toBe("function");
    expect(typeof node.data.decodeTensor).toBe("function");
    expect(node.matmul).toBe(neutral.matmul);
    expect(node.configure).toBe(neutral.configure);
  });
});
