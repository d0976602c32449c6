import * as t from "io-ts";
import { isLeft, isRight, type Either } from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { decodeTensor, decodeTrainConfig, encodeTensor, formatErrors, tensorCodec } from "../../src/data/codecs.js";
import { fromArray } from "../../src/ops/create.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { expectTensor } from "../helpers.js";
import { DTypeError } from "../../src/errors.js";

/** The Right value, failing the test with the message otherwise. */
function ok<A>(e: Either<string, A>): A {
  if (isLeft(e)) throw new Error(`expected Right, got Left: ${e.left}`);
  return e.right;
}

/** The Left message, failing the test otherwise. */
function err<A>(e: Either<string, A>): string {
  if (isRight(e)) throw new Error(`expected Left, got Right: ${String(e.right)}`);
  return e.left;
}

describe("decodeTensor: nested arrays", () => {
  it("decodes a matrix, binding the named dim", () => {
    const x: Tensor<["B", 3], "float32"> = ok(decodeTensor("B 3")([[1, 2, 3], [4, 5, 6]]));
    expectTensor(x, [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(x.dtype).toBe("float32");
    expect(x.names).toEqual(["B", null]);
  });

  it("decodes a scalar from a bare number, and int32 and bool tensors", () => {
    expectTensor(ok(decodeTensor("")(2.5)), [], [2.5]);
    const y = ok(decodeTensor("N", { dtype: "int32" })([3, -1, 2147483647]));
    expect(y.dtype).toBe("int32");
    expectTensor(y, [3], [3, -1, 2147483647]);
    expectTensor(ok(decodeTensor("N", { dtype: "bool" })([true, 0, 1, false])), [4], [1, 0, 1, 0]);
  });

  it("accepts empty batches when every other dim is known", () => {
    expectTensor(ok(decodeTensor("B 784")([])), [0, 784], []);
    expect(err(decodeTensor("B N")([]))).toBe('tensor "B N": cannot tell the size of N (axis 1) from an empty array; pass sizes: { N: … }');
    expectTensor(ok(decodeTensor("B N", { sizes: { N: 4 } })([])), [0, 4], []);
  });

  it("names the path, axis, expected and actual length of a ragged or misshapen array", () => {
    expect(err(decodeTensor("B 3")([[1, 2, 3], [4, 5]]))).toBe('tensor "B 3" at [1]: axis 1 has length 2, expected 3 (spec "B 3")');
    expect(err(decodeTensor("B 3")([[1, 2], [3, 4]]))).toBe('tensor "B 3" at [0]: axis 1 has length 2, expected 3 (spec "B 3")');
    expect(err(decodeTensor("2 N")([[1], [2], [3]]))).toBe('tensor "2 N": axis 0 has length 3, expected 2 (spec "2 N")');
  });

  it("binds named dims consistently: B B must be square", () => {
    expectTensor(ok(decodeTensor("B B")([[1, 2], [3, 4]])), [2, 2], [1, 2, 3, 4]);
    expect(err(decodeTensor("B B")([[1, 2, 3], [4, 5, 6]]))).toBe('tensor "B B" at [0]: axis 1 (B) has length 3, expected 2 (B = 2 from axis 0)');
    expect(err(decodeTensor("N 2 N")([[[1, 2], [3, 4]]]))).toBe('tensor "N 2 N" at [0][0]: axis 2 (N) has length 2, expected 1 (N = 1 from axis 0)');
  });

  it("checks sizes given in options", () => {
    expect(err(decodeTensor("B 3", { sizes: { B: 3 } })([[1, 2, 3]]))).toBe('tensor "B 3": axis 0 (B) has length 1, expected 3 (B = 3 from options.sizes)');
    expect(() => tensorCodec("B 3", { sizes: { C: 1 } as never })).toThrow(/'C', which is not a dim of "B 3"/);
  });

  it("reports too few and too many dims", () => {
    expect(err(decodeTensor("B 3")([1, 2, 3]))).toBe('tensor "B 3" at [0]: expected an array for axis 1 of "B 3", got 1');
    expect(err(decodeTensor("B")([[1], [2]]))).toBe('tensor "B" at [0]: expected a number, got an array of length 1 (the data has more dims than "B")');
    expect(err(decodeTensor("B 3")("abc"))).toBe('tensor "B 3": expected an array for axis 0 of "B 3", got string "abc"');
  });

  it("reports a non-number with its path", () => {
    const rows = Array.from({ length: 4 }, () => Array.from({ length: 20 }, () => 0 as unknown));
    rows[3]![17] = "0.5";
    expect(err(decodeTensor("B 20")(rows))).toBe('tensor "B 20" at [3][17]: expected a number, got string "0.5"');
    expect(err(decodeTensor("B")([1, null]))).toBe('tensor "B" at [1]: expected a number, got null');
    expect(err(decodeTensor("B")([1, true]))).toBe('tensor "B" at [1]: expected a number, got boolean true');
  });

  it("rejects NaN and ±Infinity unless allowed", () => {
    expect(err(decodeTensor("B")([1, Number.NaN]))).toBe('tensor "B" at [1]: NaN is not allowed (pass allowNonFinite: true to accept NaN and ±Infinity)');
    expect(err(decodeTensor("B", { dtype: "float64" })([-Infinity]))).toMatch(/at \[0\]: -Infinity is not allowed/);
    expect(err(decodeTensor("B")([1e39]))).toMatch(/at \[0\]: 1e\+39 overflows float32/);
    expectTensor(ok(decodeTensor("B", { allowNonFinite: true })([Number.NaN, Infinity])), [2], [Number.NaN, Infinity]);
    expectTensor(ok(decodeTensor("B", { dtype: "float64" })([1e39])), [1], [1e39]);
  });

  it("rejects values that do not fit the dtype", () => {
    expect(err(decodeTensor("B", { dtype: "int32" })([1, 2.5]))).toBe('tensor "B" at [1]: 2.5 is not an int32 (expected an integer in [-2147483648, 2147483647])');
    expect(err(decodeTensor("B", { dtype: "int32" })([2 ** 31]))).toMatch(/at \[0\]: 2147483648 is not an int32/);
    expect(err(decodeTensor("B", { dtype: "int32" })([Number.NaN]))).toMatch(/at \[0\]: NaN is not an int32/);
    expect(err(decodeTensor("B", { dtype: "bool" })([true, 2]))).toBe('tensor "B" at [1]: 2 is not a bool (expected true, false, 0 or 1)');
    expect(err(decodeTensor("B", { dtype: "bool" })(["yes"]))).toBe('tensor "B" at [0]: expected a bool (true, false, 0 or 1), got string "yes"');
  });
});

describe("decodeTensor: the object form", () => {
  it("decodes { shape, dtype, data } and round-trips through encode", () => {
    const x = ok(decodeTensor("B 3", { dtype: "int32" })({ shape: [2, 3], dtype: "int32", data: [1, 2, 3, 4, 5, 6] }));
    expectTensor(x, [2, 3], [1, 2, 3, 4, 5, 6]);
    const encoded = encodeTensor(x);
    expect(encoded).toEqual({ shape: [2, 3], dtype: "int32", data: [1, 2, 3, 4, 5, 6] });
    expect(tensorCodec("B 3", { dtype: "int32" }).encode(x)).toEqual(encoded);
    expectTensor(ok(decodeTensor("B 3", { dtype: "int32" })(encoded)), [2, 3], [1, 2, 3, 4, 5, 6]);
    expectTensor(ok(decodeTensor("B 3")({ shape: [1, 3], data: [0.5, 1, 2] })), [1, 3], [0.5, 1, 2]);
  });

  it("reports wrong length, wrong shape, wrong rank and bad values with their place", () => {
    expect(err(decodeTensor("B 3")({ shape: [2, 3], data: [1, 2, 3, 4, 5] }))).toBe('tensor "B 3" at data: has 5 values, but shape [2, 3] needs 6');
    expect(err(decodeTensor("B 3")({ shape: [2, 4], data: [] }))).toBe('tensor "B 3" at shape: axis 1 is 4, expected 3 (spec "B 3")');
    expect(err(decodeTensor("B 3")({ shape: [6], data: [] }))).toBe('tensor "B 3" at shape: [6] has rank 1, but "B 3" has rank 2');
    expect(err(decodeTensor("B B")({ shape: [2, 3], data: [] }))).toBe('tensor "B B" at shape: axis 1 (B) is 3, expected 2 (B = 2 from axis 0)');
    expect(err(decodeTensor("B 3")({ shape: [1, 3], data: [1, "x", 3] }))).toBe('tensor "B 3" at data[1]: expected a number, got string "x"');
    expect(err(decodeTensor("B 3")({ shape: [1, 3], dtype: "int32", data: [1, 2, 3] }))).toBe('tensor "B 3" at dtype: "int32" does not match the expected dtype "float32"');
  });

  it("reports a malformed object with io-ts paths", () => {
    expect(err(decodeTensor("B 3")({ shape: [1, -3], data: [] }))).toBe('tensor "B 3" at shape[1]: expected a non-negative integer, got -3');
    expect(err(decodeTensor("B 3")({ shape: [1, 3] }))).toBe('tensor "B 3" at data: expected an array of values, got undefined');
    expect(err(decodeTensor("B 3")({ shape: [1, 3], dtype: "float16", data: [1, 2, 3] }))).toBe(
      'tensor "B 3" at dtype: expected "float32" | "float64" | "int32" | "bool", got string "float16"',
    );
  });
});

describe("tensorCodec", () => {
  it("composes with t.type, naming the field in messages", () => {
    const Batch = t.type({ x: tensorCodec("B 3"), y: tensorCodec("B", { dtype: "int32" }) });
    const good = Batch.decode({ x: [[1, 2, 3], [4, 5, 6]], y: [0, 2] });
    if (isLeft(good)) throw new Error(formatErrors(good.left));
    const batch: { x: Tensor<["B", 3]>; y: Tensor<["B"], "int32"> } = good.right;
    expectTensor(batch.x, [2, 3], [1, 2, 3, 4, 5, 6]);
    expectTensor(batch.y, [2], [0, 2]);

    const bad = Batch.decode({ x: [[1, 2, 3], [4, 5, 6]], y: [0, 1.5] });
    expect(isLeft(bad) && formatErrors(bad.left)).toBe("y[1]: 1.5 is not an int32 (expected an integer in [-2147483648, 2147483647])");
    const missing = Batch.decode({ x: [[1, 2, 3]] });
    expect(isLeft(missing) && formatErrors(missing.left)).toBe('y: expected an array for axis 0 of "B", got undefined');
    const both = Batch.decode({ x: [[1, 2]], y: "no" });
    expect(isLeft(both) && formatErrors(both.left)).toBe(
      'x[0]: axis 1 has length 2, expected 3 (spec "B 3")\ny: expected an array for axis 0 of "B", got string "no"',
    );
  });

  it("composes with t.array, giving full paths", () => {
    const r = t.array(t.type({ x: tensorCodec("2") })).decode([{ x: [1, 2] }, { x: [1, null] }]);
    expect(isLeft(r) && formatErrors(r.left)).toBe("[1].x[1]: expected a number, got null");
  });

  it("guards and passes through tensors that already fit", () => {
    const codec = tensorCodec("B B");
    const sq = fromArray([1, 2, 3, 4], "2 2");
    expect(codec.is(sq)).toBe(true);
    expect(codec.is(fromArray([1, 2, 3, 4, 5, 6], "2 3"))).toBe(false);
    expect(codec.is([[1, 2], [3, 4]])).toBe(false);
    expect(tensorCodec("B B", { dtype: "int32" }).is(sq)).toBe(false);
    const r = codec.decode(sq);
    expect(isRight(r) && r.right).toBe(sq);
    expect(err(decodeTensor("B B")(fromArray([1, 2, 3, 4, 5, 6], "2 3")))).toBe('tensor "B B": axis 1 (B) is 3, expected 2 (B = 2 from axis 0)');
    expect(err(decodeTensor("B B", { dtype: "int32" })(sq))).toBe('tensor "B B": tensor has dtype float32, expected int32');
  });

  it("has a readable name and rejects a bad spec when built", () => {
    expect(tensorCodec("B 784", { dtype: "int32" }).name).toBe('Tensor<"B 784", int32>');
    expect(() => tensorCodec("B 7x")).toThrow(/neither a size nor a dim name/);
  });

  it("rejects bad options from untyped code when built, with typed errors (an unknown dtype crashed in decode)", () => {
    const untyped = tensorCodec as (spec: string, opts?: unknown) => unknown;
    expect(() => untyped("B", { dtype: "float16" })).toThrow(new DTypeError("tensorCodec", 'unknown dtype "float16" (expected one of float32, float64, int32, bool)'));
    expect(() => untyped("B", { dtype: "float16" })).toThrow(DTypeError);
    expect(() => untyped("B", { dtype: 32 })).toThrow('tensorCodec: unknown dtype 32 (expected one of float32, float64, int32, bool)');
    expect(() => decodeTensor("B", { dtype: "int64" } as never)([1])).toThrow(DTypeError);
    expect(() => untyped("B", "int32")).toThrow(new TypeError('tensorCodec: options must be an object like { dtype: "int32" }, got string "int32"'));
    expect(() => untyped("B", { dtpye: "int32" })).toThrow(new TypeError('tensorCodec: unknown option "dtpye" (expected dtype, sizes, allowNonFinite)'));
    expect(() => untyped("B", { allowNonFinite: "yes" })).toThrow(new TypeError('tensorCodec: allowNonFinite must be a boolean, got string "yes"'));
    expect(() => untyped("B", { sizes: [3] })).toThrow(new TypeError("tensorCodec: sizes must be an object like { B: 32 }, got an array of length 1"));
  });
});

describe("decodeTrainConfig", () => {
  it("fills in defaults, with the batch size depending on the model", () => {
    expect(ok(decodeTrainConfig({}))).toEqual({ model: "softmax", epochs: 10, batchSize: 256, lr: 0.1, seed: 0 });
    expect(ok(decodeTrainConfig(undefined))).toEqual({ model: "softmax", epochs: 10, batchSize: 256, lr: 0.1, seed: 0 });
    expect(ok(decodeTrainConfig({ model: "mlp" }))).toEqual({ model: "mlp", epochs: 10, batchSize: 200, lr: 0.1, seed: 0 });
    expect(ok(decodeTrainConfig({ model: "mlp", epochs: 3, batchSize: 64, lr: 0.5, seed: -7 }))).toEqual({
      model: "mlp",
      epochs: 3,
      batchSize: 64,
      lr: 0.5,
      seed: -7,
    });
  });

  it("reports each bad field", () => {
    expect(err(decodeTrainConfig({ model: "cnn" }))).toBe('train config: model: expected "softmax" | "mlp", got string "cnn"');
    expect(err(decodeTrainConfig({ epochs: 0, batchSize: 2.5 }))).toBe(
      "train config: epochs: expected a positive integer, got 0\ntrain config: batchSize: expected a positive integer, got 2.5",
    );
    expect(err(decodeTrainConfig({ lr: Infinity }))).toBe("train config: lr: expected a positive finite number, got Infinity");
    expect(err(decodeTrainConfig({ lr: "0.1" }))).toBe('train config: lr: expected a positive finite number, got string "0.1"');
    expect(err(decodeTrainConfig({ seed: 0.5 }))).toBe("train config: seed: expected an integer, got 0.5");
  });

  it("rejects unknown keys and non-objects", () => {
    expect(err(decodeTrainConfig({ epoch: 3 }))).toBe('train config: unknown key "epoch" (expected model, epochs, batchSize, lr, seed)');
    expect(err(decodeTrainConfig([1]))).toBe("train config: expected an object, got an array of length 1");
    expect(err(decodeTrainConfig("mlp"))).toBe('train config: expected an object, got string "mlp"');
  });
});
