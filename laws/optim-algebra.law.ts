/** Laws and unit behaviour of the gradient transformations: identities, composition, clipping, purity. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { lawParams, lawTitle } from "../src/testing/index.js";
import { fromArray, tensor, type AnyTensor, type Tensor } from "../src/index.js";
import {
  adam, adamw, applyUpdates, chain, clipByGlobalNorm, globalNorm, identity, rmsprop, scale, scaleByAdam, scaleByLearningRate,
  sgd, trace, type GradientTransformation,
} from "../src/optim/index.js";

interface P {
  readonly w: Tensor<any, "float32">;
  readonly layers: readonly { readonly b: Tensor<any, "float32"> }[];
  readonly s: number;
}

const finite = fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true });
const vec = (n: number) => fc.array(finite, { minLength: n, maxLength: n });

/** A random tree with a matrix, a list of vectors and a number leaf, plus a gradient of the same structure. */
const treeArb = fc
  .record({ r: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 0, max: 2 }) })
  .chain(({ r, c, k }) => {
    const one = fc.record({
      w: vec(r * c).map((v) => fromArray(v, "r c", { r, c }) as unknown as Tensor<any, "float32">),
      layers: fc.array(vec(c).map((v) => ({ b: fromArray(v, "c", { c }) as unknown as Tensor<any, "float32"> })), { minLength: k, maxLength: k }),
      s: finite,
    }).map((o): P => ({ ...o })); // fc.record builds null-prototype objects, which pytrees treat as static data
    return fc.tuple(one, fc.array(one, { minLength: 1, maxLength: 4 }));
  });

const flat = (t: unknown): number[] =>
  JSON.parse(JSON.stringify(t, (_k, v) => (v !== null && typeof v === "object" && "toFlat" in v ? (v as AnyTensor).toFlat() : v))) as number[];

function steps<S>(opt: GradientTransformation<S>, p0: P, grads: readonly P[]): P {
  let p = p0;
  let s = opt.init(p);
  for (const g of grads) {
    const [u, s2] = opt.update(g, s, p);
    p = applyUpdates(p, u);
    s = s2;
  }
  return p;
}

describe("laws", () => {
  it(lawTitle("sgd with lr 0 is the identity (any momentum, Nesterov, dampening, weight decay)"), () => {
    fc.assert(
      fc.property(treeArb, fc.double({ min: 0, max: 0.99, noNaN: true }), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), ([p, gs], m, nest, wd) => {
        const opt = sgd(0, { momentum: m > 0 ? m : 0, nesterov: nest && m > 0, weightDecay: wd });
        expect(flat(steps(opt, p, gs))).toEqual(flat(p));
      }),
      lawParams(),
    );
  });

  it(lawTitle("every optimizer with lr 0 is the identity"), () => {
    fc.assert(
      fc.property(treeArb, ([p, gs]) => {
        for (const opt of [adam(0), adamw(0), rmsprop(0, { momentum: 0.9, centered: true })] as GradientTransformation<unknown>[])
          expect(flat(steps(opt, p, gs))).toEqual(flat(p));
      }),
      lawParams(),
    );
  });

  it(lawTitle("chain is associative and identity is its unit (on updates)"), () => {
    fc.assert(
      fc.property(treeArb, ([p, gs]) => {
        const a = () => clipByGlobalNorm(1.5);
        const b = () => trace({ decay: 0.9 });
        const c = () => scaleByLearningRate(0.1);
        const left = chain(chain(a(), b()), c()) as GradientTransformation<unknown>;
        const right = chain(a(), chain(b(), c())) as GradientTransformation<unknown>;
        const flatChain = chain(a(), b(), c()) as GradientTransformation<unknown>;
        const withUnit = chain(identity(), a(), b(), identity(), c()) as GradientTransformation<unknown>;
        const want = flat(steps(flatChain, p, gs));
        expect(flat(steps(left, p, gs))).toEqual(want);
        expect(flat(steps(right, p, gs))).toEqual(want);
        expect(flat(steps(withUnit, p, gs))).toEqual(want);
      }),
      lawParams(),
    );
  });

  it(lawTitle("chain feeds each transformation the previous one's output"), () => {
    const g = { w: tensor([1, -2]) };
    const t = chain(scale(3), scaleByLearningRate(0.5));
    const [u, s] = t.update(g, t.init(g));
    expect(u.w.toFlat()).toEqual([-1.5, 3]);
    expect(s[0]).toEqual({});
    expect([s[1].count.shape, s[1].count.dtype, s[1].count.item()]).toEqual([[], "int32", 1]);
  });

  it(lawTitle("plain sgd is p − lr·g, leaf by leaf, numbers included"), () => {
    const p = { w: tensor([1, 2], "float64"), s: 3 };
    const g = { w: tensor([0.5, -1], "float64"), s: 2 };
    const opt = sgd(0.1);
    const [u] = opt.update(g, opt.init(p), p);
    const next = applyUpdates(p, u);
    expect(next.w.toFlat()).toEqual([1 - 0.05, 2 + 0.1]);
    expect(next.s).toBeCloseTo(2.8, 15);
  });

  it(lawTitle("update is pure: the same state gives the same result twice and is not changed"), () => {
    const p = { w: tensor([1, 2, 3]) };
    const g = { w: tensor([0.1, -0.2, 0.3]) };
    const opt = adam(0.1);
    const s0 = opt.init(p);
    const [, s1] = opt.update(g, s0, p);
    const snapshot = flat(s0);
    const [u2a, s2a] = opt.update(g, s1, p);
    const [u2b, s2b] = opt.update(g, s1, p);
    expect(flat(u2a)).toEqual(flat(u2b));
    expect(flat(s2a)).toEqual(flat(s2b));
    expect(flat(s0)).toEqual(snapshot);
    expect(s2a[1].count.item()).toBe(2);
    expect(s0[1].count.item()).toBe(0);
  });

  it(lawTitle("weight decay needs the params"), () => {
    const opt = sgd(0.1, { weightDecay: 0.1 });
    const g = { w: tensor([1]) };
    expect(() => opt.update(g, opt.init(g))).toThrow(/needs the params/);
  });

  it(lawTitle("rejects Nesterov without momentum, like torch"), () => {
    expect(() => sgd(0.1, { nesterov: true })).toThrow(RangeError);
    expect(() => sgd(0.1, { momentum: 0.9, nesterov: true, dampening: 0.1 })).toThrow(RangeError);
  });

  it(lawTitle("scaleByAdam's first step is sign(g) scaled by |g|/(|g|+ε)"), () => {
    const t = scaleByAdam();
    const g = { w: tensor([2, -0.5, 0], "float64") };
    const [u] = t.update(g, t.init(g));
    const v = u.w.toFlat();
    expect(v[0]).toBeCloseTo(1, 7);
    expect(v[1]).toBeCloseTo(-1, 7);
    expect(v[2]).toBe(0);
  });
});

describe("clipByGlobalNorm", () => {
  it(lawTitle("matches torch.nn.utils.clip_grad_norm_"), () => {
    // ps = [torch.zeros(1, 2), torch.zeros(1)]; grads [[3, 4]] and [12]; clip_grad_norm_(ps, 6.5)
    // → returns 13.0; grads [[1.4999998807907104, 1.9999998807907104]] and [5.999999523162842]
    const g = { a: tensor([[3, 4]]), b: tensor([12]) };
    expect((globalNorm(g) as AnyTensor).item()).toBe(13);
    const c = clipByGlobalNorm(6.5);
    const [u] = c.update(g, c.init(g));
    expect(u.a.toFlat()).toEqual([1.4999998807907104, 1.9999998807907104]);
    expect(u.b.toFlat()).toEqual([5.999999523162842]);
    expect(u.a.dtype).toBe("float32");
  });

  it(lawTitle("leaves small gradients exactly unchanged and caps large ones at maxNorm"), () => {
    fc.assert(
      fc.property(treeArb, fc.double({ min: 0.1, max: 50, noNaN: true }), ([, gs], maxNorm) => {
        const g = gs[0]!;
        const c = clipByGlobalNorm(maxNorm);
        const [u] = c.update(g, c.init(g));
        const n = Number((globalNorm(g) as AnyTensor).item());
        const nu = Number((globalNorm(u) as AnyTensor).item());
        if (n + 1e-6 <= maxNorm) expect(flat(u)).toEqual(flat(g));
        else expect(nu).toBeLessThanOrEqual(maxNorm * (1 + 1e-5));
      }),
      lawParams(),
    );
  });

  it(lawTitle("keeps each leaf's dtype"), () => {
    const g = { a: tensor([30, 40], "float64"), b: tensor([0.5]) };
    const c = clipByGlobalNorm(1);
    const [u] = c.update(g, c.init(g));
    expect(u.a.dtype).toBe("float64");
    expect(u.b.dtype).toBe("float32");
    expect(u.a.toFlat()[0]).toBeCloseTo(30 / Math.sqrt(1600 + 900 + 0.25), 6);
  });
});
