/**
 * Laws of checkpoints: saving then loading is the identity, bit for bit.
 *
 * Trees are random nestings of records and arrays holding tensors of every dtype (rank 0–4,
 * raw random bytes, so floats include NaNs with arbitrary payloads, -0 and infinities), plain
 * numbers and static values.
 */
import fc from "fast-check";
import { lawParams, lawTitle } from "../src/testing/index.js";
import { isLeft } from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { deserialize, serialize } from "../src/data/checkpoint.js";
import type { DType, Storage } from "../src/tensor/dtype.js";
import { Concrete, impl, isTensor, typed, type AnyTensor } from "../src/tensor/tensor.js";



const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** Storage of `dtype` over random raw bytes (bools reduced to 0/1). */
function storageOf(dtype: DType, raw: Uint8Array): Storage {
  const buf = raw.slice().buffer;
  switch (dtype) {
    case "float32":
      return new Float32Array(buf);
    case "float64":
      return new Float64Array(buf);
    case "int32":
      return new Int32Array(buf);
    case "bool":
      return Uint8Array.from(raw, (b) => b & 1);
  }
}

const tensorArb: fc.Arbitrary<AnyTensor> = fc
  .tuple(fc.constantFrom<DType>("float32", "float64", "int32", "bool"), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }))
  .chain(([dtype, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    return fc.uint8Array({ minLength: n, maxLength: n }).map((raw) => typed<number[], DType>(new Concrete(shape, dtype, storageOf(dtype, raw))));
  });

const { tree: treeArb } = fc.letrec<{ tree: unknown; leaf: unknown; array: unknown[]; record: Record<string, unknown> }>((tie) => ({
  tree: fc.oneof({ maxDepth: 4, depthSize: "small" }, tie("leaf"), tie("array"), tie("record")),
  leaf: fc.oneof(tensorArb, tensorArb, fc.double(), fc.constantFrom<unknown>("relu", true, false, null, undefined)),
  array: fc.array(tie("tree"), { maxLength: 3 }),
  record: fc.dictionary(fc.string({ maxLength: 4 }), tie("tree"), { maxKeys: 3, noNullPrototype: true }),
}));

const rawBytes = (x: AnyTensor): number[] => {
  const d = impl(x).concrete().data;
  return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
};

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;

/** Asserts `got` equals `want` in structure, shapes, dtypes and every bit of every leaf. */
function expectSameTree(got: unknown, want: unknown, path = "root"): void {
  if (isTensor(want)) {
    expect(isTensor(got), `${path} is a tensor`).toBe(true);
    const g = got as AnyTensor;
    expect(g.dtype, `${path} dtype`).toBe(want.dtype);
    expect([...g.shape], `${path} shape`).toEqual([...want.shape]);
    expect(rawBytes(g), `${path} bytes`).toEqual(rawBytes(want));
    const gf = g.toFlat();
    const wf = want.toFlat();
    expect(gf.length).toBe(wf.length);
    gf.forEach((v, i) => expect(Object.is(v, wf[i]) || (Number.isNaN(v) && Number.isNaN(wf[i])), `${path}[${i}]`).toBe(true));
  } else if (typeof want === "number") {
    expect(Object.is(got, want), `${path}: ${String(got)} vs ${want}`).toBe(true);
  } else if (Array.isArray(want)) {
    expect(Array.isArray(got), `${path} is an array`).toBe(true);
    expect((got as unknown[]).length).toBe(want.length);
    want.forEach((w, i) => expectSameTree((got as unknown[])[i], w, `${path}[${i}]`));
  } else if (isPlainObject(want)) {
    expect(isPlainObject(got), `${path} is a record`).toBe(true);
    const g = got as Record<string, unknown>;
    expect(Object.keys(g).sort()).toEqual(Object.keys(want).sort());
    for (const k of Object.keys(want)) expectSameTree(g[k], want[k], `${path}.${JSON.stringify(k)}`);
  } else {
    expect(got, path).toBe(want);
  }
}

describe("checkpoint laws", () => {
  it(lawTitle("deserialize ∘ serialize is the identity, bit-exactly", { numRuns: 100 }), () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const back = deserialize(serialize(tree));
        if (isLeft(back)) throw new Error(back.left);
        expectSameTree(back.right, tree);
      }),
      lawParams({ numRuns: 100 }),
    );
  });

  it(lawTitle("loading into the same tree as `like` is the identity too", { numRuns: 100 }), () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const back = deserialize(serialize(tree), tree);
        if (isLeft(back)) throw new Error(back.left);
        expectSameTree(back.right, tree);
      }),
      lawParams({ numRuns: 100 }),
    );
  });

  it(lawTitle("serialize is deterministic: re-saving a loaded tree gives the same bytes", { numRuns: 100 }), () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const bytes = serialize(tree);
        const back = deserialize(bytes);
        if (isLeft(back)) throw new Error(back.left);
        expect(Array.from(serialize(back.right))).toEqual(Array.from(bytes));
      }),
      lawParams({ numRuns: 100 }),
    );
  });
});
