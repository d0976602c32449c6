import { pipe } from "fp-ts/function";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { expectTensor } from "../helpers.js";

const a = T.tensor([[1, 5, 3], [4, 2, 6]]);

describe("reductions", () => {
  it("sum over all, one, several axes, with keepdims", () => {
    expectTensor(T.sum(a), [], [21]);
    expectTensor(T.sum(a, { axis: 0 }), [3], [5, 7, 9]);
    expectTensor(T.sum(a, { axis: 1 }), [2], [9, 12]);
    expectTensor(T.sum(a, { axis: -1, keepdims: true }), [2, 1], [9, 12]);
    expectTensor(T.sum(a, { axis: [0, 1], keepdims: true }), [1, 1], [21]);
    expectTensor(pipe(a, T.sum({ axis: 0 })), [3], [5, 7, 9]);
  });
  it("mean, max, min", () => {
    expectTensor(T.mean(a), [], [3.5]);
    expectTensor(T.mean(a, { axis: 1 }), [2], [3, 4]);
    expectTensor(T.max(a, { axis: 1 }), [2], [5, 6]);
    expectTensor(T.min(a, { axis: 0, keepdims: true }), [1, 3], [1, 2, 3]);
    expect(T.mean(T.tensor([1, 2], "int32")).dtype).toBe("float32");
  });
  it("argmax / argmin give int32 indices (first on ties)", () => {
    const r = T.argmax(a, { axis: 1 });
    expect(r.dtype).toBe("int32");
    expectTensor(r, [2], [1, 2]);
    expectTensor(T.argmin(a, { axis: 0 }), [3], [0, 1, 0]);
    expectTensor(T.argmax(T.tensor([3, 7, 7])), [], [1]);
    expectTensor(T.argmax(a, { axis: 1, keepdims: true }), [2, 1], [1, 2]);
  });
  it("logsumexp is stable for ±1e4", () => {
    expectTensor(T.logsumexp(T.tensor([1e4, 1e4])), [], [1e4 + Math.log(2)], 1e-6);
    expectTensor(T.logsumexp(T.tensor([-1e4, -1e4])), [], [-1e4 + Math.log(2)], 1e-6);
    expectTensor(T.logsumexp(T.tensor([[0, Math.log(3)]]), { axis: 1 }), [1], [Math.log(4)], 1e-6);
    expectTensor(T.logsumexp(T.tensor([-Infinity, -Infinity])), [], [-Infinity]);
  });
  it("rejects out-of-range axes", () => {
    expect(() => T.sum(a, { axis: 2 } as never)).toThrow(/sum: axis 2 is out of range for rank 2/);
  });
  it("sum of all equals sum of sums over each axis", () => {
    const x = T.arange(24);
    const r = T.reshape(x, "2 3 4");
    expect(T.sum(T.sum(T.sum(r, { axis: 2 }), { axis: 1 }), { axis: 0 }).item()).toBe(T.sum(x).item());
  });
});

/**
 * variance and std against PyTorch. References from torch 1.13 (CPU) by /usr/bin/python3, with
 *   X = [[1.0, 2.0, 0.5, -1.0], [0.1, -0.3, 2.2, 0.0], [-1.5, 0.7, 0.3, 1.1]]; x = torch.tensor(X, dtype=dt, requires_grad=True)
 * for dt in (torch.float32, torch.float64); the call for each number is in the comment beside it.
 */
describe("variance and std (PyTorch)", () => {
  const X = [[1.0, 2.0, 0.5, -1.0], [0.1, -0.3, 2.2, 0.0], [-1.5, 0.7, 0.3, 1.1]];
  const w = [1, 2, 3];
  // Values and gradients in float32 (rounded once by PyTorch, which accumulates in double) and float64.
  const ref = {
    float32: {
      all: 1.1875, // x.var()
      axis1: [1.5625, 1.3133333921432495, 1.3166667222976685], // x.var(dim=1)
      axis0Pop: [1.0688889026641846, 0.8866666555404663, 0.7266666889190674, 0.7355555891990662], // x.var(dim=0, keepdim=True, correction=0)
      bothCorr2: 1.306249976158142, // x.var(dim=(0, 1), correction=2)
      stdAll: 1.0897247791290283, // x.std()
      stdLast: [1.25, 1.1460075378417969, 1.1474609375], // x.std(dim=-1)
      stdAxis0Pop: [1.033870816230774, 0.9416298270225525, 0.8524474501609802, 0.8576453924179077], // x.std(dim=0, correction=0, keepdim=True)
      // torch.autograd.grad((x.var(dim=1) * torch.tensor([1., 2., 3.])).sum(), x)
      gradVar: [0.25, 0.9166666865348816, -0.0833333358168602, -1.0833333730697632, -0.5333333611488342, -1.0666667222976685, 2.266666889190674, -0.6666666865348816, -3.299999952316284, 1.0999999046325684, 0.30000001192092896, 1.9000000953674316],
      // torch.autograd.grad((x.std(dim=1) * torch.tensor([1., 2., 3.])).sum(), x)
      gradStd: [0.10000000894069672, 0.36666667461395264, -0.03333333507180214, -0.4333333671092987, -0.2326919138431549, -0.4653838276863098, 0.9889406561851501, -0.29086488485336304, -1.437957525253296, 0.47931912541389465, 0.13072341680526733, 0.8279149532318115],
      // torch.autograd.grad(x.std(dim=0, correction=0).sum(), x)
      gradStdPop: [0.36540135741233826, 0.4247954189777374, -0.1955154836177826, -0.4016163945198059, 0.0752296894788742, -0.3893957734107971, 0.46923717856407166, -0.012955371290445328, -0.44063106179237366, -0.03539962321519852, -0.2737216651439667, 0.4145717918872833],
    },
    float64: {
      all: 1.1875,
      axis1: [1.5625000000000002, 1.3133333333333337, 1.3166666666666667],
      axis0Pop: [1.0688888888888888, 0.8866666666666667, 0.7266666666666667, 0.7355555555555556],
      bothCorr2: 1.30625,
      stdAll: 1.0897247358851685,
      stdLast: [1.25, 1.146007562511406, 1.1474609652039003],
      stdAxis0Pop: [1.0338708279513882, 0.941629792788369, 0.8524474568362947, 0.8576453553512405],
      gradVar: [0.25, 0.9166666666666666, -0.08333333333333333, -1.0833333333333333, -0.5333333333333333, -1.0666666666666667, 2.2666666666666666, -0.6666666666666666, -3.3, 1.0999999999999999, 0.29999999999999993, 1.9000000000000001],
      gradStd: [0.1, 0.36666666666666664, -0.03333333333333333, -0.43333333333333335, -0.23269189086525996, -0.4653837817305199, 0.9889405361773549, -0.29086486358157493, -1.4379574120909635, 0.4793191373636545, 0.1307234010991785, 0.8279148736281307],
      gradStdPop: [0.36540133212419124, 0.42479539524287324, -0.19551547175144374, -0.4016164050738437, 0.07522968602556877, -0.3893957789726337, 0.469237132203465, -0.01295536790560787, -0.44063101814976, -0.03539961627023942, -0.27372166045202123, 0.4145717729794515],
    },
  };
  for (const dtype of ["float32", "float64"] as const) {
    const r = ref[dtype];
    const tol = dtype === "float32" ? 2e-7 : 1e-14;
    const x = T.tensor(X, dtype);
    const wt = T.tensor(w, dtype);
    it(`${dtype}: values over all, one and several axes, with keepdims and correction`, () => {
      expectTensor(T.variance(x), [], [r.all], tol);
      expectTensor(T.variance(x, { axis: 1 }), [3], r.axis1, tol);
      expectTensor(T.variance(x, { axis: 0, keepdims: true, correction: 0 }), [1, 4], r.axis0Pop, tol);
      expectTensor(T.variance(x, { axis: [0, 1], correction: 2 }), [], [r.bothCorr2], tol);
      expectTensor(T.std(x), [], [r.stdAll], tol);
      expectTensor(T.std(x, { axis: -1 }), [3], r.stdLast, tol);
      expectTensor(T.std(x, { axis: 0, correction: 0, keepdims: true }), [1, 4], r.stdAxis0Pop, tol);
      expect(T.variance(x).dtype).toBe(dtype);
    });
    it(`${dtype}: gradients`, () => {
      expectTensor(T.grad((z: typeof x) => T.sum(T.mul(T.variance(z, { axis: 1 }), wt)))(x), [3, 4], r.gradVar, tol);
      expectTensor(T.grad((z: typeof x) => T.sum(T.mul(T.std(z, { axis: 1 }), wt)))(x), [3, 4], r.gradStd, tol);
      expectTensor(T.grad((z: typeof x) => T.sum(T.std(z, { axis: 0, correction: 0 })))(x), [3, 4], r.gradStdPop, tol);
    });
  }
  it("curried for pipe, and as a value", () => {
    const x = T.tensor(X);
    expectTensor(pipe(x, T.variance({ axis: 1 })), [3], ref.float32.axis1, 2e-7);
    expectTensor(pipe(x, T.std({ axis: -1, keepdims: true })), [3, 1], ref.float32.stdLast, 2e-7);
    expectTensor(pipe(x, T.std), [], [ref.float32.stdAll], 2e-7);
  });
  it("std of a constant row has gradient 0 (as PyTorch), not NaN", () => {
    // c = torch.tensor([[2., 2., 2.], [1., 2., 4.]], requires_grad=True); c.std(dim=1); torch.autograd.grad(c.std(dim=1).sum(), c)
    const c = T.tensor([[2, 2, 2], [1, 2, 4]]);
    expectTensor(T.std(c, { axis: 1 }), [2], [0, 1.5275251865386963], 2e-7);
    expectTensor(T.grad((z: typeof c) => T.sum(T.std(z, { axis: 1 })))(c), [2, 3], [0, 0, 0, -0.4364357590675354, -0.10910891741514206, 0.5455447435379028], 2e-7);
    const [, t] = T.jvp((z: typeof c) => T.std(z, { axis: 1 }), [c], [T.onesLike(c)]);
    expectTensor(t, [2], [0, 0], 1e-7);
  });
  it("N − correction ≤ 0 gives NaN or ∞ like PyTorch; integers give float32", () => {
    // torch.tensor([3.]).var() → nan; torch.tensor([[1., 2.]]).var(dim=1, correction=3) → [inf]
    expectTensor(T.variance(T.tensor([3])), [], [NaN]);
    expectTensor(T.variance(T.tensor([[1, 2]]), { axis: 1, correction: 3 }), [1], [Infinity]);
    const i = T.variance(T.tensor([1, 2, 4], "int32"));
    expect(i.dtype).toBe("float32");
    expectTensor(i, [], [7 / 3], 2e-7);
    expect(() => T.variance(T.tensor([1, 2]), { correction: NaN })).toThrow(/correction must be a finite number/);
  });
  it("does not lose a small variance to a large mean (two passes, not E[x²] − E[x]²)", () => {
    // The float32 inputs are not exactly .1 apart: torch.tensor([10000.1, 10000.2, 10000.3]).double().var() →
    // 0.0100196199… (PyTorch's float32 var gives 0.010019779205322266, off by 1.6e-5 relative from its float32 mean).
    expectTensor(T.variance(T.tensor([10000.1, 10000.2, 10000.3])), [], [0.010019619949162006], 1e-9);
    // torch.tensor([1e6 + 1, 1e6 + 2, 1e6 + 4, 1e6 + 8]).var() → 9.583333015441895
    expectTensor(T.variance(T.tensor([1e6 + 1, 1e6 + 2, 1e6 + 4, 1e6 + 8])), [], [9.583333015441895], 2e-7);
  });
  it("runs staged by jit with the same numbers", () => {
    const x = T.tensor(X, "float64");
    const f = (z: typeof x) => T.sum(T.mul(T.std(z, { axis: 1 }), T.tensor(w, "float64")));
    expectTensor(T.jit(T.grad(f))(x), [3, 4], ref.float64.gradStd, 1e-14);
  });
});
