/**
 * Constructors given something other than a dtype where a dtype belongs (an options object from another
 * library's habits, a typo) throw a DTypeError naming the constructor and the value (issue 16, item 11).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";

const any = (f: unknown) => f as (...args: unknown[]) => unknown;

describe("dtype arguments", () => {
  it("tensor() with an options object says what it got and what to pass", () => {
    expect(() => any(T.tensor)([1, 2], { dtype: "float32" })).toThrow(
      new T.DTypeError("tensor", `expected a dtype ("float32", "float64", "int32", "bool"), got an object {"dtype":"float32"}; pass the dtype itself, as in tensor(…, "float32")`),
    );
    expect(() => any(T.tensor)([[1, 2]], "float16")).toThrow(/tensor: expected a dtype .* got 'float16'/);
    expect(() => any(T.tensor)([1], null)).toThrow(T.DTypeError);
  });

  it("every constructor checks its dtype", () => {
    const cases: [string, () => unknown][] = [
      ["scalar", () => any(T.scalar)(1, { dtype: "int32" })],
      ["arange", () => any(T.arange)(4, { dtype: "int32" })],
      ["arange", () => any(T.arange)(0, 4, 1, "f32")],
      ["arange", () => any(T.arange)(0, 4, "f32")],
      ["linspace", () => any(T.linspace)(0, 1, 5, { dtype: "float64" })],
      ["eye", () => any(T.eye)(3, 7)],
      ["zeros", () => any(T.zeros)("2 3", { dtype: "int32" })],
      ["ones", () => any(T.ones)("2 3", "int64")],
      ["full", () => any(T.full)("2", 1, 5)],
    ];
    for (const [op, f] of cases) {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(caught, op).toBeInstanceOf(T.DTypeError);
      expect((caught as T.DTypeError).op).toBe(op);
    }
  });

  it("named sizes must be numbers", () => {
    expect(() => any(T.zeros)("B 3", { B: "32" })).toThrow(new T.ShapeError("zeros", "the size of named dim 'B' must be a number, got '32'"));
  });

  it("valid dtypes still work, including undefined for the default", () => {
    expect(T.tensor([1, 2], "int32").dtype).toBe("int32");
    expect(any(T.tensor)([1, 2], undefined)).toHaveProperty("dtype", "float32");
    expect(T.zeros("B 2", { B: 3 }, "float64").shape).toEqual([3, 2]);
    expect(T.arange(0, 3, 1, "int32").dtype).toBe("int32");
  });

  it("anything that is not a dtype name gives a DTypeError, never another error or a tensor", () => {
    const dtypes = new Set<unknown>(["float32", "float64", "int32", "bool", undefined]);
    fc.assert(
      fc.property(fc.anything().filter((v) => !dtypes.has(v)), (v) => {
        for (const f of [() => any(T.tensor)([1, 2], v), () => any(T.scalar)(1, v), () => any(T.eye)(2, v), () => any(T.linspace)(0, 1, 3, v)]) {
          expect(f).toThrow(T.DTypeError);
        }
      }),
    );
  });
});
