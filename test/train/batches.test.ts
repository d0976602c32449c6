/** Lazy, key-shuffled minibatches. */
import { describe, expect, it } from "vitest";
import { fromArray, zeros } from "../../src/index.js";
import { key, foldIn } from "../../src/random/key.js";
import { batches, numBatches } from "../../src/train/batches.js";
import * as T from "../../src/index.js";
import { train } from "../../src/index.js";

const n = 10;
const data = {
  x: fromArray(Array.from({ length: 2 * n }, (_, i) => i), "n 2", { n }),
  y: fromArray(Array.from({ length: n }, (_, i) => i), "n", { n }, "int32"),
};

describe("batches", () => {
  it("without a key: in order, last batch smaller unless dropLast", () => {
    const bs = [...batches(null, data, 4)];
    expect(bs.map((b) => b.y.toFlat())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(bs[2]!.x.toFlat()).toEqual([16, 17, 18, 19]);
    expect([...batches(null, data, 4, { dropLast: true })].length).toBe(2);
    expect(numBatches(10, 4)).toBe(3);
    expect(numBatches(10, 4, true)).toBe(2);
  });

  it("with a key: a permutation of the examples, rows kept together, the same for the same key", () => {
    const k = key(7);
    const ys = [...batches(k, data, 3)].flatMap((b) => b.y.toFlat());
    expect([...ys].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(ys).not.toEqual(Array.from({ length: n }, (_, i) => i));
    for (const b of batches(k, data, 3)) {
      const x = b.x.toFlat();
      b.y.toFlat().forEach((y, i) => expect([x[2 * i], x[2 * i + 1]]).toEqual([2 * y, 2 * y + 1]));
    }
    const again = [...batches(key(7), data, 3)].flatMap((b) => b.y.toFlat());
    expect(again).toEqual(ys);
    const other = [...batches(foldIn(k, 1), data, 3)].flatMap((b) => b.y.toFlat());
    expect(other).not.toEqual(ys);
  });

  it("shuffled batches are deferred gathers: equal to take, staged into a jitted step, computed once elsewhere", () => {
    const x = T.fromArray(Array.from({ length: 40 * 6 }, (_, i) => i / 7), "40 6");
    const y = T.fromArray(Array.from({ length: 40 }, (_, i) => i % 3), "40", "int32");
    const key = T.random.key(3);
    const order = T.random.permutation(key, 40);
    const step = T.jit((bx: T.Tensor<[number, 6]>, by: T.Tensor<[number], "int32">) => [T.mul(T.sum(bx, { axis: 1 }), T.cast(by, "float32")), bx] as const);
    let b = 0;
    for (const batch of train.batches(key, { x, y }, 16)) {
      const idx = T.slice(order, 0, b * 16, Math.min(40, b * 16 + 16));
      const wantX = T.take(x, idx);
      const wantY = T.take(y, idx);
      const [got, same] = step(batch.x, batch.y);
      expect(got.toFlat()).toEqual(T.mul(T.sum(wantX, { axis: 1 }), T.cast(wantY, "float32")).toFlat());
      expect(same.toFlat()).toEqual(wantX.toFlat());
      // Outside jit: an ordinary tensor (eager ops, printing, shape) with the gathered values.
      expect(batch.x.shape).toEqual(wantX.shape);
      expect(T.add(batch.x, 1).toFlat()).toEqual(T.add(wantX, 1).toFlat());
      expect(batch.y.toArray()).toEqual(wantY.toArray());
      expect(T.grad((t: T.Tensor<[number, 6]>) => T.sum(T.mul(t, batch.x)))(wantX).toFlat()).toEqual(wantX.toFlat());
      b++;
    }
    expect(b).toBe(3);
  });

  it("is lazy: pulling a few batches of a huge dataset does not build the rest", () => {
    const big = { x: zeros("n 1", { n: 2_000_000 }) };
    const it = batches(null, big, 1)[Symbol.iterator]();
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) expect(it.next().done).toBe(false);
    // Materialising 2 000 000 batches would take seconds; five take microseconds.
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("rejects mismatched leading dims and bad sizes", () => {
    expect(() => batches(null, { x: zeros("3 2"), y: zeros("4") }, 2)).toThrow(/examples/);
    expect(() => batches(null, data, 0)).toThrow(/batchSize/);
  });

  it("ordered batches of in-memory data are views of its rows; training and evaluating on them leaves the data intact", () => {
    const bs = [...batches(null, data, 4)];
    const store = (x: unknown) => (x as { concrete(): { data: Float32Array } }).concrete().data;
    expect(store(bs[1]!.x).buffer).toBe(store(data.x).buffer);
    expect(bs[1]!.x.shape).toEqual([4, 2]);
    expect(bs[2]!.x.shape).toEqual([2, 2]);
    // fit stages the step, hands later steps the previous state's buffers, and evaluates on ordered batches.
    const before = [data.x.toFlat(), data.y.toFlat()];
    const xs = fromArray(Array.from({ length: 2 * n }, (_, i) => (i % 7) / 7), "n 2", { n });
    const ys = fromArray(Array.from({ length: n }, (_, i) => ((i * 3) % 5) / 5), "n 1", { n });
    const xs0 = xs.toFlat();
    const ys0 = ys.toFlat();
    const model = (p: { w: T.Tensor<[2, 1]> }, x: T.Tensor<[number, 2]>) => T.matmul(x, p.w);
    const mse = (o: T.Tensor<[number, 1]>, y: T.Tensor<[number, 1]>) => T.mean(T.square(T.sub(o, y))) as T.Tensor<[], "float32">;
    const events = [...train.fit({
      model, loss: mse, optimizer: T.optim.sgd(0.1), params: { w: zeros("2 1") }, epochs: 3,
      train: () => batches(null, { x: xs, y: ys }, 3), test: () => batches(null, { x: xs, y: ys }, 4),
      metric: {
        monoid: { concat: (a: { s: number; n: number }, b: { s: number; n: number }) => ({ s: a.s + b.s, n: a.n + b.n }), empty: { s: 0, n: 0 } },
        measure: (o: T.Tensor<[number, 1]>, y: T.Tensor<[number, 1]>) => ({ s: T.sum(T.abs(T.sub(o, y))).item(), n: y.shape[0] }),
        value: (m: { s: number; n: number }) => m.s / m.n,
      },
    })];
    expect(events.filter((e) => e.kind === "epoch").length).toBe(3);
    expect(xs.toFlat()).toEqual(xs0);
    expect(ys.toFlat()).toEqual(ys0);
    expect([data.x.toFlat(), data.y.toFlat()]).toEqual(before);
  });
});
