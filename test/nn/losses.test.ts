/**
 * Losses against PyTorch. Every reference below was produced with torch 1.13 in float64, by
 * /usr/bin/python3 with this prelude (the snippet for each number is in the comment beside it):
 *
 *   import torch, torch.nn.functional as F; torch.set_default_dtype(torch.float64)
 *   X = [[1.0, 2.0, 0.5, -1.0], [0.1, -0.3, 2.2, 0.0], [-1.5, 0.7, 0.3, 1.1], [0.0, 0.0, 0.0, 0.0]]
 *   x = torch.tensor(X, requires_grad=True); y = torch.tensor([1, 2, 3, 0]); w = torch.tensor([0.5, 2.0, 1.0, 1.5])
 *   def ref(l): g = torch.autograd.grad(l.sum(), x)[0]; return l, g
 */
import { pipe } from "fp-ts/function";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { expectTensor } from "../helpers.js";

const X = T.tensor([[1.0, 2.0, 0.5, -1.0], [0.1, -0.3, 2.2, 0.0], [-1.5, 0.7, 0.3, 1.1], [0.0, 0.0, 0.0, 0.0]]);
const y = T.tensor([1, 2, 3, 0], "int32");
const w = T.tensor([0.5, 2.0, 1.0, 1.5]);
const TOL = 2e-6;

/** Loss value and gradient with respect to the logits. */
const lossAndGrad = (f: (x: T.Tensor<[4, 4]>) => T.Tensor<[]>): [T.Tensor<[]>, T.Tensor<[4, 4]>] => T.valueAndGrad(f)(X);

describe("the tutorial's cross-entropy by hand", () => {
  // d2l: y_hat[[0, 1], y] and -log of it.
  const yHat = T.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
  const yy = T.tensor([0, 2], "int32");
  it("picks [0.1, 0.5] and gives [2.3026, 0.6931]", () => {
    expectTensor(T.squeeze(T.takeAlongAxis(yHat, T.expandDims(yy, 1), 1), 1), [2], [0.1, 0.5]);
    expectTensor(nn.nllLoss(T.log(yHat), yy, { reduction: "none" }), [2], [2.302585, 0.693147], 1e-6);
  });
});

describe("crossEntropy with class indices (PyTorch)", () => {
  it("reductions mean / sum / none and their gradients", () => {
    // F.cross_entropy(x, y) → 0.7353165
    const [l, g] = lossAndGrad((x) => nn.crossEntropy(x, y));
    expectTensor(l, [], [0.7353165], TOL);
    expectTensor(g, [4, 4], [0.05605195, -0.09763499, 0.03399723, 0.00758581, 0.02327459, 0.01560142, -0.05993574, 0.02105972, 0.00846356, 0.07638374, 0.05120155, -0.13604885, -0.1875, 0.0625, 0.0625, 0.0625], TOL);
    // F.cross_entropy(x, y, reduction="sum") → 2.94126601
    expectTensor(nn.crossEntropy(X, y, { reduction: "sum" }), [], [2.94126601], TOL);
    // F.cross_entropy(x, y, reduction="none")
    const none = nn.crossEntropy(X, y, { reduction: "none" });
    expectTensor(none, [4], [0.4951819, 0.27409867, 0.78569108, 1.38629436], TOL);
  });
  it("equals nllLoss(logSoftmax(o), y), also curried in a pipe", () => {
    expectTensor(nn.nllLoss(T.logSoftmax(X), y), [], [nn.crossEntropy(X, y).item()], 1e-7);
    expectTensor(pipe(X, nn.crossEntropy(y)), [], [0.7353165], TOL);
    expectTensor(pipe(X, nn.crossEntropy(y, { reduction: "sum" })), [], [2.94126601], TOL);
  });
  it("class weights: the mean divides by the sum of the picked weights", () => {
    // ref(F.cross_entropy(x, y, weight=w))
    const [l, g] = lossAndGrad((x) => nn.crossEntropy(x, y, { weight: w }));
    expectTensor(l, [], [0.62722925], TOL);
    expectTensor(g, [4, 4], [0.08968313, -0.15621598, 0.05439557, 0.01213729, 0.01861967, 0.01248114, -0.04794859, 0.01684778, 0.01015627, 0.09166049, 0.06144186, -0.16325862, -0.075, 0.025, 0.025, 0.025], TOL);
  });
  it("ignoreIndex, with and without weights", () => {
    // ref(F.cross_entropy(x, y, ignore_index=2))
    const [l, g] = lossAndGrad((x) => nn.crossEntropy(x, y, { ignoreIndex: 2 }));
    expectTensor(l, [], [0.88905578], TOL);
    expectTensor(g, [4, 4], [0.07473594, -0.13017999, 0.04532964, 0.01011441, 0, 0, 0, 0, 0.01128475, 0.10184499, 0.06826874, -0.18139847, -0.25, 0.08333333, 0.08333333, 0.08333333], TOL);
    // ref(F.cross_entropy(x, y, weight=w, ignore_index=2))
    const [l2, g2] = lossAndGrad((x) => nn.crossEntropy(x, y, { weight: w, ignoreIndex: 2 }));
    expectTensor(l2, [], [0.7155119], TOL);
    expectTensor(g2, [4, 4], [0.11210391, -0.19526998, 0.06799446, 0.01517161, 0, 0, 0, 0, 0.01269534, 0.11457561, 0.07680233, -0.20407328, -0.09375, 0.03125, 0.03125, 0.03125], TOL);
    // F.cross_entropy(x, torch.tensor([-100]*4)) → nan (0/0), as in PyTorch
    expect(nn.crossEntropy(X, T.tensor([-100, -100, -100, -100], "int32")).item()).toBeNaN();
  });
  it("label smoothing, alone and with weight and ignoreIndex", () => {
    // ref(F.cross_entropy(x, y, label_smoothing=0.1))
    const [l, g] = lossAndGrad((x) => nn.crossEntropy(x, y, { labelSmoothing: 0.1 }));
    expectTensor(l, [], [0.8359415], TOL);
    expectTensor(g, [4, 4], [0.04980195, -0.07888499, 0.02774723, 0.00133581, 0.01702459, 0.00935142, -0.04118574, 0.01480972, 0.00221356, 0.07013374, 0.04495155, -0.11729885, -0.16875, 0.05625, 0.05625, 0.05625], TOL);
    // ref(F.cross_entropy(x, y, weight=w, ignore_index=2, label_smoothing=0.1))
    const o = { weight: w, ignoreIndex: 2, labelSmoothing: 0.1 } as const;
    const [l2, g2] = lossAndGrad((x) => nn.crossEntropy(x, y, o));
    expectTensor(l2, [], [0.78605969], TOL);
    expectTensor(g2, [4, 4], [0.10477501, -0.16919736, 0.05919467, 0.00522768, 0, 0, 0, 0, 0.00935875, 0.10016602, 0.06927229, -0.17879706, -0.0796875, 0.0234375, 0.0296875, 0.0265625], TOL);
    // ref(F.cross_entropy(x, y, weight=w, ignore_index=2, label_smoothing=0.1, reduction="sum"))
    const [l3, g3] = lossAndGrad((x) => nn.crossEntropy(x, y, { ...o, reduction: "sum" }));
    expectTensor(l3, [], [3.14423875], TOL);
    expectTensor(g3, [4, 4], [0.41910005, -0.67678943, 0.23677866, 0.02091071, 0, 0, 0, 0, 0.037435, 0.40066406, 0.27708916, -0.71518822, -0.31875, 0.09375, 0.11875, 0.10625], TOL);
    // F.cross_entropy(x, y, weight=w, ignore_index=2, label_smoothing=0.1, reduction="none")
    expectTensor(nn.crossEntropy(X, y, { ...o, reduction: "none" }), [4], [1.11572515, 0, 1.23139434, 0.79711926], TOL);
  });
  it("[N, C, d] logits with [N, d] targets", () => {
    // x3 = torch.tensor([[[1.,0.],[2.,-1.],[0.5,0.5]],[[0.,3.],[-1.,1.],[2.,2.]]]); y3 = torch.tensor([[0,2],[1,-100]])
    const x3 = T.tensor([[[1, 0], [2, -1], [0.5, 0.5]], [[0, 3], [-1, 1], [2, 2]]]);
    const y3 = T.tensor([[0, 2], [1, -100]], "int32");
    // F.cross_entropy(x3, y3, reduction="none")
    expectTensor(nn.crossEntropy(x3, y3, { reduction: "none" }), [2, 2], [1.46436878, 0.60413061, 3.16984602, 0], TOL);
    // l = F.cross_entropy(x3, y3, weight=torch.tensor([1.,2.,3.])); torch.autograd.grad(l, x3)
    const w3 = T.tensor([1, 2, 3]);
    const [l, g] = T.valueAndGrad((x: typeof x3) => nn.crossEntropy(x, y3, { weight: w3 }))(x3);
    expectTensor(l, [], [1.60274211], TOL);
    expectTensor(g, [2, 3, 2], [-0.12812935, 0.16574948, 0.10475529, 0.06097583, 0.02337406, -0.22672531, 0.03806507, 0, -0.31932998, 0, 0.28126491, 0], TOL);
  });
  it("is stable for logits of ±1e4 (finite loss and gradient)", () => {
    // xs = torch.tensor([[1e4, -1e4, 0.], [-1e4, 1e4, 1e4]]); F.cross_entropy(xs, torch.tensor([1, 0]))
    const xs = T.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]]);
    const [l, g] = T.valueAndGrad((x: typeof xs) => nn.crossEntropy(x, T.tensor([1, 0], "int32")))(xs);
    expect(Number.isFinite(l.item())).toBe(true);
    expectTensor(l, [], [20000.34657359], 1e-6);
    expectTensor(g, [2, 3], [0.5, -0.5, 0, -0.5, 0.25, 0.25], 1e-6);
  });
  it("errors name the op and the shapes", () => {
    expect(() => nn.crossEntropy(X, T.tensor([1, 2, 3], "int32"))).toThrow(/crossEntropy: .*shapes \[4, 4\] and \[3\]/);
    expect(() => nn.crossEntropy(X, T.tensor([1, 2, 3, 0], "bool" as never) as never)).toThrow(/crossEntropy: class-index targets must be int32/);
    expect(() => nn.crossEntropy(X, T.tensor([1, 2, 3]) as never)).toThrow(/crossEntropy: probability targets must have the logits' shape.*\[4, 4\] and \[3\]/);
    expect(() => nn.crossEntropy(X, T.tensor([0, 5, 1, 0], "int32"))).toThrow(/crossEntropy: index 5 is out of range \[0, 4\)/);
    expect(() => nn.nllLoss(X, T.tensor([0, -1, 1, 0], "int32"))).toThrow(/nllLoss: index -1 is out of range \[0, 4\)/);
    expect(() => nn.crossEntropy(X, y, { weight: T.tensor([1, 2]) })).toThrow(/weight must have shape \[4\]/);
    expect(() => T.grad((x: typeof X) => nn.crossEntropy(x, y, { reduction: "none" }) as never)(X)).toThrow();
  });
});

describe("crossEntropy with probability targets (PyTorch)", () => {
  // P = torch.softmax(torch.tensor([[0.3,0.2,0.1,0.0],[1.,2.,0.,-1.],[0.,0.,5.,1.],[2.,-2.,0.,0.]]), 1)
  const P = T.softmax(T.tensor([[0.3, 0.2, 0.1, 0.0], [1, 2, 0, -1], [0, 0, 5, 1], [2, -2, 0, 0]]));
  it("mean, weight, label smoothing, none, weighted sum", () => {
    // ref(F.cross_entropy(x, P))
    let [l, g] = lossAndGrad((x) => nn.crossEntropy(x, P));
    expectTensor(l, [], [1.79965842], TOL);
    expectTensor(g, [4, 4], [-0.0161109, 0.08706936, -0.02508472, -0.04587375, -0.03594611, -0.14537714, 0.16827818, 0.01304507, 0.00683098, 0.07475116, -0.19109545, 0.10951332, -0.13145087, 0.05894767, 0.0362516, 0.0362516], TOL);
    // ref(F.cross_entropy(x, P, weight=w)): the mean divides by N, not by weights
    [l, g] = lossAndGrad((x) => nn.crossEntropy(x, P, { weight: w }));
    expectTensor(l, [], [2.14725332], TOL);
    expectTensor(g, [4, 4], [0.03251361, 0.05586935, -0.01747695, -0.070906, 0.00626748, -0.2979075, 0.27119839, 0.02044163, 0.00775002, 0.07404593, -0.19047383, 0.10867787, -0.05455016, 0.03532061, 0.01617688, 0.00305268], TOL);
    // ref(F.cross_entropy(x, P, label_smoothing=0.2))
    [l, g] = lossAndGrad((x) => nn.crossEntropy(x, P, { labelSmoothing: 0.2 }));
    expectTensor(l, [], [1.78804004], TOL);
    expectTensor(g, [4, 4], [-0.01417833, 0.08762849, -0.02576833, -0.04768184, -0.03660197, -0.12568143, 0.1601354, 0.002148, -0.00534251, 0.06257767, -0.15513605, 0.09790089, -0.1051607, 0.04715813, 0.02900128, 0.02900128], TOL);
    // F.cross_entropy(x, P, reduction="none")
    expectTensor(nn.crossEntropy(X, P, { reduction: "none" }), [4], [1.77983964, 2.45186717, 1.58063251, 1.38629436], TOL);
    // ref(F.cross_entropy(x, P, weight=w, label_smoothing=0.2, reduction="sum"))
    [l, g] = lossAndGrad((x) => nn.crossEntropy(x, P, { weight: w, labelSmoothing: 0.2, reduction: "sum" }));
    expectTensor(l, [], [8.54402711], TOL);
    expectTensor(g, [4, 4], [0.13509551, 0.23114692, -0.07192902, -0.29431341, 0.01833053, -1.03770258, 1.00789912, 0.01147293, 0.00826363, 0.21333072, -0.60831469, 0.38672034, -0.13706052, 0.07552594, 0.06426601, -0.00273143], TOL);
  });
  it("rejects ignoreIndex (as PyTorch)", () => {
    expect(() => nn.crossEntropy(X, P, { ignoreIndex: 1 })).toThrow(/ignoreIndex is not supported/);
  });
});

describe("nllLoss (PyTorch)", () => {
  it("weight and ignoreIndex, with gradient through logSoftmax", () => {
    // l = F.nll_loss(F.log_softmax(x, 1), y, weight=w, ignore_index=0); torch.autograd.grad(l, x)
    const [l, g] = lossAndGrad((x) => nn.nllLoss(T.logSoftmax(x), y, { weight: w, ignoreIndex: 0 }));
    expectTensor(l, [], [0.54288869], TOL);
    expectTensor(g, [4, 4], [0.09964792, -0.17357332, 0.06043952, 0.01348588, 0.02068853, 0.01386793, -0.05327621, 0.01871975, 0.01128475, 0.10184499, 0.06826874, -0.18139847, 0, 0, 0, 0], TOL);
  });
});

describe("binary cross-entropy (PyTorch)", () => {
  // p = torch.tensor([0.1, 0.7, 0.99, 0.5], requires_grad=True); t = torch.tensor([0., 1., 1., 0.3]); bw = torch.tensor([1., 2., 0.5, 1.])
  const p = T.tensor([0.1, 0.7, 0.99, 0.5]);
  const t = T.tensor([0, 1, 1, 0.3]);
  const bw = T.tensor([1, 2, 0.5, 1]);
  it("binaryCrossEntropy: mean, weight, none, and gradients", () => {
    // l = F.binary_cross_entropy(p, t); torch.autograd.grad(l, p)
    let [l, g] = T.valueAndGrad((q: typeof p) => nn.binaryCrossEntropy(q, t))(p);
    expectTensor(l, [], [0.29130824], TOL);
    expectTensor(g, [4], [0.27777778, -0.35714286, -0.25252525, 0.2], 1e-5);
    // F.binary_cross_entropy(p, t, weight=bw)
    [l, g] = T.valueAndGrad((q: typeof p) => nn.binaryCrossEntropy(q, t, { weight: bw }))(p);
    expectTensor(l, [], [0.37922069], TOL);
    expectTensor(g, [4], [0.27777778, -0.71428571, -0.12626263, 0.2], 1e-5);
    // F.binary_cross_entropy(p, t, reduction="none")
    expectTensor(nn.binaryCrossEntropy(p, t, { reduction: "none" }), [4], [0.10536052, 0.35667494, 0.01005034, 0.69314718], TOL);
  });
  it("clamps log at −100 like PyTorch", () => {
    // F.binary_cross_entropy(torch.tensor([0., 1., 0.]), torch.tensor([1., 0., 0.]), reduction="none") → [100, 100, 0]
    expectTensor(nn.binaryCrossEntropy(T.tensor([0, 1, 0]), T.tensor([1, 0, 0]), { reduction: "none" }), [3], [100, 100, 0]);
    const g = T.grad((q: T.Tensor<[3]>) => nn.binaryCrossEntropy(q, T.tensor([1, 0, 0])))(T.tensor([0, 1, 0]));
    expect(g.toFlat().every(Number.isFinite)).toBe(true);
  });
  describe("at x ∈ {0, 1} and below e^−100: PyTorch's values and gradients", () => {
    // x = torch.tensor([0., 1., 0., 1., 0.3, 1e-30], dtype=dt, requires_grad=True)
    // y = torch.tensor([1., 0., 0., 1., 0.5, 1.], dtype=dt, requires_grad=True); bw = torch.tensor([1., 2., 0.5, 1., 3., 1.], dtype=dt)
    // The input gradient is (x − y) / max((1 − x)·x, 1e−12) (not the clamp's 0), the target gradient −logit(x).
    const ref = {
      float32: {
        none: [100, 100, 0, 0, 0.78032386302948, 69.07755279541016], // F.binary_cross_entropy(x, y, reduction="none")
        gxSum: [-999999995904, 999999995904, 0, 0, -0.9523808360099792, -999999995904], // torch.autograd.grad(l.sum(), [x, y])
        gySum: [Infinity, -Infinity, Infinity, -Infinity, 0.8472978472709656, 69.07755279541016],
        mean: 44.976314544677734, // F.binary_cross_entropy(x, y)
        gxMean: [-166666665984, 166666665984, 0, 0, -0.1587301343679428, -166666665984], // torch.autograd.grad(l, [x, y])
        gyMean: [Infinity, -Infinity, Infinity, -Infinity, 0.14121630787849426, 11.512925148010254],
        wSum: 371.41851806640625, // F.binary_cross_entropy(x, y, weight=bw, reduction="sum")
        gxWSum: [-999999995904, 1999999991808, 0, 0, -2.857142448425293, -999999995904], // torch.autograd.grad(l, x)
      },
      float64: {
        none: [100, 100, 0, 0, 0.7803238741323343, 69.07755278982137],
        // PyTorch's ε is the float 1e−12 in every dtype: 1 / float(1e−12) = 1000000003995.8029.
        gxSum: [-1000000003995.8029, 1000000003995.8029, 0, 0, -0.9523809523809524, -1000000003995.8029],
        gySum: [Infinity, -Infinity, Infinity, -Infinity, 0.8472978603872037, 69.07755278982137],
        mean: 44.97631277732561,
        gxMean: [-166666667332.63382, 166666667332.63382, 0, 0, -0.15873015873015875, -166666667332.63382],
        gyMean: [Infinity, -Infinity, Infinity, -Infinity, 0.14121631006453395, 11.512925464970229],
        wSum: 371.4185244122184,
        gxWSum: [-1000000003995.8029, 2000000007991.6057, 0, 0, -2.857142857142857, -1000000003995.8029],
      },
    };
    for (const dtype of ["float32", "float64"] as const) {
      const r = ref[dtype];
      const tol = dtype === "float32" ? 2e-7 : 1e-15;
      const x = T.tensor([0, 1, 0, 1, 0.3, 1e-30], dtype);
      const yy = T.tensor([1, 0, 0, 1, 0.5, 1], dtype);
      const bw = T.tensor([1, 2, 0.5, 1, 3, 1], dtype);
      type P = typeof x;
      it(`${dtype}: loss, input and target gradients for each reduction, and with a weight`, () => {
        expectTensor(nn.binaryCrossEntropy(x, yy, { reduction: "none" }), [6], r.none, tol);
        let [gx, gy] = T.grad((a: P, b: P) => nn.binaryCrossEntropy(a, b, { reduction: "sum" }), { argnums: [0, 1] })(x, yy);
        expectTensor(gx, [6], r.gxSum, tol);
        expectTensor(gy, [6], r.gySum, tol);
        const [l, g] = T.valueAndGrad((a: P, b: P) => nn.binaryCrossEntropy(a, b), { argnums: [0, 1] })(x, yy);
        expectTensor(l, [], [r.mean], tol);
        [gx, gy] = g;
        expectTensor(gx, [6], r.gxMean, tol);
        expectTensor(gy, [6], r.gyMean, tol);
        const [lw, gw] = T.valueAndGrad((a: P) => nn.binaryCrossEntropy(a, yy, { weight: bw, reduction: "sum" }))(x);
        expectTensor(lw, [], [r.wSum], tol);
        expectTensor(gw, [6], r.gxWSum, tol);
      });
      it(`${dtype}: forward mode gives the same input derivative (PyTorch's own gives NaN at 0 and 1)`, () => {
        const [, t] = T.jvp((a: P) => nn.binaryCrossEntropy(a, yy, { reduction: "sum" }), [x], [T.onesLike(x)]);
        expectTensor(t, [], [r.gxSum.reduce((p, v) => p + v, 0)], tol);
        expectTensor(T.jacfwd((a: P) => nn.binaryCrossEntropy(a, yy, { reduction: "sum" }))(x), [6], r.gxSum, tol);
        // With a target tangent too: −logit(x) per unit of target, ±∞ at the edges as in reverse mode.
        const [, ty] = T.jvp((b: P) => nn.binaryCrossEntropy(x, b, { reduction: "none" }), [yy], [T.onesLike(yy)]);
        expectTensor(ty, [6], r.gySum, tol);
      });
    }
    it("second derivatives inside (0, 1) are those of the loss", () => {
      // p = torch.tensor([0.1, 0.7, 0.99, 0.5], dtype=torch.float64, requires_grad=True); t = torch.tensor([0., 1., 1., 0.3], dtype=torch.float64)
      // g, = torch.autograd.grad(F.binary_cross_entropy(p, t), p, create_graph=True); torch.autograd.grad(g.sum(), p)
      // (PyTorch adds 1e−12 inside its second derivative, hence the 1e−9 tolerance.)
      const p64 = T.tensor([0.1, 0.7, 0.99, 0.5], "float64");
      const t64 = T.tensor([0, 1, 1, 0.3], "float64");
      const f = (a: typeof p64) => nn.binaryCrossEntropy(a, t64);
      const want = [0.3086419753017833, 0.5102040816277944, 0.2550760126002112, 0.9999999999920002];
      expectTensor(T.grad((a: typeof p64) => T.sum(T.grad(f)(a)))(p64), [4], want, 1e-9);
      const h = T.hessian(f)(p64).toFlat();
      expectTensor(T.tensor([h[0]!, h[5]!, h[10]!, h[15]!], "float64"), [4], want, 1e-9);
    });
    it("the same under jit and vmap", () => {
      const x = T.tensor([[0, 1, 0.3], [1, 0, 1e-30]], "float64");
      const yy = T.tensor([[1, 0, 0.5], [1, 0, 1]], "float64");
      const f = (a: typeof x) => nn.binaryCrossEntropy(a, yy, { reduction: "sum" });
      const want = [-1000000003995.8029, 1000000003995.8029, -0.9523809523809524, 0, 0, -1000000003995.8029];
      expectTensor(T.jit(T.grad(f))(x), [2, 3], want, 1e-15);
      const perRow = T.vmap(T.grad((a: T.Tensor<[3], "float64">, b: T.Tensor<[3], "float64">) => nn.binaryCrossEntropy(a, b, { reduction: "sum" })));
      expectTensor(perRow(x, yy), [2, 3], want, 1e-15);
    });
  });
  it("binaryCrossEntropyWithLogits: plain, posWeight, weight + sum", () => {
    // z = torch.tensor([[-2., 0.5, 3., 10.], [1., -1., 0., -30.]]); tz = torch.tensor([[0., 1., 1., 0.3], [1., 0., 0.5, 1.]]); pw = torch.tensor([1., 2., 3., 0.5])
    const z = T.tensor([[-2, 0.5, 3, 10], [1, -1, 0, -30]]);
    const tz = T.tensor([[0, 1, 1, 0.3], [1, 0, 0.5, 1]]);
    const pw = T.tensor([1, 2, 3, 0.5]);
    type Z = typeof z;
    // l = F.binary_cross_entropy_with_logits(z, tz); torch.autograd.grad(l, z)
    let [l, g] = T.valueAndGrad((q: Z) => nn.binaryCrossEntropyWithLogits(q, tz))(z);
    expectTensor(l, [], [4.87116354], TOL);
    expectTensor(g, [2, 4], [0.01490037, -0.04719258, -0.00592823, 0.08749433, -0.03361768, 0.03361768, 0, -0.125], 1e-5);
    // F.binary_cross_entropy_with_logits(z, tz, pos_weight=pw)
    [l, g] = T.valueAndGrad((q: Z) => nn.binaryCrossEntropyWithLogits(q, tz, { posWeight: pw }))(z);
    expectTensor(l, [], [3.15421254], TOL);
    expectTensor(g, [2, 4], [0.01490037, -0.09438517, -0.0177847, 0.08749518, -0.03361768, 0.03361768, -0.0625, -0.0625], 1e-5);
    // F.binary_cross_entropy_with_logits(z, tz, pos_weight=pw, weight=torch.tensor([[2.],[0.5]]), reduction="sum")
    [l, g] = T.valueAndGrad((q: Z) => nn.binaryCrossEntropyWithLogits(q, tz, { posWeight: pw, weight: T.tensor([[2], [0.5]]), reduction: "sum" }))(z);
    expectTensor(l, [], [24.94817411], TOL);
    expectTensor(g, [2, 4], [0.23840584, -1.51016268, -0.28455524, 1.39992282, -0.13447071, 0.13447071, -0.25, -0.25], 1e-5);
  });
  it("binaryCrossEntropyWithLogits is stable for ±1e4", () => {
    const z = T.tensor([1e4, -1e4, 1e4, -1e4]);
    const tz = T.tensor([1, 0, 0, 1]);
    const [l, g] = T.valueAndGrad((q: typeof z) => nn.binaryCrossEntropyWithLogits(q, tz, { reduction: "sum" }))(z);
    expectTensor(l, [], [2e4]);
    expectTensor(g, [4], [0, 0, 1, -1]);
  });
});

describe("regression losses (PyTorch)", () => {
  // a = torch.tensor([0.1, -2., 0.6, 3., -0.45], requires_grad=True); b = torch.tensor([0., 0., 0., 0.5, 0.])
  const a = T.tensor([0.1, -2, 0.6, 3, -0.45]);
  const b = T.tensor([0, 0, 0, 0.5, 0]);
  type A = typeof a;
  const check = (f: (x: A) => T.Tensor<[]>, value: number, grad: number[]): void => {
    const [l, g] = T.valueAndGrad(f)(a);
    expectTensor(l, [], [value], TOL);
    expectTensor(g, [5], grad, 1e-6);
  };
  it("huber (delta 1, 0.5, sum, none)", () => {
    check((x) => nn.huber(x, b), 0.75725, [0.02, -0.2, 0.12, 0.2, -0.09]); // F.huber_loss(a, b)
    check((x) => nn.huber(x, b, { delta: 0.5 }), 0.45625, [0.02, -0.1, 0.1, 0.1, -0.09]); // F.huber_loss(a, b, delta=0.5)
    check((x) => nn.huber(x, b, { delta: 0.5, reduction: "sum" }), 2.28125, [0.1, -0.5, 0.5, 0.5, -0.45]); // F.huber_loss(a, b, delta=0.5, reduction="sum")
    expectTensor(nn.huber(a, b, { reduction: "none" }), [5], [0.005, 1.5, 0.18, 2.0, 0.10125], TOL); // F.huber_loss(a, b, reduction="none")
  });
  it("smoothL1 (beta 0.5, 1)", () => {
    check((x) => nn.smoothL1(x, b, { beta: 0.5 }), 0.9125, [0.04, -0.2, 0.2, 0.2, -0.18]); // F.smooth_l1_loss(a, b, beta=0.5)
    check((x) => nn.smoothL1(x, b), 0.75725, [0.02, -0.2, 0.12, 0.2, -0.09]); // F.smooth_l1_loss(a, b)
  });
  it("mse and l1", () => {
    check((x) => nn.mse(x, b), 2.1645, [0.04, -0.8, 0.24, 1.0, -0.18]); // F.mse_loss(a, b)
    check((x) => nn.l1(x, b), 1.13, [0.2, -0.2, 0.2, 0.2, -0.2]); // F.l1_loss(a, b)
    expectTensor(pipe(a, nn.mse(b, { reduction: "sum" })), [], [10.8225], TOL);
  });
  it("requires equal shapes (the [N, 1] vs [N] trap)", () => {
    expect(() => nn.mse(T.zeros("4 1"), T.zeros("4") as never)).toThrow(/mse: input and target must have the same shape \(shapes \[4, 1\] and \[4\]\)/);
  });
});

describe("klDiv (PyTorch)", () => {
  // li = torch.log_softmax(torch.tensor([[0.2, 1.0, -0.5], [0., 0., 3.]]), 1).requires_grad_(); tg = torch.tensor([[0.3, 0.7, 0.], [0.2, 0.2, 0.6]])
  const li = T.logSoftmax(T.tensor([[0.2, 1.0, -0.5], [0, 0, 3]]));
  const tg = T.tensor([[0.3, 0.7, 0], [0.2, 0.2, 0.6]]);
  type L = typeof li;
  it("batchmean, sum, mean, none with gradients", () => {
    // l = F.kl_div(li, tg, reduction=r); torch.autograd.grad(l.sum(), li)
    let [l, g] = T.valueAndGrad((x: L) => nn.klDiv(x, tg, { reduction: "batchmean" }))(li);
    expectTensor(l, [], [0.24404159], TOL);
    expectTensor(g, [2, 3], [-0.15, -0.35, 0, -0.1, -0.1, -0.3], 1e-6);
    [l, g] = T.valueAndGrad((x: L) => nn.klDiv(x, tg, { reduction: "sum" }))(li);
    expectTensor(l, [], [0.48808319], TOL);
    expectTensor(g, [2, 3], [-0.3, -0.7, 0, -0.2, -0.2, -0.6], 1e-6);
    [l, g] = T.valueAndGrad((x: L) => nn.klDiv(x, tg))(li);
    expectTensor(l, [], [0.0813472], TOL);
    expectTensor(g, [2, 3], [-0.05, -0.11666667, 0, -0.03333333, -0.03333333, -0.1], 1e-6);
    expectTensor(nn.klDiv(li, tg, { reduction: "none" }), [2, 3], [0.03309668, 0.11033409, 0, 0.29709701, 0.29709701, -0.2495416], TOL);
  });
  it("logTarget", () => {
    // tl = torch.log(torch.tensor([[0.3, 0.6, 0.1], [0.2, 0.2, 0.6]])); F.kl_div(li, tl, reduction="batchmean", log_target=True)
    const tl = T.log(T.tensor([[0.3, 0.6, 0.1], [0.2, 0.2, 0.6]]));
    const [l, g] = T.valueAndGrad((x: L) => nn.klDiv(x, tl, { reduction: "batchmean", logTarget: true }))(li);
    expectTensor(l, [], [0.17550088], TOL);
    expectTensor(g, [2, 3], [-0.15, -0.3, -0.05, -0.1, -0.1, -0.3], 1e-6);
  });
  it("is zero against itself", () => {
    expectTensor(nn.klDiv(li, T.exp(li), { reduction: "sum" }), [], [0], 1e-6);
  });
});

describe("entropy (the tutorial's numbers)", () => {
  it("in bits", () => {
    expectTensor(nn.entropy(T.tensor([0.25, 0.25, 0.25, 0.25]), { base: 2 }), [], [2], 1e-6);
    expectTensor(nn.entropy(T.tensor([0.1, 0.1, 0.1, 0.7]), { base: 2 }), [], [1.35677964], 1e-6);
    expectTensor(nn.entropy(T.tensor([0.001, 0.001, 0.001, 0.999]), { base: 2 }), [], [0.03133933], 1e-5);
  });
  it("in nats, per row, with reductions, and 0·log 0 = 0", () => {
    const p = T.tensor([[0.5, 0.5, 0], [1, 0, 0]]);
    expectTensor(nn.entropy(p), [2], [Math.LN2, 0]);
    expectTensor(nn.entropy(p, { reduction: "sum" }), [], [Math.LN2]);
    expectTensor(nn.entropy(p, { axis: 0, base: 2 }), [3], [0.5, 0.5, 0], 1e-6);
    const g = T.grad((q: typeof p) => nn.entropy(q, { reduction: "sum" }))(p);
    expect(g.toFlat().every(Number.isFinite)).toBe(true);
  });
});
