import * as fc from "fast-check";
import { foldMap } from "fp-ts/ReadonlyArray";
import { pipe } from "fp-ts/function";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { expectTensor } from "../helpers.js";

const logits = T.tensor([[0.1, 0.9, 0.0], [2, 1, 0], [0, 0, 5], [1, 3, 2]]);
const labels = T.tensor([1, 0, 1, 2], "int32");

describe("metrics", () => {
  it("accuracy and correctCount from logits or predictions", () => {
    expect(nn.correctCount(logits, labels)).toBe(2);
    expect(nn.accuracy(logits, labels)).toBe(0.5);
    expect(nn.accuracy(T.tensor([1, 0, 1, 2], "int32"), labels)).toBe(1);
  });
  it("confusion matrix: rows are labels, columns predictions", () => {
    // predictions [1, 0, 2, 1]
    expectTensor(nn.confusionMatrix(logits, labels, 3), [3, 3], [1, 0, 0, 0, 1, 1, 0, 1, 0]);
    expect(nn.confusionMatrix(logits, labels, 3).dtype).toBe("int32");
    expect(() => nn.confusionMatrix(logits, T.tensor([1, 0, 3, 2], "int32"), 3)).toThrow(/confusionMatrix: class label 3 at index 2 is outside \[0, 3\)/);
  });
  it("errors name the op and shapes", () => {
    expect(() => nn.accuracy(logits, T.tensor([1, 0], "int32") as never)).toThrow(/accuracy|correctCount/);
    expect(() => nn.accuracy(logits, T.tensor([1, 0, 1, 2]) as never)).toThrow(/labels must be int32/);
  });
  it("evaluation is a foldMap over batches", () => {
    const batches = [
      { logits: T.slice(logits, 0, 0, 2), labels: T.slice(labels, 0, 0, 2), loss: 0.5 },
      { logits: T.slice(logits, 0, 2, 4), labels: T.slice(labels, 0, 2, 4), loss: 1.5 },
    ];
    const acc = pipe(batches, foldMap(nn.evalMonoid)((b) => nn.evalAcc(b.loss, b.logits, b.labels)));
    expect(nn.evalSummary(acc)).toEqual({ loss: 1, accuracy: 0.5 });
    const cm = pipe(batches, foldMap(nn.confusionMonoid(3))((b) => nn.confusionMatrix(b.logits, b.labels, 3)));
    expect(cm.toFlat()).toEqual(nn.confusionMatrix(logits, labels, 3).toFlat());
  });
});

describe("monoid laws", () => {
  const count = fc.integer({ min: 0, max: 1000 });
  const accArb = fc.record({ correct: count, total: count });
  // Integer-valued sums keep float addition exact, so the laws hold with ===.
  const meanArb = fc.record({ sum: fc.integer({ min: -1e6, max: 1e6 }), count });
  const cmArb = fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 9, maxLength: 9 }).map((a) => T.fromArray(a, "3 3", "int32"));
  const laws = <A>(name: string, M: { empty: A; concat: (x: A, y: A) => A }, arb: fc.Arbitrary<A>, eq: (x: A, y: A) => boolean): void => {
    it(`${name}: identity and associativity`, () => {
      fc.assert(fc.property(arb, (a) => eq(M.concat(M.empty, a), a) && eq(M.concat(a, M.empty), a)));
      fc.assert(fc.property(arb, arb, arb, (a, b, c) => eq(M.concat(M.concat(a, b), c), M.concat(a, M.concat(b, c)))));
    });
  };
  const same = (x: object, y: object): boolean => JSON.stringify(x) === JSON.stringify(y);
  laws("accuracyMonoid", nn.accuracyMonoid, accArb, same);
  laws("meanMonoid", nn.meanMonoid, meanArb, same);
  laws("evalMonoid", nn.evalMonoid, fc.record({ loss: meanArb, accuracy: accArb }), same);
  laws("confusionMonoid", nn.confusionMonoid(3), cmArb, (x, y) => same(x.toFlat(), y.toFlat()));
});
