/** The training step is a fold: laws, and `fit`, `evaluate` and k-fold built on it. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { add, div, fromArray, jit, matmul, mean, mul, square, sub, tensor, valueAndGrad, type AnyTensor, type Tensor } from "../../src/index.js";
import { adam, applyUpdates, asFloat64, sgd, type GradientTransformation } from "../../src/optim/index.js";
import { initTrainState, trainStep, trainStepDonating, trainStepWithOutput, type Batch, type TrainState } from "../../src/train/step.js";
import { impl } from "../../src/tensor/tensor.js";
import { foldIterable, evaluate } from "../../src/train/fold.js";
import { fit, drain, type FitEvent } from "../../src/train/fit.js";
import { accuracyMetric, evaluateModel } from "../../src/train/metric.js";
import { accuracyMonoid as countsMonoid, type AccuracyAcc as Counts } from "../../src/nn/metrics.js";
import { kFold, kFoldSplit, kFoldValidate } from "../../src/train/kfold.js";

type X = Tensor<[number, 2]>;
type Y = Tensor<[number, 1]>;
interface Params {
  readonly w: Tensor<[2, 1]>;
  readonly b: Tensor<[1]>;
}
const model = (p: Params, x: X) => add(matmul(x, p.w), p.b) as Tensor<[number, 1]>;
const mse = (out: Tensor<[number, 1]>, y: Y) => mean(square(sub(out, y))) as Tensor<[], "float32">;
const params0: Params = { w: tensor([[0.1], [-0.2]]), b: tensor([0]) };

const finite = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });
const batchArb = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc.record({ x: fc.array(finite, { minLength: 2 * n, maxLength: 2 * n }), y: fc.array(finite, { minLength: n, maxLength: n }) }).map(
    (r): Batch<X, Y> => ({ x: fromArray(r.x, "n 2", { n }) as unknown as X, y: fromArray(r.y, "n 1", { n }) as unknown as Y }),
  ),
);

const flat = (t: unknown): unknown =>
  JSON.parse(JSON.stringify(t, (_k, v) => (v !== null && typeof v === "object" && "toFlat" in v ? (v as AnyTensor).toFlat() : typeof v === "number" && Number.isNaN(v) ? "NaN" : v)));

const fold = <S>(opt: GradientTransformation<S>) => {
  const step = trainStep(model, mse, opt);
  return (s: TrainState<Params, S>, bs: readonly Batch<X, Y>[]) => bs.reduce(step, s);
};

describe("trainStep", () => {
  it("fold law: folding xs ++ ys equals folding ys from the state after xs (exactly)", () => {
    for (const opt of [sgd(0.05, { momentum: 0.9 }), adam(0.01)] as GradientTransformation<unknown>[]) {
      const run = fold(opt);
      fc.assert(
        fc.property(fc.array(batchArb, { maxLength: 4 }), fc.array(batchArb, { maxLength: 4 }), (xs, ys) => {
          const s0 = initTrainState(params0, opt);
          expect(flat(run(s0, [...xs, ...ys]))).toEqual(flat(run(run(s0, xs), ys)));
        }),
        { numRuns: 30 },
      );
    }
  });

  it("is one valueAndGrad + optimizer update, and records the batch loss before the update", () => {
    const opt = sgd(0.1, { momentum: 0.5 });
    const b: Batch<X, Y> = { x: tensor([[1, 2], [3, -1]]) as X, y: tensor([[1], [0]]) as Y };
    const s1 = trainStep(model, mse, opt)(initTrainState(params0, opt), b);
    const [l, g] = valueAndGrad((p: Params) => mse(model(p, b.x), b.y))(params0);
    const [u] = opt.update(g, opt.init(params0), params0);
    expect(flat(s1.params)).toEqual(flat(applyUpdates(params0, u)));
    expect(s1.loss).toBe(l.item());
    expect(s1.step).toBe(1);
  });

  it("staged as one program (gradient and update) equals the eager step, for constant rates, momentum, schedules and Adam, counters included", () => {
    const bs: Batch<X, Y>[] = [0, 1, 2, 3, 4, 5].map((k) => ({
      x: fromArray([1 + k, -2, 0.5, k / 3, -1, 2 - k], "n 2", { n: 3 }) as unknown as X,
      y: fromArray([k % 2, 1, -0.5], "n 1", { n: 3 }) as unknown as Y,
    }));
    const opts = [sgd(0.1), sgd(0.05, { momentum: 0.9, nesterov: true }), sgd((t) => div(0.1, add(asFloat64(t), 1))), adam(0.02)] as GradientTransformation<unknown>[];
    for (const opt of opts) {
      const staged = trainStep(model, mse, opt);
      const eager = trainStep(model, mse, opt, { jit: false });
      let a = initTrainState(params0, opt);
      let e = initTrainState(params0, opt);
      for (const b of bs) {
        a = staged(a, b);
        e = eager(e, b);
        const fa = flat(a) as { params: unknown; optState: unknown; step: number; loss: number };
        const fe = flat(e) as typeof fa;
        expect(fa.optState).toEqual(fe.optState);
        expect(fa.step).toBe(fe.step);
        expect(Math.abs(fa.loss - fe.loss)).toBeLessThan(1e-6);
        const [pa, pe] = [JSON.stringify(fa.params), JSON.stringify(fe.params)];
        expect(JSON.parse(pa)).toEqual(JSON.parse(pe));
      }
    }
  });

  it("falls back to running eagerly when the model cannot be staged (value-dependent control flow)", () => {
    const branchy = (p: Params, x: X) => ((p.b.item() as number) > 100 ? model(p, x) : add(model(p, x), 0));
    const opt = sgd(0.1);
    const b: Batch<X, Y> = { x: tensor([[1, 2], [3, -1]]) as X, y: tensor([[1], [0]]) as Y };
    const s = trainStep(branchy, mse, opt)(trainStep(branchy, mse, opt)(initTrainState(params0, opt), b), b);
    const want = trainStep(model, mse, opt, { jit: false })(trainStep(model, mse, opt, { jit: false })(initTrainState(params0, opt), b), b);
    expect(flat(s)).toEqual(flat(want));
  });

  it("never mutates its input state", () => {
    const opt = adam(0.1);
    const s0 = initTrainState(params0, opt);
    const before = flat(s0);
    trainStep(model, mse, opt)(s0, { x: tensor([[1, 1]]) as X, y: tensor([[2]]) as Y });
    expect(flat(s0)).toEqual(before);
  });
});

describe("fit", () => {
  const data: Batch<X, Y>[] = [0, 1, 2].map((i) => ({
    x: tensor([[i, 1], [1, -i], [0.5, i]]) as X,
    y: tensor([[1], [i], [-1]]) as Y,
  }));

  it("is the fold of the step over the epochs' batches, reporting each step and epoch as values", () => {
    const opt = sgd(0.05);
    let t = 0;
    const events: FitEvent<Params, unknown>[] = [];
    const final = drain(
      fit({ model, loss: mse, optimizer: opt, params: params0, epochs: 2, train: () => data, clock: () => (t += 500) }),
      (e) => events.push(e as FitEvent<Params, unknown>),
    );
    const step = trainStep(model, mse, opt);
    const s3 = data.reduce(step, initTrainState(params0, opt));
    const s6 = data.reduce(step, s3);
    expect(flat(final)).toEqual(flat(s6));
    expect(events.map((e) => e.kind)).toEqual(["step", "step", "step", "epoch", "step", "step", "step", "epoch"]);
    const e0 = events[3]!;
    if (e0.kind !== "epoch") throw new Error("expected an epoch event");
    expect(flat(e0.state)).toEqual(flat(s3));
    expect(e0.seconds).toBe(0.5);
    expect(e0.steps).toBe(3);
    const stepLosses = events.slice(0, 3).map((e) => (e.kind === "step" ? e.loss : NaN));
    expect(e0.trainLoss).toBeCloseTo(stepLosses.reduce((a, b) => a + b) / 3, 12); // equal batch sizes
    expect(events.slice(4, 7).map((e) => (e.kind === "step" ? e.step : 0))).toEqual([4, 5, 6]);
  });

  it("hands each step's state to the next inside an epoch only: the caller's params and the states epoch events show stay intact", () => {
    // An optimizer whose state also holds a tensor it passes through unchanged (a fixed scale).
    const scaled: GradientTransformation<{ scale: Tensor<[1]>; count: number }> = {
      init: () => ({ scale: tensor([0.5]), count: 0 }),
      update: (gs, st) => {
        const g = gs as unknown as Params;
        return [{ w: mul(g.w, mul(st.scale, -0.1)), b: mul(g.b, mul(st.scale, -0.1)) } as never, { scale: st.scale, count: st.count + 1 }];
      },
    };
    for (const opt of [adam(0.05), sgd(0.1, { momentum: 0.9 }), scaled] as GradientTransformation<unknown>[]) {
      const before = flat(params0);
      const states: unknown[] = [];
      const snapshots: unknown[] = [];
      const final = drain(fit({ model, loss: mse, optimizer: opt, params: params0, epochs: 3, train: () => data }), (e) => {
        if (e.kind === "epoch") (states.push(e.state), snapshots.push(flat(e.state)));
      });
      expect(flat(params0)).toEqual(before);
      expect(states.map(flat)).toEqual(snapshots);
      const step = trainStep(model, mse, opt);
      const s3 = data.reduce(step, initTrainState(params0, opt));
      expect(snapshots[0]).toEqual(flat(s3));
      expect(flat(final)).toEqual(flat(data.reduce(step, data.reduce(step, s3))));
    }
  });

  it("never hands over buffers a step only passed through: kept parameters, a first-step copy, a captured constant", () => {
    // Optimizers whose state keeps tensors the step did not write (previous weights, an average that starts
    // as the parameters, a constant computed outside and put into the state once).
    const keepPrev: GradientTransformation<{ prev: Params }> = {
      init: (p) => ({ prev: p as Params }),
      update: (gs, _s, p) => {
        const g = gs as unknown as Params;
        return [{ w: mul(g.w, -0.1), b: mul(g.b, -0.1) } as never, { prev: p as unknown as Params }];
      },
    };
    const ema: GradientTransformation<{ ema: Params | null }> = {
      init: () => ({ ema: null }),
      update: (gs, s, p) => {
        const g = gs as unknown as Params;
        const q = p as unknown as Params;
        const next = s.ema === null ? q : { w: add(mul(s.ema.w, 0.9), mul(q.w, 0.1)), b: add(mul(s.ema.b, 0.9), mul(q.b, 0.1)) };
        return [{ w: mul(g.w, -0.1), b: mul(g.b, -0.1) } as never, { ema: next as Params }];
      },
    };
    const c = jit((a: Tensor<[1]>) => mul(a, 1))(tensor([0.5])) as Tensor<[1]>;
    const captured: GradientTransformation<{ count: number; scale: Tensor<[1]> }> = {
      init: () => ({ count: 0, scale: tensor([1]) }),
      update: (gs, s) => {
        const g = gs as unknown as Params;
        const scale = s.count === 0 ? c : (mul(s.scale, 0.99) as Tensor<[1]>);
        return [{ w: mul(g.w, mul(scale, -0.1)), b: mul(g.b, mul(scale, -0.1)) } as never, { count: s.count + 1, scale }];
      },
    };
    const pre = drain(fit({ model, loss: mse, optimizer: sgd(0.1), params: params0, epochs: 1, train: () => data }));
    for (const opt of [keepPrev, ema, captured] as GradientTransformation<unknown>[]) {
      const before = { pre: flat(pre.params), c: c.toFlat() };
      const states: unknown[] = [];
      const snapshots: unknown[] = [];
      drain(fit({ model, loss: mse, optimizer: opt, params: pre.params, epochs: 3, train: () => [...data, ...data] }), (e) => {
        if (e.kind === "epoch") (states.push(e.state), snapshots.push(flat(e.state)));
      });
      expect({ pre: flat(pre.params), c: c.toFlat() }).toEqual(before);
      expect(states.map(flat)).toEqual(snapshots);
    }
  });

  it("a donated state's buffers hold the next state (no fresh memory per step), with the same values", () => {
    const opt = sgd(0.1, { momentum: 0.9 });
    const donating = trainStepDonating(model, mse, opt);
    const plain = trainStepWithOutput(model, mse, opt);
    const s1 = donating(initTrainState(params0, opt), data[0]!, false)[0];
    const expected = flat(plain(s1, data[1]!)[0]);
    const buf = impl(s1.params.w as never).concrete().data;
    const s2 = donating(s1, data[1]!, true)[0];
    expect(flat(s2)).toEqual(expected);
    const bufs = [s2.params.w, s2.params.b].map((t) => impl(t as never).concrete().data);
    expect(bufs).toContain(buf);
  });

  it("pulls batches lazily: one batch at a time, as steps are taken", () => {
    let pulled = 0;
    function* lazy(): Generator<Batch<X, Y>> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield data[i % 3]!;
      }
    }
    const it = fit({ model, loss: mse, optimizer: sgd(0.01), params: params0, epochs: 1, train: lazy });
    for (let k = 1; k <= 5; k++) {
      const e = it.next();
      expect(e.done).toBe(false);
      expect(pulled).toBe(k);
    }
  });

  it("reports a metric on training and test batches", () => {
    // A 2-class linear classifier on separable points reaches full accuracy.
    const x = tensor([[2, 0], [1.5, 0.5], [-2, 0], [-1, -0.5]]);
    const y = tensor([0, 0, 1, 1], "int32");
    const lin = (p: { w: Tensor<[2, 2]> }, xx: Tensor<[number, 2]>) => matmul(xx, p.w) as AnyTensor;
    const ce = (logits: AnyTensor, yy: Tensor<any, "int32">) => {
      // squared error against one-hot targets keeps this test independent of src/nn
      const t = fromArray(yy.toFlat().flatMap((c) => (c === 0 ? [1, 0] : [0, 1])), "n 2", { n: yy.size });
      return mean(square(sub(logits as Tensor<[number, 2]>, t))) as Tensor<[], "float32">;
    };
    const b = { x, y } as Batch<Tensor<[number, 2]>, Tensor<any, "int32">>;
    const events = [...fit({ model: lin, loss: ce, optimizer: sgd(0.1), params: { w: tensor([[0, 0], [0, 0]]) }, epochs: 3, train: () => [b], test: () => [b], metric: accuracyMetric, stepEvents: false })];
    const last = events.at(-1)!;
    expect(last.kind).toBe("epoch");
    if (last.kind === "epoch") {
      expect(last.testMetric).toBe(1);
      expect(last.trainMetric).toBeDefined();
    }
  });
});

describe("evaluate", () => {
  it("evaluateModel stages the forward pass once per batch shape, and runs a model that cannot be staged eagerly", () => {
    const x = tensor([[2, 0], [1.5, 0.5], [-2, 0], [-1, -0.5], [0.5, -3]]);
    const y = tensor([0, 0, 1, 1, 1], "int32"); // the last point is misclassified
    const p = { w: tensor([[1, -1], [0.2, 0.1]]) };
    let calls = 0;
    const lin = (pp: typeof p, xx: AnyTensor) => (calls++, matmul(xx as Tensor<[number, 2]>, pp.w) as AnyTensor);
    const bs = [{ x, y }, { x, y }, { x, y }] as Batch<AnyTensor, Tensor<any, "int32">>[];
    const evalOn = evaluateModel(lin, accuracyMetric);
    expect(evalOn(p, bs)).toBeCloseTo(0.8, 12);
    expect(evalOn(p, bs)).toBeCloseTo(0.8, 12);
    expect(calls).toBe(1); // one trace, replayed for six batches
    const branchy = (pp: typeof p, xx: AnyTensor) => (xx.toFlat()[0]! > 0 ? (matmul(xx as Tensor<[number, 2]>, pp.w) as AnyTensor) : xx);
    expect(evaluateModel(branchy, accuracyMetric)(p, bs)).toBeCloseTo(0.8, 12);
  });
  it("is a monoidal fold: the result does not depend on how examples are batched", () => {
    const lin = (p: { w: Tensor<[2, 3]> }, xx: AnyTensor) => matmul(xx as Tensor<[number, 2]>, p.w) as AnyTensor;
    const p = { w: tensor([[1, -1, 0.5], [0.3, 0.2, -2]]) };
    const measure = (pp: typeof p, b: { x: AnyTensor; y: Tensor<any, "int32"> }): Counts => accuracyMetric.measure(lin(pp, b.x), b.y);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(finite, finite, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        (rows, size) => {
          const mk = (rs: typeof rows) => ({
            x: fromArray(rs.flatMap(([a, b]) => [a, b]), "n 2", { n: rs.length }) as AnyTensor,
            y: fromArray(rs.map(([, , c]) => c), "n", { n: rs.length }, "int32") as unknown as Tensor<any, "int32">,
          });
          const chunks = Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => mk(rows.slice(i * size, (i + 1) * size)));
          const whole = evaluate(countsMonoid, measure)(p, [mk(rows)]);
          expect(evaluate(countsMonoid, measure)(p, chunks)).toEqual(whole);
          expect(whole.total).toBe(rows.length);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("foldIterable pulls lazily and folds left", () => {
    expect(foldIterable((acc: string, s: string) => acc + s, ">")(["a", "b", "c"])).toBe(">abc");
  });
});

describe("kFold", () => {
  const n = 10;
  const data = { x: fromArray(Array.from({ length: 2 * n }, (_, i) => i), "n 2", { n }), y: fromArray(Array.from({ length: n }, (_, i) => i), "n", { n }) };

  it("has d2l's sizes: folds of ⌊n/k⌋, the remainder left out", () => {
    const splits = [...kFold(3, data)];
    expect(splits.length).toBe(3);
    for (const s of splits) {
      expect([...s.valid.x.shape]).toEqual([3, 2]);
      expect([...s.train.x.shape]).toEqual([6, 2]);
      expect([...s.train.y.shape]).toEqual([6]);
    }
    expect(kFoldSplit(3, 1, data).train.y.toFlat()).toEqual([0, 1, 2, 6, 7, 8]);
    expect(kFoldSplit(3, 1, data).valid.x.toFlat()).toEqual([6, 7, 8, 9, 10, 11]);
  });

  it("covers every kept example once as validation, and train ∪ valid is the kept data for each fold", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), (k) => {
        const size = Math.floor(n / k);
        const valid: number[] = [];
        for (const s of kFold(k, data)) {
          valid.push(...s.valid.y.toFlat());
          expect([...s.train.y.toFlat(), ...s.valid.y.toFlat()].sort((a, b) => a - b)).toEqual(Array.from({ length: k * size }, (_, i) => i));
        }
        expect(valid).toEqual(Array.from({ length: k * size }, (_, i) => i));
      }),
    );
  });

  it("kFoldValidate returns per-fold results and their mean", () => {
    const r = kFoldValidate(5, data, (train, valid, fold) => ({ fold, trainN: train.y.size, validMean: mean(valid.y).item() as number }));
    expect(r.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3, 4]);
    expect(r.mean).toEqual({ fold: 2, trainN: 8, validMean: 4.5 });
  });

  it("rejects bad k", () => {
    expect(() => kFoldSplit(1, 0, data)).toThrow(/k must be/);
    expect(() => kFoldSplit(11, 0, data)).toThrow(/non-empty folds/);
  });
});
