/** Shared assertions for unit tests. */
import { expect } from "vitest";
import type { Tensor } from "../src/index.js";

/** Asserts a tensor's shape and values (within `tol`). */
export function expectTensor(t: Tensor<any, any>, shape: readonly number[], values: readonly (number | boolean)[], tol = 1e-6): void {
  expect([...t.shape]).toEqual([...shape]);
  const flat = t.toFlat();
  expect(flat.length).toBe(values.length);
  values.forEach((v, i) => {
    const got = flat[i]!;
    const want = typeof v === "boolean" ? (v ? 1 : 0) : v;
    if (Number.isNaN(want)) expect(got).toBeNaN();
    else if (!Number.isFinite(want)) expect(got).toBe(want);
    else expect(Math.abs(got - want)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
  });
}
