import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomBits32, randomBits32Partitionable, uniformF32, uniformUnitInto } from "../../src/primitives/threefry.js";
import { withBackend } from "../../src/backend/runtime.js";
import { threefryModuleBytes } from "../../src/backend/wasm/threefry-kernel.js";
import { wasmApi } from "../../src/backend/wasm/api.js";

describe("threefry2x32 on SIMD", () => {
  it("emits a valid module", () => {
    expect(wasmApi!.validate(threefryModuleBytes(false, 16384))).toBe(true);
  });
  it("gives the scalar cipher's words for every key and length (SIMD blocks, the scalar remainder, odd counts)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 5000 }), (hi, lo, n) => {
        const simd = randomBits32([hi, lo], n);
        const scalar = withBackend("typescript", () => randomBits32([hi, lo], n));
        expect(Array.from(simd)).toEqual(Array.from(scalar));
      }),
      { numRuns: 60, seed: 11 },
    );
    // The layout JAX's partitionable keys use goes the scalar way: unchanged.
    expect(Array.from(randomBits32Partitionable([0, 42], 1030))).toEqual(Array.from(withBackend("typescript", () => randomBits32Partitionable([0, 42], 1030))));
  });
  it("writes the unit uniforms of the scalar recipe in place (SIMD blocks, the scalar remainder, an offset)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 7 }), (hi, lo, n, at) => {
        const want = withBackend("typescript", () => uniformF32([hi, lo], n));
        const got = new Float32Array(n + at + 2).fill(-1);
        uniformUnitInto([hi, lo], n, got, at);
        expect(Array.from(got.subarray(at, at + n))).toEqual(Array.from(want));
        expect([...got.subarray(0, at), ...got.subarray(at + n)].every((v) => v === -1)).toBe(true);
      }),
      { numRuns: 60, seed: 12 },
    );
  });
});
