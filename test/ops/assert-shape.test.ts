/** assertShape: the run-time check that brings a tensor of unknown shape back into the typed world. */
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { ShapeError } from "../../src/errors.js";

describe("assertShape", () => {
  it("narrows a tensor parsed from JSON to the spec's shape", () => {
    const x = T.tensor(JSON.parse("[[1, 2, 3], [4, 5, 6]]"));
    T.assertShape(x, "B 3");
    const y = T.matmul(x, T.ones("3 2"));
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([[6, 6], [15, 15]]);
  });

  it("accepts matching sizes and consistent names", () => {
    const x = T.zeros("2 3 3");
    expect(() => T.assertShape(x, "2 N N")).not.toThrow();
    expect(() => T.assertShape(x, "B N N", { B: 2 })).not.toThrow();
    expect(() => T.assertShape(T.scalar(1), "")).not.toThrow();
  });

  it("throws a ShapeError naming the spec, the shape and the dim", () => {
    const x = T.tensor([[1, 2]]);
    const message = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ShapeError);
        return (e as Error).message;
      }
      throw new Error("did not throw");
    };
    expect(message(() => T.assertShape(x, "B 3"))).toBe("assertShape: expected 'B 3', got [1, 2]: dim 1 is 2, not 3");
    expect(message(() => T.assertShape(x, "1 2 3"))).toBe("assertShape: expected '1 2 3', got [1, 2]: rank 2, not 3");
    expect(message(() => T.assertShape(x, "B B"))).toBe("assertShape: expected 'B B', got [1, 2]: dim 1 ('B') is 2, but 'B' is 1");
    expect(message(() => T.assertShape(x, "B 2", { B: 3 }))).toBe("assertShape: expected 'B 2', got [1, 2]: dim 0 ('B') is 1, but 'B' is 3");
    expect(message(() => T.assertShape(x, "7x" as string))).toBe("assertShape: '7x' in '7x' is neither a size nor a dim name");
  });

  it("tensor(any) has a shape known only at run time, as the data says", () => {
    const parsed: unknown = JSON.parse("[[[1], [2]]]");
    const x = T.tensor(parsed as any);
    expect(x.shape).toEqual([1, 2, 1]);
    expect(x.dtype).toBe("float32");
  });
});
