/**
 * Huge tensors are refused before any storage is allocated, with a typed error naming the operation, the
 * dtype, the shape (where the operation knows it), the element count and the bytes (issue 16, item 10).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { checkAllocation, freshStorage, MAX_TENSOR_BYTES } from "../../src/tensor/dtype.js";

/** Runs `f`, expecting an AllocationError; checks that no large buffer was made on the way. */
function refused(f: () => unknown): T.AllocationError {
  const before = process.memoryUsage().arrayBuffers;
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(T.AllocationError);
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  return caught as T.AllocationError;
}

describe("allocation limit", () => {
  it("is 4 GiB per tensor, inclusive", () => {
    expect(MAX_TENSOR_BYTES).toBe(2 ** 32);
    expect(() => checkAllocation("x", [2 ** 30], "float32")).not.toThrow();
    expect(() => checkAllocation("x", [2 ** 16, 2 ** 16], "bool")).not.toThrow();
    expect(() => checkAllocation("x", [2 ** 30 + 1], "float32")).toThrow(T.AllocationError);
    expect(() => checkAllocation("x", [2 ** 29 + 1], "float64")).toThrow(T.AllocationError);
    expect(() => checkAllocation("x", [0, 1e300], "float64")).not.toThrow();
  });

  it("zeros of [100000, 100000] names the op, the shape and the size", () => {
    const e = refused(() => T.zeros("100000 100000"));
    expect(e.op).toBe("zeros");
    expect(e.shape).toEqual([100000, 100000]);
    expect(e.dtype).toBe("float32");
    expect(e.elements).toBe(1e10);
    expect(e.bytes).toBe(4e10);
    expect(e.message).toBe(
      "zeros: a float32 tensor of shape [100000, 100000] would need 40 GB (40000000000 bytes), more than the 4 GiB one tensor may take",
    );
  });

  it("refuses just above the limit, which the engine itself would allocate", () => {
    // 2³⁰ + 1 float32 elements: a typed array of that length is legal (and lazily zeroed) in V8.
    expect(refused(() => T.zeros("N", { N: 2 ** 30 + 1 })).bytes).toBe(2 ** 32 + 4);
    expect(refused(() => T.ones("N 2", { N: 2 ** 28 + 1 }, "float64")).op).toBe("ones");
  });

  it("every constructor checks before allocating, naming itself", () => {
    expect(refused(() => T.full("70000 70000", 1)).op).toBe("full");
    expect(refused(() => T.fromArray([1], "70000 70000")).op).toBe("fromArray");
    expect(refused(() => T.arange(0, 2e9)).op).toBe("arange");
    expect(refused(() => T.linspace(0, 1, 2e9)).op).toBe("linspace");
    const eye = refused(() => T.eye(40000, "float64"));
    expect([eye.op, eye.shape, eye.bytes]).toEqual(["eye", [40000, 40000], 1.28e10]);
  });

  it("a shape whose element count is not a safe integer is refused, not wrapped or rounded", () => {
    const e = refused(() => T.zeros("100000 100000 100000 100000"));
    expect(e.elements).toBe(1e20);
    expect(() => freshStorage("float32", NaN)).toThrow(T.AllocationError);
    expect(() => freshStorage("float32", -1)).toThrow(T.AllocationError);
    expect(() => freshStorage("float32", 1.5)).toThrow(T.AllocationError);
  });

  it("results of ops are checked where their storage is allocated: matmul of [60000, 1] by [1, 40000] (9.6 GB)", () => {
    const a = T.zeros("60000 1");
    const b = T.zeros("1 40000");
    for (const [op, e] of [
      ["matmul", refused(() => T.matmul(a, b))],
      ["matmul", refused(() => T.matmul(T.cast(a, "float64"), T.cast(b, "float64")))],
      ["matmul", refused(() => T.matmul(T.zeros("60000 0"), T.zeros("0 40000")))],
      ["add", refused(() => T.add(a, b))],
      ["add", refused(() => T.jit((x: typeof a, y: typeof b) => T.add(x, y))(a, b))],
      ["add", refused(() => T.grad((x: typeof a) => T.sum(T.add(x, b)))(a))],
      ["broadcastTo", refused(() => T.broadcastTo(T.scalar(1), "60000 40000"))],
    ] as const) {
      // Refused by the op's shape rule, before anything is allocated: the op and the shape are named.
      expect(e.op).toBe(op);
      expect(e.shape).toEqual([60000, 40000]);
      expect(e.elements).toBe(2.4e9);
      expect(e.message).toContain(`${op}: a `);
      expect(e.message).toContain("[60000, 40000]");
      expect(e.message).toContain("GB");
    }
  });

  it("any dtype and shape: refused exactly when the bytes exceed the limit", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 20 }), { minLength: 0, maxLength: 4 }),
        fc.constantFrom<T.DType>("float32", "float64", "int32", "bool"),
        (shape, dtype) => {
          const n = shape.reduce((p, d) => p * d, 1);
          const bytes = n * { float32: 4, float64: 8, int32: 4, bool: 1 }[dtype];
          let threw = false;
          try {
            checkAllocation("op", shape, dtype);
          } catch (e) {
            threw = true;
            expect(e).toBeInstanceOf(T.AllocationError);
            expect((e as T.AllocationError).message).toContain(`[${shape.join(", ")}]`);
          }
          expect(threw).toBe(bytes > 2 ** 32);
        },
      ),
    );
  });
});
