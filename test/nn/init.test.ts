import { describe, expect, it } from "vitest";
import { key, split } from "../../src/random/key.js";
import * as init from "../../src/nn/init.js";

const stats = (xs: readonly number[]): { mean: number; std: number; min: number; max: number } => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { mean, std, min: xs.reduce((a, b) => Math.min(a, b), Infinity), max: xs.reduce((a, b) => Math.max(a, b), -Infinity) };
};

describe("initializers", () => {
  it("are pure: same key, same tensor; different keys, different tensors", () => {
    const [k1, k2] = split(key(0), 2) as unknown as [ReturnType<typeof key>, ReturnType<typeof key>];
    for (const f of [init.normal(0.1), init.uniform(-1, 1), init.xavierNormal(), init.xavierUniform(), init.kaimingNormal(), init.kaimingUniform()]) {
      const a = f(k1, [20, 30]);
      expect([...a.shape]).toEqual([20, 30]);
      expect(a.toFlat()).toEqual(f(k1, [20, 30]).toFlat());
      expect(a.toFlat()).not.toEqual(f(k2, [20, 30]).toFlat());
    }
  });
  it("factories are initializers with PyTorch's defaults", () => {
    const k = key(3);
    expect(init.kaimingNormal(k, [8, 4]).toFlat()).toEqual(init.kaimingNormal()(k, [8, 4]).toFlat());
    expect(init.normal(k, [5]).toFlat()).toEqual(init.normal(1, 0)(k, [5]).toFlat());
  });
  it("gains match torch.nn.init.calculate_gain", () => {
    expect(init.calculateGain("relu")).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain("tanh")).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain("leakyRelu", 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(init.calculateGain("leakyRelu")).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 12); // PyTorch's default slope 0.01
    expect(init.calculateGain("sigmoid")).toBe(1);
    expect(init.calculateGain("linear")).toBe(1);
  });
  it("fans follow the [in, out, ...receptive] layout", () => {
    expect(init.fansOf([784, 10])).toEqual({ fanIn: 784, fanOut: 10 });
    expect(init.fansOf([3, 16, 5, 5])).toEqual({ fanIn: 75, fanOut: 400 });
    expect(init.fansOf([7])).toEqual({ fanIn: 7, fanOut: 7 });
  });
  it("kaiming normal std = gain/√fanIn (and fanOut mode) within sampling tolerance", () => {
    const k = key(42);
    const a = stats(init.kaimingNormal({ nonlinearity: "relu" })(k, [400, 300]).toFlat());
    expect(a.mean).toBeCloseTo(0, 2);
    expect(Math.abs(a.std / (Math.SQRT2 / Math.sqrt(400)) - 1)).toBeLessThan(0.01);
    const b = stats(init.kaimingNormal({ mode: "fanOut", nonlinearity: "tanh" })(k, [400, 300]).toFlat());
    expect(Math.abs(b.std / (5 / 3 / Math.sqrt(300)) - 1)).toBeLessThan(0.01);
  });
  it("kaiming uniform bound = √3·gain/√fan; PyTorch's Linear default is 𝒰(±1/√fanIn)", () => {
    const k = key(7);
    const u = stats(init.kaimingUniform({ nonlinearity: "leakyRelu", a: 0.1 })(k, [500, 200]).toFlat());
    const bound = Math.sqrt(3) * Math.sqrt(2 / 1.01) / Math.sqrt(500);
    expect(u.max).toBeLessThanOrEqual(bound);
    expect(u.min).toBeGreaterThanOrEqual(-bound);
    expect(u.max).toBeGreaterThan(bound * 0.99);
    expect(Math.abs(u.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
    const t = stats(init.torchLinearDefault(k, [400, 50]).toFlat());
    expect(t.max).toBeLessThanOrEqual(1 / 20);
    expect(t.min).toBeGreaterThanOrEqual(-1 / 20);
    expect(t.max).toBeGreaterThan(0.99 / 20);
  });
  it("xavier std and bound", () => {
    const k = key(9);
    const n = stats(init.xavierNormal(2)(k, [300, 500]).toFlat());
    expect(Math.abs(n.std / (2 * Math.sqrt(2 / 800)) - 1)).toBeLessThan(0.01);
    const u = stats(init.xavierUniform()(k, [300, 500]).toFlat());
    const b = Math.sqrt(6 / 800);
    expect(u.max).toBeLessThanOrEqual(b);
    expect(u.min).toBeGreaterThanOrEqual(-b);
  });
  it("normal, uniform, zeros, ones", () => {
    const k = key(1);
    const n = stats(init.normal(0.01, 3)(k, [200, 200]).toFlat());
    expect(n.mean).toBeCloseTo(3, 3);
    expect(Math.abs(n.std / 0.01 - 1)).toBeLessThan(0.01);
    const u = stats(init.uniform(2, 5)(k, [100, 100]).toFlat());
    expect(u.min).toBeGreaterThanOrEqual(2);
    expect(u.max).toBeLessThan(5);
    expect(init.zeros(k, [2, 3]).toFlat()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(init.ones(k, [2]).toFlat()).toEqual([1, 1]);
  });
  it("bias fans can be passed explicitly", () => {
    const b = stats(init.torchBiasDefault(key(2), [1000], { fanIn: 100 }).toFlat());
    expect(b.max).toBeLessThanOrEqual(0.1);
    expect(b.max).toBeGreaterThan(0.098);
  });
});
