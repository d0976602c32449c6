/**
 * `fit` beyond the fold: resuming from a state's position (mid-epoch included) gives the uninterrupted
 * run bit for bit, a diverging run stops with a typed error (or an event) naming where, and empty data is
 * an error, not NaN figures.
 */
import { describe, expect, it } from "vitest";
import { isRight } from "fp-ts/lib/Either.js";
import { fromArray, tensor, type AnyTensor, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { adam, cosineDecay, sgd, type GradientTransformation } from "../../src/optim/index.js";
import { key, foldIn, type Key } from "../../src/random/key.js";
import { batches } from "../../src/train/batches.js";
import { DivergenceError, describeNonFinite, drain, fit, type FitEvent, type FitOptions } from "../../src/train/fit.js";
import { evaluateModel } from "../../src/train/metric.js";
import { deserializeTrainState, serializeTrainState } from "../../src/train/checkpoint.js";
import { initTrainState, type TrainState } from "../../src/train/step.js";
import { InputError } from "../../src/errors.js";

type X = Tensor<[number, 2]>;
type Y = Tensor<[number, 1]>;
// Linear regression with nn's layer and loss.
const layer = nn.linear(2, 1);
type Params = ReturnType<typeof layer.init>;
const model = (p: Params, x: X) => layer.apply(p, x) as Y;
const mse = (out: Y, y: Y) => nn.mse(out, y) as Tensor<[], "float32">;
const params0: Params = layer.init(key(1));
const n = 10;
const data = {
  x: fromArray(Array.from({ length: 2 * n }, (_, i) => ((i * 7) % 11) / 5 - 1), "n 2", { n }) as unknown as X,
  y: fromArray(Array.from({ length: n }, (_, i) => ((i * 3) % 5) / 2), "n 1", { n }) as unknown as Y,
};
// 10 examples in batches of 3: 4 batches an epoch, the last of one example.
const train = (e: number, k: Key | null) => batches(k === null ? null : foldIn(k, e), data, 3);

const bits = (t: unknown): number[] =>
  Object.values(t as Record<string, AnyTensor>).flatMap((x) => Array.from(new Uint32Array(Float32Array.from(x.toFlat()).buffer)));

const optimizers: [string, GradientTransformation<unknown>][] = [
  ["SGD with momentum", sgd(0.05, { momentum: 0.9 }) as GradientTransformation<unknown>],
  ["Adam", adam(0.05) as GradientTransformation<unknown>],
  ["SGD with a cosine schedule and Nesterov momentum", sgd(cosineDecay(0.1, 12, 0.1), { momentum: 0.8, nesterov: true }) as GradientTransformation<unknown>],
];

const base = (optimizer: GradientTransformation<unknown>): FitOptions<Params, X, Y, Tensor<[number, 1]>, unknown, never> => ({
  model, loss: mse, optimizer, params: params0, epochs: 3, key: key(5), train, stepEvents: false,
});

describe("fit: resuming", () => {
  it.each(optimizers)("%s: k steps, a checkpoint round trip, then the rest — the parameters of the uninterrupted run, bit for bit, for every k", (_name, optimizer) => {
    const whole = drain(fit(base(optimizer)));
    expect(whole.step).toBe(12);
    expect(whole.position).toEqual({ epoch: 3, batch: 0, dataKey: key(5) });
    for (let k = 0; k <= 12; k++) {
      const first = drain(fit({ ...base(optimizer), maxSteps: k }));
      expect(first.step).toBe(k);
      // After a whole epoch the position is the next epoch's start, not the end of the last.
      expect(first.position).toMatchObject({ epoch: Math.floor(k / 4), batch: k % 4 });
      const like = initTrainState(params0, optimizer, key(5));
      const loaded = deserializeTrainState(serializeTrainState(first), like);
      if (!isRight(loaded)) throw new Error(loaded.left);
      const epochs: number[] = [];
      const rest = drain(fit({ ...base(optimizer), state: loaded.right.state }), (e) => e.kind === "epoch" && epochs.push(e.epoch));
      expect(bits(rest.params)).toEqual(bits(whole.params));
      expect(rest.step).toBe(12);
      expect(rest.loss).toBe(whole.loss);
      expect(epochs).toEqual([0, 1, 2].filter((e) => e >= Math.floor(k / 4) && !(k % 4 === 0 && e < k / 4)));
    }
  });

  it("a resumed epoch reports its remaining steps, and the epoch events of a 2 + 2 run are those of a 4-epoch run", () => {
    const opt = sgd(0.05, { momentum: 0.9 }) as GradientTransformation<unknown>;
    const all: FitEvent<Params, unknown>[] = [];
    drain(fit({ ...base(opt), epochs: 4 }), (e) => all.push(e));
    const half = drain(fit({ ...base(opt), epochs: 2 }));
    const more: FitEvent<Params, unknown>[] = [];
    drain(fit({ ...base(opt), epochs: 4, state: half }), (e) => more.push(e));
    const losses = (es: FitEvent<Params, unknown>[]) => es.flatMap((e) => (e.kind === "epoch" ? [[e.epoch, e.steps, e.trainLoss]] : []));
    expect(losses(more)).toEqual(losses(all).slice(2));
    const mid = drain(fit({ ...base(opt), maxSteps: 6 }));
    const rest: FitEvent<Params, unknown>[] = [];
    drain(fit({ ...base(opt), state: mid }), (e) => rest.push(e));
    expect(rest[0]).toMatchObject({ kind: "epoch", epoch: 1, steps: 2 });
  });

  it("nothing to do for a state at or past the last epoch or at maxSteps", () => {
    const opt = sgd(0.1) as GradientTransformation<unknown>;
    const done = drain(fit(base(opt)));
    expect([...fit({ ...base(opt), state: done })]).toEqual([]);
    expect([...fit({ ...base(opt), epochs: 1, state: done })]).toEqual([]);
    expect(drain(fit({ ...base(opt), state: done, maxSteps: 3 }))).toBe(done);
  });

  it("refuses a state whose data key is not the run's, or whose position lies beyond the epoch's batches", () => {
    const opt = sgd(0.1) as GradientTransformation<unknown>;
    const mid = drain(fit({ ...base(opt), maxSteps: 2 }));
    expect(() => drain(fit({ ...base(opt), state: mid, key: key(6) }))).toThrow(/fit: the state's data key \[0, 5\] is not opts\.key \[0, 6\]/);
    // Without key the state's own key orders the data.
    expect(bits(drain(fit({ ...base(opt), state: mid, key: undefined } as never)).params)).toEqual(bits(drain(fit(base(opt))).params));
    const far: TrainState<Params, unknown> = { ...mid, position: { epoch: 0, batch: 9, dataKey: key(5) } };
    expect(() => drain(fit({ ...base(opt), state: far }))).toThrow(/fit: the state is at batch 9 of epoch 0, but that epoch has only 4 batches/);
    const atEnd: TrainState<Params, unknown> = { ...mid, position: { epoch: 0, batch: 4, dataKey: key(5) } };
    expect(() => drain(fit({ ...base(opt), state: atEnd }))).toThrow(/the end of its 4 batches/);
    const bad: TrainState<Params, unknown> = { ...mid, position: { epoch: -1, batch: 0, dataKey: key(5) } };
    expect(() => drain(fit({ ...base(opt), state: bad }))).toThrow(/position\.epoch must be a non-negative integer, got -1/);
    expect(() => drain(fit({ ...base(opt), epochs: 1.5 }))).toThrow(InputError);
    expect(() => drain(fit({ ...base(opt), maxSteps: -1 }))).toThrow(/maxSteps must be a non-negative integer/);
  });
});

describe("fit: divergence", () => {
  it("a learning rate far too large: a DivergenceError naming the epoch, batch and step", () => {
    const run = () => drain(fit({ ...base(sgd(1e30) as GradientTransformation<unknown>), key: undefined } as never));
    const err = (() => {
      try {
        return run();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DivergenceError);
    const d = err as DivergenceError;
    expect(d.what).toBe("loss");
    expect(Number.isFinite(d.loss)).toBe(false);
    expect(d.step).toBe(d.batch + 1 + 4 * d.epoch);
    expect(d.step).toBeGreaterThan(1); // the first loss, at the initial parameters, is finite
    expect(d.message).toBe(`fit: training diverged: the loss is ${d.loss} at step ${d.step} (epoch ${d.epoch}, batch ${d.batch})`);
  });

  it("checkFinite: \"params\" catches an update that overflows while its loss was finite, naming the parameter", () => {
    // x = 1e18 makes the first gradients ~1e17 and more; times lr 1e25 they overflow float32 at step 1 (b
    // comes first in the tree's order).
    const big = { x: tensor([[1e18, 0]]) as unknown as X, y: tensor([[1]]) as unknown as Y };
    const opts = { model, loss: mse, optimizer: sgd(1e25) as GradientTransformation<unknown>, params: params0, epochs: 2, train: () => [big] };
    expect(() => drain(fit({ ...opts, checkFinite: "params" }))).toThrow(/fit: training diverged: parameter "b" holds -?Infinity at step 1 \(epoch 0, batch 0\)/);
    // Checking the loss only, the next step's loss shows it.
    expect(() => drain(fit(opts))).toThrow(/the loss is (Infinity|NaN) at step 2 \(epoch 1, batch 0\)/);
    expect(drain(fit({ ...opts, checkFinite: "off" })).step).toBe(2);
  });

  it("onNonFinite: \"event\" reports a diverged event with the state and ends the run", () => {
    const events: FitEvent<Params, unknown>[] = [];
    const final = drain(fit({ ...base(sgd(1e30) as GradientTransformation<unknown>), onNonFinite: "event", stepEvents: true }), (e) => events.push(e));
    const last = events.at(-1)!;
    if (last.kind !== "diverged") throw new Error(`expected a diverged event, got ${last.kind}`);
    expect(final).toBe(last.state);
    expect(final.position).toMatchObject({ epoch: last.epoch, batch: last.batch + 1 });
    expect(events.filter((e) => e.kind === "step")).toHaveLength(last.step - 1);
    expect(describeNonFinite(last)).toMatch(/^the loss is (NaN|-?Infinity) at step \d+ \(epoch \d+, batch \d+\)$/);
  });
});

describe("fit: empty data", () => {
  it("an epoch without training batches is an InputError, not a NaN loss", () => {
    const empty = { x: fromArray([], "n 2", { n: 0 }) as unknown as X, y: fromArray([], "n 1", { n: 0 }) as unknown as Y };
    expect(() => drain(fit({ ...base(sgd(0.1) as GradientTransformation<unknown>), train: () => batches(null, empty, 3) }))).toThrow(
      /^fit: epoch 0 has no training batches \(an empty training set\?\)$/,
    );
  });

  it("evaluating on no batches is an InputError, not a NaN metric", () => {
    const metric = { monoid: { concat: (a: number, b: number) => a + b, empty: 0 }, measure: () => 1, value: (m: number) => m };
    expect(() => evaluateModel(model, metric)(params0, [])).toThrow(/^evaluateModel: no batches to evaluate/);
    expect(evaluateModel(model, metric)(params0, batches(null, data, 4))).toBe(3);
    expect(() => drain(fit({ ...base(sgd(0.1) as GradientTransformation<unknown>), test: () => [], metric }))).toThrow(/no batches to evaluate/);
  });
});
