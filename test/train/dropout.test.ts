import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { initTrainState, trainStep, type TrainState } from "../../src/train/step.js";
import { compileCount } from "../../src/transforms/runner.js";

// An MLP with dropout after its hidden layer, trained by the staged step with a model key in the state.
const net = T.nn.sequential(T.nn.linear(4, 16), T.nn.relu, T.nn.dropout(0.5), T.nn.linear(16, 3));
const params = net.init(T.random.key(0));
const x = T.random.normal(T.random.key(1), "8 4");
const y = T.tensor([0, 1, 2, 0, 1, 2, 0, 1], "int32");
const batch = { x, y };
const loss = (out: T.Tensor<[8, 3]>, t: typeof y) => T.nn.crossEntropy(out, t);
const flat = (s: { params: unknown }) => T.leavesOf(s.params).map((l) => (l as T.AnyTensor).toFlat());

describe("a model with dropout trains staged", () => {
  it("one compilation for many steps; each step draws new masks from the state's key; equal to the eager step bit for bit", () => {
    const opt = T.optim.sgd(0.1, { momentum: 0.9 });
    const staged = trainStep(net.apply as never, loss as never, opt) as (s: TrainState<unknown, unknown>, b: typeof batch) => TrainState<unknown, unknown>;
    const eager = trainStep(net.apply as never, loss as never, opt, { jit: false }) as typeof staged;
    let s: TrainState<unknown, unknown> = { ...initTrainState(params, opt), key: T.random.key(42) };
    let e = s;
    staged(s, batch);
    const before = compileCount();
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      s = staged(s, batch);
      e = eager(e, batch);
      losses.push(s.loss);
      expect(flat(s)).toEqual(flat(e));
      expect(s.loss).toBe(e.loss);
      expect(T.random.keyData(s.key!)).toEqual(T.random.keyData(e.key!));
    }
    expect(compileCount()).toBe(before);
    // Different masks at every step: the same batch gives different losses.
    expect(new Set(losses).size).toBe(losses.length);
    // Without a key the model runs deterministically (dropout is the identity in evaluation).
    const plain = trainStep(net.apply as never, loss as never, opt);
    const p0 = initTrainState(params, opt);
    expect(plain(p0, batch).loss).toBe(plain(p0, batch).loss);
  });
  it("the staged forward pass holds the random bits as an equation, not as constants", () => {
    const p = T.makeProgram((ps: typeof params, k: T.random.Key) => net.apply(ps, x, { key: k, training: true }))(params, T.random.key(3));
    expect(p.primitives()).toContain("random");
  });
});
