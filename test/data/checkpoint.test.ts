import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLeft, isRight, type Either } from "fp-ts/lib/Either.js";
import { afterAll, describe, expect, it } from "vitest";
import { CHECKPOINT_MAGIC, crc32, deserialize, loadCheckpoint, saveCheckpoint, serialize } from "../../src/data/checkpoint.js";
import { fromArray, zeros } from "../../src/ops/create.js";
import { Concrete, impl, isTensor, typed, type AnyTensor, type Tensor } from "../../src/tensor/tensor.js";
import { linear } from "../../src/nn/layers.js";
import { key } from "../../src/random/key.js";

const dir = mkdtempSync(join(tmpdir(), "tenfold-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ok<A>(e: Either<string, A>): A {
  if (isLeft(e)) throw new Error(`expected Right, got Left: ${e.left}`);
  return e.right;
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

  it("lays out the file as magic, header length, JSON header and 8-aligned data", () => {
    const bytes = serialize({ w: f32([1, 2], [2]), n: 3 });
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe(CHECKPOINT_MAGIC);
    const h = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h)));
    expect(header).toMatchObject({
      format: "tenfold-checkpoint",
      version: 1,
      leaves: [
        { path: "n", kind: "number", shape: [], dtype: "float64", offset: 0, byteLength: 8 },
        { path: "w", kind: "tensor", shape: [2], dtype: "float32", offset: 8, byteLength: 8 },
      ],
      dataLength: 16,
    });
    const dataStart = Math.ceil((12 + h) / 8) * 8;
    expect(bytes.length).toBe(dataStart + 16);
    expect(header.crc32).toBe(crc32(bytes.subarray(dataStart)));
    expect(Array.from(new Float32Array(bytes.slice(dataStart + 8).buffer))).toEqual([1, 2]);
  });

  it("computes the standard CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode("6789"), crc32(new TextEncoder().encode("12345")))).toBe(0xcbf43926);
  });

  it("refuses what it cannot save, naming the path", () => {
    expect(() => serialize({ a: [1, () => 0] })).toThrow('checkpoint: cannot save a function at "a.1"');
    expect(() => serialize({ d: new Date(0) })).toThrow(/cannot save an instance of Date at "d"/);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => serialize(cyclic)).toThrow('checkpoint: the tree contains a cycle at "self"');
  });
});

describe("deserialize: corrupt input", () => {
  const good = serialize({ w: f32([1, 2, 3], [3]), b: f32([4], [1]) });
  const headerLength = new DataView(good.buffer, good.byteOffset).getUint32(8, true);
  const dataStart = Math.ceil((12 + headerLength) / 8) * 8;

  /** The good file with its header replaced by `edit(header)` (data unchanged). */
  const withHeader = (edit: (h: Record<string, any>) => unknown): Uint8Array => {
    const h = JSON.parse(new TextDecoder().decode(good.subarray(12, 12 + headerLength)));
    const json = new TextEncoder().encode(JSON.stringify(edit(h) ?? h));
    const start = Math.ceil((12 + json.length) / 8) * 8;
    const out = new Uint8Array(start + good.length - dataStart);
    out.set(good.subarray(0, 8));
    new DataView(out.buffer).setUint32(8, json.length, true);
    out.set(json, 12);
    out.set(good.subarray(dataStart), start);
    return out;
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
  });

  it("rejects a header that is not JSON", () => {
    const bad = good.slice();
    bad[12] = "]".charCodeAt(0);
    expect(err(deserialize(bad))).toMatch(/^checkpoint: corrupt header: not valid UTF-8 JSON \(.*JSON.*\)$/);
  });

  it("rejects an ill-formed header with the path of the bad field", () => {
    expect(err(deserialize(withHeader((h) => ((h["leaves"][0].dtype = "float16"), h))))).toBe(
      'checkpoint: corrupt header:\nheader at leaves[0].dtype: expected "float32" | "float64" | "int32" | "bool", got string "float16"',
    );
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].offset = -8), h))))).toBe(
      "checkpoint: corrupt header:\nheader at leaves[1].offset: expected a non-negative integer, got -8",
    );
    expect(err(deserialize(withHeader(() => [1, 2])))).toMatch(/^checkpoint: corrupt header:\nheader: expected /);
    expect(err(deserialize(withHeader((h) => ((h["version"] = 2), h))))).toBe("checkpoint: unsupported checkpoint version 2 (this build reads version 1)");
  });

  it("rejects offsets and lengths outside the data", () => {
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].offset = 16), h))))).toBe(
      'checkpoint: corrupt header: leaf 1 ("w") lies at bytes 16..28, beyond the 20 bytes of data',
    );
    expect(err(deserialize(withHeader((h) => ((h["leaves"][1].shape = [4]), h))))).toBe(
      'checkpoint: corrupt header: leaf 1 ("w") has 12 bytes, but float32 [4] needs 16',
    );
    expect(err(deserialize(withHeader((h) => ((h["tree"].entries[0][1].index = 1), h))))).toBe(
      'checkpoint: corrupt header: the tree refers to leaf 1 at "b", expected leaf 0 of 2',
    );
    expect(err(deserialize(withHeader((h) => ((h["tree"] = { kind: "value", value: null }), h))))).toBe(
      "checkpoint: corrupt header: the tree uses 0 of its 2 leaves",
    );
  });

  it("detects flipped data bits with the CRC", () => {
    const bad = good.slice();
    bad[bad.length - 1]! ^= 0x01;
    expect(err(deserialize(bad))).toMatch(/^checkpoint: corrupt data: CRC-32 is \d+, but the header says \d+$/);
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
    expect(err(loadCheckpoint(missing))).toMatch(new RegExp(`^checkpoint ${missing}: cannot read the file \\(ENOENT`));
    const junk = join(dir, "junk.ckpt");
    writeFileSync(junk, "hello world, not a checkpoint");
    expect(err(loadCheckpoint(junk))).toBe(`checkpoint ${junk}: not a tenfold checkpoint: it starts with "hello wo", not "TENFOLD1"`);
    const cut = join(dir, "cut.ckpt");
    const bytes = serialize({ w: f32([1, 2, 3], [3]) });
    writeFileSync(cut, bytes.subarray(0, bytes.length - 4));
    expect(err(loadCheckpoint(cut))).toMatch(new RegExp(`^checkpoint ${cut}: truncated`));
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

  it("keeps the model's own structure (arrays stay arrays) and static values", () => {
    const saved = { layers: { "0": { w: zeros("2") }, "1": { w: zeros("2") }, "10": { w: zeros("2") } } };
    const like = { layers: Array.from({ length: 11 }, (_, i) => (i === 0 || i === 1 || i === 10 ? { w: zeros("2") } : { act: "relu" })) };
    const back = ok(deserialize(serialize(saved), like));
    expect(Array.isArray(back.layers)).toBe(true);
    expect(back.layers[5]).toEqual({ act: "relu" });
    expectSameTensor(back.layers[10]!.w, saved.layers["10"].w);
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
