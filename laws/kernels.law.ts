/** Every fast kernel agrees with its reference: the GEMM backends with plain TypeScript, jit's fused loops with eager ops. */
import fc from "fast-check";
import { describe, it } from "vitest";
import { gemmF32Mode } from "../src/backend/gemm.js";
import { gemmF32Reference } from "../src/backend/reference.js";
import { defaultTuning } from "../src/backend/wasm/gemm-kernel.js";
import { withBackend } from "../src/backend/runtime.js";
import * as T from "../src/index.js";
import { arbBroadcastPair, arbTensor, assertClose, assertLaw, law, lawTitle } from "../src/testing/index.js";

const dim = fc.integer({ min: 1, max: 70 });
const problem = fc
  .record({ m: dim, k: dim, n: dim, transA: fc.boolean(), transB: fc.boolean(), bias: fc.boolean(), relu: fc.boolean(), seed: fc.integer() })
  .map((p) => {
    // Deterministic values from the seed (fast-check replays them exactly).
    let s = p.seed >>> 0;
    const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    const a = Float32Array.from({ length: p.m * p.k }, next);
    const b = Float32Array.from({ length: p.k * p.n }, next);
    const bias = p.bias ? Float32Array.from({ length: p.n }, next) : undefined;
    return { ...p, a, b, biasData: bias };
  });

describe("fast GEMM kernels agree with the reference", () => {
  // Default kernels (fused multiply-add where relaxed SIMD is available), and the plain multiply-add one.
  for (const [mode, fma] of [["wasm1", undefined], ["wasm", undefined], ["wasm1", false]] as const) {
    const name = `${mode}${fma === false ? " (no fma)" : ""}`;
    it(lawTitle(`${name}: op(A)·op(B) (+ bias, relu) on odd sizes and transposed operands`), () => {
      assertLaw(
        law(`gemm ${name} = reference`, problem, (p) => {
          const opts = { transA: p.transA, transB: p.transB, relu: p.relu, ...(p.biasData ? { bias: p.biasData } : {}) };
          const shape = { m: p.m, k: p.k, n: p.n, transA: p.transA, transB: p.transB };
          const fast = gemmF32Mode(mode, p.a, p.b, p.m, p.k, p.n, opts, fma === undefined ? undefined : defaultTuning(shape, fma));
          const ref = gemmF32Reference(p.a, p.b, p.m, p.k, p.n, opts);
          for (let i = 0; i < ref.length; i++) {
            const tol = 1e-5 * (1 + Math.sqrt(p.k));
            if (!(Math.abs(fast[i]! - ref[i]!) <= tol)) return false;
          }
          return fast.length === ref.length;
        }),
      );
    });
  }
});


describe("jit's fused elementwise loops agree with eager execution", () => {
  it(lawTitle("a broadcasting chain of add, mul, sub, maximum, where, exp, relu"), () => {
    const arb = arbBroadcastPair().chain(([sa, sb]) =>
      fc.tuple(arbTensor(sa, { min: -3, max: 3 }), arbTensor(sb, { min: -3, max: 3 })),
    );
    const f = (a: T.Tensor<any>, b: T.Tensor<any>) => {
      const s = T.add(a, b);
      const m = T.mul(s, b);
      const r = T.relu(T.sub(m, 0.5));
      return T.where(T.greater(r, 1), T.exp(T.neg(r)), T.maximum(m, a));
    };
    const fast = T.jit(f);
    assertLaw(
      law("jit(f) = f", arb, ([a, b]) => {
        const want = f(a, b);
        const got = fast(a, b);
        assertClose(got.toFlat(), want.toFlat(), { rtol: 1e-6, atol: 1e-6 });
        return got.shape.join() === want.shape.join();
      }),
    );
  });
});

const onReference = <R>(f: () => R): R => withBackend("typescript", f);

describe("SIMD elementwise kernels agree with the TypeScript loops bit for bit", () => {
  // Big enough for the SIMD path; odd row counts, rows of 4k or not, operands broadcast as rows, columns, scalars.
  const arb = fc
    .record({ r: fc.integer({ min: 16, max: 40 }), c: fc.integer({ min: 8, max: 40 }), bKind: fc.constantFrom("full", "row", "column", "scalar") })
    .chain(({ r, c, bKind }) => {
      const bShape = bKind === "full" ? `${r} ${c}` : bKind === "row" ? `${c}` : bKind === "column" ? `${r} 1` : "1";
      const vals = { min: -3, max: 3, noNaN: false } as const;
      return fc.tuple(arbTensor(`${r} ${c}`, vals), arbTensor(bShape, vals));
    });
  const f = (a: T.Tensor<any>, b: T.Tensor<any>) => {
    const s = T.relu(T.add(a, b));
    const m = T.where(T.greater(s, 1), T.mul(s, b), T.div(T.neg(a), 3));
    return [m, T.minimum(T.sub(m, T.abs(b)), T.maximum(a, T.sign(b)))] as const;
  };
  const fast = T.jit(f);
  it(lawTitle("eager ops and jit-fused chains, NaN and signed zeros included"), () => {
    assertLaw(
      law("simd = reference", arb, ([a, b]) => {
        const want = onReference(() => f(a, b));
        for (const got of [f(a, b), fast(a, b)])
          for (let k = 0; k < 2; k++) {
            const g = got[k]!.toFlat();
            const w = want[k]!.toFlat();
            if (g.length !== w.length || g.some((x, i) => !Object.is(x, w[i]))) return false;
          }
        return true;
      }),
    );
  });
});
