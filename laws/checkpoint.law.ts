/**
 * Laws of checkpoints: saving then loading is the identity, bit for bit; and a damaged file never loads
 * as wrong values.
 *
 * Trees are random nestings of records and arrays holding tensors of every dtype (rank 0–4,
 * raw random bytes, so floats include NaNs with arbitrary payloads, -0 and infinities), plain
 * numbers and static values. Damage is drawn by `test/data/mutations.ts`: bit flips, byte changes,
 * truncation, padding, deleted, inserted and copied ranges, splices of two checkpoints, header digits,
 * and header edits with a recomputed checksum.
 */
import fc from "fast-check";
import { lawParams, lawTitle } from "../src/testing/index.js";
import { isLeft } from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CheckpointError, deserialize, serialize } from "../src/data/checkpoint.js";
import { mlp, relu } from "../src/nn/layers.js";
import { key, split } from "../src/random/key.js";
import { fromArray } from "../src/ops/create.js";
import { applyMutation, damageArb, resealedArb, sameBytes, sameTree, type Mutation } from "../test/data/mutations.js";
import { v1Tree } from "../test/data/fixtures/v1-tree.js";
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

/** Record keys without "." and never empty, so that no two leaves' joined paths collide. */
const keyArb = fc.string({ minLength: 1, maxLength: 4 }).filter((k) => !k.includes("."));

/** Any keys at all ("." and "" included): trees whose joined paths may collide. */
const { tree: anyKeysTreeArb } = fc.letrec<{ tree: unknown; leaf: unknown; record: Record<string, unknown> }>((tie) => ({
  tree: fc.oneof({ maxDepth: 3, depthSize: "small" }, tie("leaf"), tie("record")),
  leaf: fc.oneof(fc.double(), fc.constant<unknown>("relu")),
  record: fc.dictionary(fc.constantFrom("a", "b", "a.b", "", "b.a", "0"), tie("tree"), { maxKeys: 3, noNullPrototype: true }),
}));

const { tree: treeArb } = fc.letrec<{ tree: unknown; leaf: unknown; array: unknown[]; record: Record<string, unknown> }>((tie) => ({
  tree: fc.oneof({ maxDepth: 4, depthSize: "small" }, tie("leaf"), tie("array"), tie("record")),
  leaf: fc.oneof(tensorArb, tensorArb, fc.double(), fc.constantFrom<unknown>("relu", true, false, null, undefined)),
  array: fc.array(tie("tree"), { maxLength: 3 }),
  record: fc.dictionary(keyArb, tie("tree"), { maxKeys: 3, noNullPrototype: true }),
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

  it(lawTitle("a tree whose joined paths collide is refused when saved; any other round-trips", { numRuns: 100 }), () => {
    fc.assert(
      fc.property(anyKeysTreeArb, (tree) => {
        let bytes: Uint8Array;
        try {
          bytes = serialize(tree);
        } catch (e) {
          expect(e).toBeInstanceOf(CheckpointError);
          expect((e as Error).message).toMatch(/^checkpoint: leaves \d+ and \d+ both have the path /);
          return;
        }
        const back = deserialize(bytes);
        if (isLeft(back)) throw new Error(back.left);
        expectSameTree(back.right, tree);
      }),
      lawParams({ numRuns: 100 }),
    );
  });
});

/** A real model's checkpoint (a small MLP, a step count, static values, dim names) and a second one for splices. */
const small = mlp([12, 8, 4], { activation: relu });
const saved = { params: small.init(key(0)), step: 12, named: fromArray([1, 2, 3, 4, 5, 6], "B 3", { B: 2 }), meta: { model: "mlp", frozen: false } };
const savedBytes = serialize(saved);
const otherTree = { ...saved, params: small.init(key(1)), step: 13 };
const otherBytes = serialize(otherTree);
/** With a PRNG key (a value the file restores, like the data): for damage, which the checksum must catch. */
const keyed = { ...saved, key: split(key(5))[1] };
const keyedBytes = serialize(keyed);
const keyedOther = { ...otherTree, key: split(key(6))[0] };
const keyedOtherBytes = serialize(keyedOther);

/** Whether a load of `mutated` is wrong: a `Right` whose values are neither the original's nor (for a splice that rebuilt it) the other file's. */
function wrongRight(result: ReturnType<typeof deserialize>, mutated: Uint8Array, original: unknown, other: Uint8Array, otherValue: unknown): string | null {
  if (isLeft(result)) return null;
  const want = sameBytes(mutated, other) ? otherValue : original;
  return sameTree(result.right, want) ? null : "a Right with values that differ from those saved";
}

describe("checkpoint fuzz laws: damage never loads as wrong values", () => {
  const check = (bytes: Uint8Array, like: unknown, other: Uint8Array, otherValue: unknown, withLike: boolean) => (m: Mutation) => {
    const mutated = applyMutation(bytes, m, other);
    const result = withLike ? deserialize(mutated, like) : deserialize(mutated);
    if (isLeft(result)) expect(result.left).toMatch(/^checkpoint: /);
    expect(wrongRight(result, mutated, like, other, otherValue), JSON.stringify(m)).toBeNull();
  };

  it(lawTitle("damaged MLP checkpoints (flips, truncation, splices, …) load into the model as the saved values or not at all", { numRuns: 400 }), () => {
    fc.assert(fc.property(damageArb, check(keyedBytes, keyed, keyedOtherBytes, keyedOther, true)), lawParams({ numRuns: 400 }));
  });

  it(lawTitle("damaged MLP checkpoints load without a model as the saved tree or not at all", { numRuns: 400 }), () => {
    fc.assert(fc.property(damageArb, check(keyedBytes, keyed, keyedOtherBytes, keyedOther, false)), lawParams({ numRuns: 400 }));
  });

  it(lawTitle("header edits with a recomputed checksum (offsets, sizes, shapes, dtypes, keys) never load into the model as wrong values", { numRuns: 400 }), () => {
    fc.assert(fc.property(resealedArb, check(savedBytes, saved, otherBytes, otherTree, true)), lawParams({ numRuns: 400 }));
  });

  it(lawTitle("damaged version 1 checkpoints (no header checksum) load into the model as the saved values or not at all", { numRuns: 400 }), () => {
    const v1 = new Uint8Array(readFileSync(join(import.meta.dirname, "..", "test", "data", "fixtures", "v1-mlp.ckpt")));
    const like = v1Tree();
    const loaded = deserialize(v1, like);
    if (isLeft(loaded)) throw new Error(loaded.left);
    // The fixture's own values are the reference; a splice takes its tail from a version 2 file of other values.
    const other = serialize({ ...like, params: mlp([6, 5, 3], { activation: relu }).init(key(4)) });
    fc.assert(fc.property(damageArb, check(v1, loaded.right, other, null, true)), lawParams({ numRuns: 400 }));
  });
});
