import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLeft, isRight, type Either } from "fp-ts/lib/Either.js";
import { afterAll, describe, expect, it } from "vitest";
import { CHECKPOINT_MAGIC, CheckpointError, crc32, crc32Tables, deserialize, loadCheckpoint, saveCheckpoint, serialize } from "../../src/data/checkpoint.js";
import { fromArray, zeros } from "../../src/ops/create.js";
import { Concrete, impl, isTensor, typed, type AnyTensor, type Tensor } from "../../src/tensor/tensor.js";
import { linear } from "../../src/nn/layers.js";
import { isKey, key, split } from "../../src/random/key.js";
import { leafPaths, leavesOf } from "../../src/core/pytree.js";
import { v1Tree } from "./fixtures/v1-tree.js";
import * as format from "../../src/data/checkpoint-format.js";

const dir = mkdtempSync(join(tmpdir(), "tenfold-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ok<A>(e: Either<string, A>): A {
  if (isLeft(e)) throw new Error(`expected Right, got Left: ${e.left}`);
  return e.right;
}

/** `bytes` with its final CRC-32 recomputed (as a deliberate edit of a version 2 file would). */
function resealed(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

function err<A>(e: Either<string, A>): string {
  if (isRight(e)) throw new Error("expected Left, got Right");
  return e.left;
}

/** The raw bytes of a tensor's buffer. */
const rawBytes = (x: AnyTensor): number[] => {
  const d = impl(x).concrete().data;
  return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
};

/** Asserts two tensors have the same dtype, shape and bytes. */
function expectSameTensor(a: unknown, b: AnyTensor): void {
  expect(isTensor(a)).toBe(true);
  const x = a as AnyTensor;
  expect(x.dtype).toBe(b.dtype);
  expect([...x.shape]).toEqual([...b.shape]);
  expect(rawBytes(x)).toEqual(rawBytes(b));
}

const f32 = (values: number[], shape: number[]): AnyTensor => typed(new Concrete(shape, "float32", Float32Array.from(values)));

/** A tree with every dtype, a number leaf, nesting and static values. */
function sampleTree() {
  const nanPayload = new Float64Array(new BigUint64Array([0x7ff8_dead_beef_0001n]).buffer);
  return {
    layers: [
      { w: f32([1, -0, 0.1, 3e38, -Infinity, Number.NaN], [2, 3]), b: f32([0.5, 0.25, -1], [3]) },
      { w: typed(new Concrete([3, 1], "float64", Float64Array.from([Math.PI, -0, 1e-310]))) },
    ],
    counts: typed(new Concrete([2, 2], "int32", Int32Array.from([-2147483648, 2147483647, 0, 7]))),
    mask: typed(new Concrete([4], "bool", Uint8Array.from([1, 0, 0, 1]))),
    nan: typed(new Concrete([1], "float64", nanPayload)),
    scalar: typed(new Concrete([], "float32", Float32Array.from([2]))),
    empty: typed(new Concrete([0, 5], "float32", new Float32Array(0))),
    step: 42,
    negZero: -0,
    meta: { name: "mlp", frozen: false, none: null, missing: undefined },
  };
}

describe("serialize / deserialize", () => {
  it("round-trips every dtype bit-exactly, with numbers and static values", () => {
    const tree = sampleTree();
    const back = ok(deserialize(serialize(tree))) as ReturnType<typeof sampleTree>;
    expectSameTensor(back.layers[0]!.w, tree.layers[0]!.w);
    expectSameTensor(back.layers[0]!.b!, tree.layers[0]!.b!);
    expectSameTensor(back.layers[1]!.w, tree.layers[1]!.w);
    expectSameTensor(back.counts, tree.counts);
    expectSameTensor(back.mask, tree.mask);
    expectSameTensor(back.nan, tree.nan);
    expectSameTensor(back.scalar, tree.scalar);
    expectSameTensor(back.empty, tree.empty);
    expect(back.step).toBe(42);
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect(back.meta).toEqual({ name: "mlp", frozen: false, none: null, missing: undefined });
    expect(Array.isArray(back.layers)).toBe(true);
    expect(back.mask.toArray()).toEqual([true, false, false, true]);
  });

  it("reads bytes that are a view into a larger buffer", () => {
    const bytes = serialize({ w: f32([1, 2, 3], [3]), n: 2 });
    const big = new Uint8Array(bytes.length + 5);
    big.set(bytes, 3);
    const back = ok(deserialize(big.subarray(3, 3 + bytes.length))) as { w: AnyTensor; n: number };
    expect(back.w.toFlat()).toEqual([1, 2, 3]);
    expect(back.n).toBe(2);
  });

  it("round-trips a bare tensor, a number and dim names", () => {
    const named = fromArray([1, 2, 3, 4, 5, 6], "B 3", { B: 2 });
    const back = ok(deserialize(serialize(named))) as AnyTensor;
    expectSameTensor(back, named);
    expect(back.names).toEqual(["B", null]);
    expect(ok(deserialize(serialize(1.5)))).toBe(1.5);
    expect(ok(deserialize(serialize([])))).toEqual([]);
  });

  it("lays out the file as magic, header length, JSON header, 8-aligned data and a CRC-32 of every byte before it", () => {
    const bytes = serialize({ w: f32([1, 2], [2]), n: 3 });
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe(CHECKPOINT_MAGIC);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const h = view.getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h)));
    expect(header).toEqual({
      format: "tenfold-checkpoint",
      version: 2,
      tree: { kind: "record", entries: [["n", { kind: "leaf", index: 0 }], ["w", { kind: "leaf", index: 1 }]] },
      leaves: [
        { path: "n", kind: "number", shape: [], dtype: "float64", byteLength: 8, offset: 0 },
        { path: "w", kind: "tensor", shape: [2], dtype: "float32", byteLength: 8, offset: 8 },
      ],
      dataLength: 16,
    });
    const dataStart = Math.ceil((12 + h) / 8) * 8;
    expect(bytes.length).toBe(dataStart + 16 + 4);
    expect(Array.from(bytes.subarray(12 + h, dataStart))).toEqual(new Array(dataStart - 12 - h).fill(0));
    expect(view.getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
    expect(Array.from(new Float32Array(bytes.slice(dataStart + 8, dataStart + 16).buffer))).toEqual([1, 2]);
  });

  it("computes the standard CRC-32, natively and with its own tables alike, in pieces and on empty input", () => {
    for (const f of [crc32, crc32Tables]) {
      expect(f(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
      expect(f(new TextEncoder().encode("6789"), f(new TextEncoder().encode("12345")))).toBe(0xcbf43926);
      expect(f(new Uint8Array(new Float32Array(0).buffer), 12345)).toBe(12345);
    }
    let s = 7;
    for (let n = 0; n < 200; n++) {
      const bytes = Uint8Array.from({ length: n * 5 + (n % 9) }, () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) >>> 16) & 0xff);
      const cut = n % (bytes.length + 1);
      const want = crc32Tables(bytes.subarray(cut), crc32Tables(bytes.subarray(0, cut)));
      expect(crc32(bytes), `length ${bytes.length}`).toBe(want);
    }
  });

  it("is the same on every host: the host-independent serialize, deserialize and crc32 (no zlib) give Node's bytes, values and messages", () => {
    const tree = { layers: [linear(3, 2).init(key(4)), linear(2, 1).init(key(5))], step: 12, name: "mlp", key: key(9) };
    const bytes = serialize(tree);
    expect(format.serialize(tree)).toEqual(bytes);
    expect(format.crc32(bytes)).toBe(crc32(bytes));
    expect(format.crc32).toBe(crc32Tables);
    expect(leavesOf(ok(format.deserialize(bytes, tree))).map((l) => (isTensor(l) ? l.toFlat() : l))).toEqual(leavesOf(tree).map((l) => (isTensor(l) ? l.toFlat() : l)));
    for (const at of [3, 20, bytes.length - 9, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[at]! ^= 0x10;
      expect(format.deserialize(bad, tree, "f.ckpt")).toEqual(deserialize(bad, tree, "f.ckpt"));
    }
    expect(format.deserialize(bytes.subarray(0, 40), undefined, "f.ckpt")).toEqual(deserialize(bytes.subarray(0, 40), undefined, "f.ckpt"));
  });

  it("refuses what it cannot save, naming the path, with a CheckpointError", () => {
    expect(() => serialize({ a: [1, () => 0] })).toThrow(new CheckpointError("checkpoint", 'cannot save a function at "a.1" (a tree holds tensors, numbers, records, arrays, strings, booleans and null)'));
    expect(() => serialize({ d: new Date(0) })).toThrow(/cannot save an instance of Date at "d"/);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => serialize(cyclic)).toThrow('checkpoint: the tree contains a cycle at "self"');
    expect(() => serialize(cyclic)).toThrow(CheckpointError);
  });

  it("refuses leaves whose joined paths collide", () => {
    const msg = 'checkpoint: leaves 0 and 1 both have the path "a.b" (a record key containing "." collides with nesting); rename one';
    expect(() => serialize({ "a.b": zeros("2"), a: { b: zeros("2") } })).toThrow(new CheckpointError("checkpoint", msg.slice("checkpoint: ".length)));
    expect(() => serialize({ "": { a: 1 }, a: 2 })).toThrow('checkpoint: leaves 0 and 1 both have the path "a"');
    // a "." in a key is fine while nothing else has its joined path
    expect(ok(deserialize(serialize({ "a.b": 1, c: { d: 2 } })))).toEqual({ "a.b": 1, c: { d: 2 } });
  });
});

describe("deserialize: corrupt input", () => {
  const good = serialize({ w: f32([1, 2, 3], [3]), b: f32([4], [1]) });
  const headerLength = new DataView(good.buffer, good.byteOffset).getUint32(8, true);
  const dataStart = Math.ceil((12 + headerLength) / 8) * 8;
  const headerText = new TextDecoder().decode(good.subarray(12, 12 + headerLength));

  /** The good file with its header text replaced (data moved along), and the final CRC recomputed: only the structural checks can object. */
  const withText = (text: string): Uint8Array => {
    const json = new TextEncoder().encode(text);
    const start = Math.ceil((12 + json.length) / 8) * 8;
    const out = new Uint8Array(start + good.length - dataStart);
    out.set(good.subarray(0, 8));
    new DataView(out.buffer).setUint32(8, json.length, true);
    out.set(json, 12);
    out.set(good.subarray(dataStart), start);
    return resealed(out);
  };
  const withHeader = (edit: (h: Record<string, any>) => unknown): Uint8Array => {
    const h = JSON.parse(headerText);
    return withText(JSON.stringify(edit(h) ?? h));
  };

  it("rejects a short file and a wrong magic", () => {
    expect(err(deserialize(good.subarray(0, 5)))).toBe("checkpoint: not a tenfold checkpoint: the file has only 5 bytes");
    const other = good.slice();
    other.set(new TextEncoder().encode("PK\x03\x04"), 0);
    expect(err(deserialize(other))).toBe('checkpoint: not a tenfold checkpoint: it starts with "PK\\x03\\x04OLD1", not "TENFOLD1"');
  });

  it("rejects truncation anywhere", () => {
    expect(err(deserialize(good.subarray(0, 20)))).toMatch(/^checkpoint: truncated: the header should have \d+ bytes, but the file has only 8 after the magic$/);
    expect(err(deserialize(good.subarray(0, good.length - 1)))).toBe(`checkpoint: truncated: expected ${good.length} bytes, the file has ${good.length - 1}`);
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expect(err(deserialize(longer))).toMatch(/^checkpoint: corrupt: 3 unexpected bytes after the data/);
    for (let n = 0; n < good.length; n++) expect(isLeft(deserialize(good.subarray(0, n))), `cut at ${n}`).toBe(true);
  });

  it("rejects a header that is not JSON, or not the exact JSON this library writes", () => {
    const bad = good.slice();
    bad[12] = "]".charCodeAt(0);
    expect(err(deserialize(bad))).toMatch(/^checkpoint: corrupt header: not valid UTF-8 JSON \(.*JSON.*\)$/);
    const notCanonical = "checkpoint: corrupt header: its JSON is not in the form this library writes (edited or damaged)";
    // a duplicate JSON key (JSON.parse would keep the second), a space, a number written differently
    expect(err(deserialize(withText(headerText.replace('"offset":8', '"offset":0,"offset":8'))))).toBe(notCanonical);
    expect(err(deserialize(withText(headerText.replace('"offset":8', '"offset": 8'))))).toBe(notCanonical);
    expect(err(deserialize(withText(headerText.replace('"offset":8', '"offset":8.0'))))).toBe(notCanonical);
  });

  it("rejects an ill-formed header with the path of the bad field", () => {
    expect(err(deserialize(withHeader((h) => ((h["leaves"][0].dtype = "float16"), h))))).toBe(
      'checkpoint: corrupt header:\nheader at leaves[0].dtype: expected "float32" | "float64" | "int32" | "bool", got string "float16"',
    );
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].offset = -8), h))))).toBe(
      "checkpoint: corrupt header:\nheader at leaves[1].offset: expected a non-negative integer, got -8",
    );
    expect(err(deserialize(withHeader(() => [1, 2])))).toMatch(/^checkpoint: corrupt header:\nheader: expected /);
    expect(err(deserialize(withHeader((h) => ((h["version"] = 3), h))))).toBe("checkpoint: unsupported checkpoint version 3 (this build reads versions 1 and 2)");
  });

  it("rejects offsets that are shifted, misaligned, shared or swapped, and sizes that do not fit shape and dtype", () => {
    // leaves: b (float32 [1], offset 0), w (float32 [3], offset 8); 20 bytes of data
    const misplaced = (at: number) => `checkpoint: corrupt header: leaf 1 ("w") starts at byte ${at} of the data, but leaves lie one after another, 8-aligned: it should start at byte 8`;
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].offset = 9), h))))).toBe(misplaced(9));
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].offset = 16), h))))).toBe(misplaced(16));
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].offset = 0), h))))).toBe(misplaced(0));
    expect(err(deserialize(withHeader((h) => (([h["leaves"][0].offset, h["leaves"][1].offset] = [8, 0]), h))))).toBe(
      'checkpoint: corrupt header: leaf 0 ("b") starts at byte 8 of the data, but leaves lie one after another, 8-aligned: it should start at byte 0',
    );
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].shape = [4]), h))))).toBe(
      'checkpoint: corrupt header: leaf 1 ("w") has 12 bytes, but float32 [4] needs 16',
    );
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].byteLength = 16), (h["leaves"][1].shape = [4]), h))))).toBe(
      'checkpoint: corrupt header: leaf 1 ("w") lies at bytes 8..24, beyond the 20 bytes of data',
    );
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].shape = [2 ** 40, 2 ** 40]), h))))).toMatch(/leaf 1 \("w"\) has 12 bytes, but float32 \[1099511627776, 1099511627776\] needs /);
    expect(err(deserialize(withHeader((h) => ((h["dataLength"] = 24), h))))).toBe(`checkpoint: truncated: expected ${good.length + 4} bytes, the file has ${good.length}`);
  });

  it("rejects a tree that does not match its leaves, duplicate keys and colliding paths", () => {
    expect(err(deserialize(withHeader((h) => ((h["tree"].entries[0][1].index = 1), h))))).toBe(
      'checkpoint: corrupt header: the tree refers to leaf 1 at "b", expected leaf 0 of 2',
    );
    expect(err(deserialize(withHeader((h) => ((h["tree"] = { kind: "value", value: null }), h))))).toBe(
      "checkpoint: corrupt header: the tree uses 0 of its 2 leaves",
    );
    expect(err(deserialize(withHeader((h) => (h["tree"].entries.push(h["tree"].entries[1]), h))))).toBe(
      'checkpoint: corrupt header: the record at the root has the key "w" twice',
    );
    const statics = serialize({ w: f32([1], [1]), meta: { x: "a", y: "b" } });
    const text = new TextDecoder().decode(statics.subarray(12, 12 + new DataView(statics.buffer).getUint32(8, true)));
    const swapped = text.replace('["x",{"kind":"value","value":"a"}],["y",{"kind":"value","value":"b"}]', '["y",{"kind":"value","value":"b"}],["x",{"kind":"value","value":"a"}]');
    expect(swapped).not.toBe(text);
    const json = new TextEncoder().encode(swapped);
    const edited = statics.slice();
    edited.set(json, 12);
    expect(err(deserialize(resealed(edited)))).toBe('checkpoint: corrupt header: the record at meta has its keys out of order ("y" before "x")');
    // {"a.b": x} next to {a: {b: y}}: the paths are consistent with the tree, but collide when joined
    const colliding = {
      format: "tenfold-checkpoint", version: 2,
      tree: { kind: "record", entries: [["a", { kind: "record", entries: [["b", { kind: "leaf", index: 0 }]] }], ["a.b", { kind: "leaf", index: 1 }]] },
      leaves: [
        { path: "a.b", kind: "tensor", shape: [1], dtype: "float32", byteLength: 4, offset: 0 },
        { path: "a.b", kind: "tensor", shape: [3], dtype: "float32", byteLength: 12, offset: 8 },
      ],
      dataLength: 20,
    };
    expect(err(deserialize(withHeader(() => colliding)))).toBe('checkpoint: corrupt header: leaves 0 and 1 both have the path "a.b"');
  });

  it("detects any flipped bit, in the data or the header, with the CRC-32 over the whole file", () => {
    const bad = good.slice();
    bad[bad.length - 5]! ^= 0x01;
    expect(err(deserialize(bad))).toMatch(/^checkpoint: corrupt: the CRC-32 of the file is \d+, but its last 4 bytes say \d+$/);
    const named = serialize({ w: f32([1], [1]), act: "relu" });
    const at = new TextDecoder().decode(named).indexOf("relu");
    for (let bit = 0; bit < 8; bit++) {
      const flipped = named.slice();
      flipped[at + 3]! ^= 1 << bit;
      expect(isLeft(deserialize(flipped)), `bit ${bit} of the "u" of "relu"`).toBe(true);
    }
    for (let i = 0; i < good.length; i++)
      for (let bit = 0; bit < 8; bit++) {
        const flipped = good.slice();
        flipped[i]! ^= 1 << bit;
        expect(isLeft(deserialize(flipped)), `byte ${i} bit ${bit}`).toBe(true);
      }
  });

  it("never throws on random garbage", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const bytes = good.slice();
      let s = seed;
      for (let k = 0; k < 3; k++) {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        bytes[s % bytes.length] = s & 0xff;
      }
      const r = deserialize(bytes);
      if (isLeft(r)) expect(r.left).toMatch(/^checkpoint: /);
    }
  });
});

describe("version 1 checkpoints", () => {
  const fixture = join(import.meta.dirname, "fixtures", "v1-mlp.ckpt");
  const values = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "v1-mlp.json"), "utf8")) as Record<string, number | number[]>;

  it("load into a model, every value as saved (the data's CRC, the layout and the model's shapes and names verify everything used)", () => {
    const like = v1Tree();
    const back = ok(loadCheckpoint(fixture, like));
    const paths = leafPaths(back);
    leavesOf(back).forEach((x, i) => expect(typeof x === "number" ? x : Array.from(x.toFlat()), paths[i]).toEqual(values[paths[i]!]));
    expect(back.named.names).toEqual(["B", null]);
    expect(back.meta).toEqual(like.meta);
  });

  it("are refused without a model, saying why", () => {
    expect(err(loadCheckpoint(fixture))).toBe(
      `checkpoint ${fixture}: a version 1 checkpoint has no checksum over its header, so it is loaded only into a model's parameters (pass \`like\`); saving it again writes version 2`,
    );
  });

  it("reject a damaged header even though it has no checksum", () => {
    const bytes = new Uint8Array(readFileSync(fixture));
    const text = new TextDecoder("latin1").decode(bytes);
    const edit = (from: string, to: string): Uint8Array => {
      const at = text.indexOf(from);
      expect(at).toBeGreaterThan(0);
      const out = bytes.slice();
      out.set(new TextEncoder().encode(to), at);
      return out;
    };
    expect(err(deserialize(edit('"offset":16}', '"offset":17}'), v1Tree()))).toBe(
      'checkpoint: corrupt header: leaf 1 ("params.0.b") starts at byte 17 of the data, but leaves lie one after another, 8-aligned: it should start at byte 16',
    );
    expect(err(deserialize(edit('"offset":40}', '"offset":48}'), v1Tree()))).toMatch(/leaf 2 \("params.0.w"\) starts at byte 48 of the data, .* it should start at byte 40$/);
    const names = bytes.slice();
    names[text.indexOf('"B"') + 1] = "C".charCodeAt(0);
    expect(err(deserialize(names, v1Tree()))).toBe('checkpoint: parameter "named" has dim names [C, _] in the file but [B, _] in the model');
  });
});

describe("saveCheckpoint / loadCheckpoint", () => {
  it("saves atomically and loads the same parameters", () => {
    const path = join(dir, "nested", "model.ckpt");
    const tree = sampleTree();
    saveCheckpoint(path, tree);
    expect(readdirSync(join(dir, "nested"))).toEqual(["model.ckpt"]);
    const back = ok(loadCheckpoint(path)) as ReturnType<typeof sampleTree>;
    expectSameTensor(back.layers[0]!.w, tree.layers[0]!.w);
    expectSameTensor(back.counts, tree.counts);
    saveCheckpoint(path, { step: 1 });
    expect(ok(loadCheckpoint(path))).toEqual({ step: 1 });
  });

  it("names the file in every error", () => {
    const missing = join(dir, "nope.ckpt");
    expect(err(loadCheckpoint(missing))).toMatch(new RegExp(`^checkpoint ${missing}: cannot open the file \\(ENOENT`));
    const junk = join(dir, "junk.ckpt");
    writeFileSync(junk, "hello world, not a checkpoint");
    expect(err(loadCheckpoint(junk))).toBe(`checkpoint ${junk}: not a tenfold checkpoint: it starts with "hello wo", not "TENFOLD1"`);
    const cut = join(dir, "cut.ckpt");
    const bytes = serialize({ w: f32([1, 2, 3], [3]) });
    writeFileSync(cut, bytes.subarray(0, bytes.length - 4));
    expect(err(loadCheckpoint(cut))).toMatch(new RegExp(`^checkpoint ${cut}: truncated`));
  });
});

describe("checkpoint files", () => {
  it("refuses a FIFO, /dev/zero and a directory at once, saying what they are", () => {
    const fifo = join(dir, "ckpt-fifo");
    execFileSync("mkfifo", [fifo]);
    expect(err(loadCheckpoint(fifo))).toBe(`checkpoint ${fifo}: is a FIFO (named pipe), not a regular file`);
    expect(err(loadCheckpoint("/dev/zero"))).toBe("checkpoint /dev/zero: is a character device, not a regular file");
    expect(err(loadCheckpoint(dir))).toBe(`checkpoint ${dir}: is a directory, not a regular file`);
  });

  it("fails to save with a CheckpointError naming the file, keeping the previous file and no temporary", () => {
    const path = join(dir, "keep.ckpt");
    saveCheckpoint(path, { step: 1 });
    expect(() => saveCheckpoint(path, { step: 2, f: () => 0 })).toThrow(new CheckpointError(`saveCheckpoint ${path}`, 'cannot save a function at "f" (a tree holds tensors, numbers, records, arrays, strings, booleans and null)'));
    const blocked = join(dir, "keep.ckpt", "inner.ckpt"); // its directory is a file
    let e: unknown;
    try {
      saveCheckpoint(blocked, { step: 3 });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as Error).message).toMatch(new RegExp(`^saveCheckpoint ${blocked}: cannot write the file \\((EEXIST|ENOTDIR)`));
    expect(ok(loadCheckpoint(path))).toEqual({ step: 1 });
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("streams: a file saved in pieces is byte-identical to serialize, and loads leaf by leaf", () => {
    const path = join(dir, "same.ckpt");
    const tree = sampleTree();
    saveCheckpoint(path, tree);
    expect(Array.from(readFileSync(path))).toEqual(Array.from(serialize(tree)));
  });

  // Over 2 GiB, so larger than one read or write call may be: run with TENFOLD_LARGE=1 (4.5 GB peak: the tree and its loaded copy; 25 s).
  it.runIf(process.env["TENFOLD_LARGE"] === "1")("saves and loads a tree over 2 GiB", { timeout: 300_000 }, () => {
    const path = join(dir, "large.ckpt");
    const n = 2 ** 28 + 2 ** 24; // 1.06 GiB of float32 per tensor
    const a = typed(new Concrete([n], "float32", new Float32Array(n).fill(1.5)));
    const b = typed(new Concrete([n], "float32", new Float32Array(n).fill(-2)));
    saveCheckpoint(path, { a, b, step: 3 });
    const back = ok(loadCheckpoint(path, { a, b, step: 0 }));
    expect(back.step).toBe(3);
    const [x, y] = [impl(back.a).concrete().data, impl(back.b).concrete().data];
    expect([x.length, x[0], x[n - 1], y[0], y[n - 1]]).toEqual([n, 1.5, 1.5, -2, -2]);
    rmSync(path);
  });
});

describe("loading into a model (like)", () => {
  const model = { layers: [linear(4, 3).init(key(0)), linear(3, 2).init(key(1))] as const, step: 0 };

  it("returns the parameters with the model's type and structure", () => {
    const path = join(dir, "mlp.ckpt");
    const trained = { layers: [linear(4, 3).init(key(7)), linear(3, 2).init(key(8))], step: 12 };
    saveCheckpoint(path, trained);
    const back: typeof model = ok(loadCheckpoint(path, model));
    const w0: Tensor<[4, 3]> = back.layers[0].w;
    expectSameTensor(w0, trained.layers[0]!.w);
    expectSameTensor(back.layers[1].b, trained.layers[1]!.b);
    expect(back.step).toBe(12);
    expect(existsSync(path)).toBe(true);
  });

  it("keeps the model's static values, and tells an array from a record with the same joined paths", () => {
    const like = { layers: Array.from({ length: 11 }, (_, i) => (i === 0 || i === 1 || i === 10 ? { w: zeros("2") } : { act: "relu" })) };
    const saved = { layers: like.layers.map((l, i) => ("w" in l ? { w: fromArray([i, -i], "2") } : { act: "tanh" })) };
    const back = ok(deserialize(serialize(saved), like));
    expect(Array.isArray(back.layers)).toBe(true);
    expect(back.layers[5]).toEqual({ act: "relu" });
    expectSameTensor(back.layers[10]!.w!, saved.layers[10]!.w!);
    // [x] and {"0": x} join to the same paths, but are not the same structure
    const asRecord = { layers: { "0": { w: zeros("2") }, "1": { w: zeros("2") }, "10": { w: zeros("2") } } };
    expect(err(deserialize(serialize(asRecord), like))).toBe(
      [
        "checkpoint: does not fit the model:",
        '  parameter "layers.0.w" is at layers["0"].w in the file but at layers[0].w in the model (an array index and a record key differ)',
        '  parameter "layers.1.w" is at layers["1"].w in the file but at layers[1].w in the model (an array index and a record key differ)',
        '  parameter "layers.10.w" is at layers["10"].w in the file but at layers[10].w in the model (an array index and a record key differ)',
      ].join("\n"),
    );
    expect(err(deserialize(serialize([zeros("2")]), { "0": zeros("2") }))).toBe(
      'checkpoint: parameter "0" is at [0] in the file but at ["0"] in the model (an array index and a record key differ)',
    );
  });

  it("restores PRNG keys (int32 tensors, leaves like parameters) from the file, into the model's structure too (a resumed run continues the saved random stream)", () => {
    const saved = { params: { w: fromArray([1, 2], "2") }, key: split(key(0))[1], keys: [key(7)] };
    const like = { params: { w: zeros("2") }, key: key(0), keys: [key(1)] };
    const bare = ok(deserialize(serialize(saved))) as unknown as typeof saved;
    expect(bare.key).toEqual(saved.key);
    expect(isKey(bare.keys[0])).toBe(true);
    const back = ok(deserialize(serialize(saved), like));
    expect(back.key).toEqual(saved.key);
    expect(back.keys[0]).toEqual(key(7));
    expect(back.key).not.toEqual(like.key);
    expect(err(deserialize(serialize({ params: saved.params, keys: [key(7)] }), like))).toBe('checkpoint: missing from the file: parameter "key"');
    expect(err(deserialize(serialize({ ...saved, extra: key(3) }), like))).toBe('checkpoint: not in the model: parameter "extra"');
  });

  it("compares dim names with the model's", () => {
    const named = fromArray([1, 2, 3, 4], "B 2", { B: 2 });
    expect(err(deserialize(serialize({ x: named }), { x: zeros("2 2") }))).toBe('checkpoint: parameter "x" has dim names [B, _] in the file but [_, _] in the model');
    expect(ok(deserialize(serialize({ x: named }), { x: named })).x.names).toEqual(["B", null]);
  });

  it("names the parameter path and both shapes on a shape mismatch", () => {
    const bytes = serialize({ layers: [{ w: zeros("784 200"), b: zeros("200") }] });
    const like = { layers: [{ w: zeros("784 100"), b: zeros("200") }] };
    expect(err(deserialize(bytes, like, "checkpoint out/mlp.ckpt"))).toBe(
      'checkpoint out/mlp.ckpt: parameter "layers.0.w" has shape [784, 200] in the file but [784, 100] in the model',
    );
  });

  it("lists every difference: shapes, dtypes, kinds, missing and extra parameters", () => {
    const bytes = serialize({ a: zeros("2"), b: zeros("3"), n: 1, extra1: zeros("1"), extra2: 5 });
    const like = { a: zeros("2 1"), b: zeros("3", "int32"), n: zeros("1"), gone: zeros("1") };
    expect(err(deserialize(bytes, like))).toBe(
      [
        "checkpoint: does not fit the model:",
        '  parameter "a" has shape [2] in the file but [2, 1] in the model',
        '  parameter "b" has dtype float32 in the file but int32 in the model',
        '  parameter "n" is a number in the file but a float32 tensor of shape [1] in the model',
        '  missing from the file: parameter "gone"',
        '  not in the model: parameters "extra1", "extra2"',
      ].join("\n"),
    );
  });
});
