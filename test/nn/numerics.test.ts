/**
 * The losses built on log-softmax and softplus, and the information measures, against PyTorch 1.13 in
 * float32, values and gradients, at magnitudes 1e4 and 1e6 and for non-finite inputs (test/fixtures/numerics.py).
 */
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { casesOf, checkCase, toTensor, torchVersion, type CaseFn, type NumericsCase } from "../fixtures/numerics.js";

const { nn } = T;
type F = T.Tensor<any, "float32">;
type Loss = (x: F, y: T.Tensor<any, any>, o?: object) => F;
const targetOf = (c: NumericsCase): T.Tensor<any, any> => toTensor(c.target!);

const OPS: Record<string, (c: NumericsCase) => CaseFn> = {
  crossEntropy: (c) => (x) => (nn.crossEntropy as unknown as Loss)(x, targetOf(c), c.args),
  bceWithLogits: (c) => {
    const pw = c.args.posWeight as number[] | undefined;
    const opts = { reduction: c.args.reduction, posWeight: pw === undefined ? undefined : T.tensor(pw) };
    return (x) => (nn.binaryCrossEntropyWithLogits as unknown as Loss)(x, targetOf(c), opts);
  },
  klDiv: (c) => (x) => (nn.klDiv as unknown as Loss)(x, targetOf(c), c.args),
  entropy: () => (x) => nn.entropy(x) as F,
};

describe(`losses against PyTorch ${torchVersion} (float32, 1e-5 relative)`, () => {
  for (const op of Object.keys(OPS)) {
    describe(op, () => {
      for (const c of casesOf(op)) it(c.name, () => void checkCase(c, OPS[op]!(c)));
    });
  }

  it("the issue's case: crossEntropy of a row of -1e30 is log 3, its gradient softmax − onehot", () => {
    const x = T.tensor([[-1e30, -1e30, -1e30]]);
    const y = T.tensor([0], "int32");
    expect(nn.crossEntropy(x, y).item()).toBeCloseTo(Math.log(3), 6);
    const g = T.grad((v: T.Tensor<[1, 3], "float32">) => nn.crossEntropy(v, y))(x).toFlat();
    g.forEach((v, i) => expect(v).toBeCloseTo(i === 0 ? -2 / 3 : 1 / 3, 6));
  });

  it("BCE with logits keeps log(1 + e⁻³⁰) where PyTorch's float32 form rounds it to 0", () => {
    const c = casesOf("bceWithLogits").find((k) => k.name === "bceWithLogits target 0.0")!;
    // x = −30 against y = 0, and (below) x = 30 against y = 1: 9.35e-14 both, 0 in PyTorch float32.
    expect(checkCase(c, OPS.bceWithLogits!(c)).value).toBe(1);
    const l = nn.binaryCrossEntropyWithLogits(T.tensor([30]), T.tensor([1]), { reduction: "none" }).toFlat()[0]!;
    expect(l).toBeCloseTo(9.357622912219837e-14, 19);
  });

  it("entropy is NaN for a NaN probability and −∞ for a negative one, as torch.special.entr (not 0)", () => {
    expect(nn.entropy(T.tensor([[NaN, 0.5, 0.5]])).toFlat()).toEqual([NaN]);
    expect(nn.entropy(T.tensor([[-0.1, 0.6, 0.5]])).toFlat()).toEqual([-Infinity]);
    expect(nn.klDiv(T.tensor([-1]), T.tensor([-0.5]), { reduction: "none" }).toFlat()).toEqual([NaN]);
  });
});
