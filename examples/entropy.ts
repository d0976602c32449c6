/**
 * Information theory for classification (d2l 3.4.7 and 22.11): entropy in bits, and why the
 * cross-entropy loss is "softmax, then log, then pick the label's entry", computed stably.
 *
 * Run: npx tsx examples/entropy.ts      (TENFOLD_SMOKE=1 changes nothing: it runs instantly)
 */
import {
  type Tensor, div, exp, expandDims, log, logSoftmax, mul, neg, softmax, squeeze, sum, takeAlongAxis, tensor, nn,
} from "../src/index.js";

const show = (t: Tensor<any, any>): string => `[${t.toFlat().map((v) => v.toFixed(4)).join(", ")}]`;

// ## Entropy
//
// The entropy H[P] = −Σ p·log p of a distribution is the fewest bits (with log₂) needed on average to
// encode draws from it. A uniform distribution over 4 outcomes needs exactly 2 bits; the more a
// distribution concentrates on one outcome, the fewer bits it needs.
const distributions = tensor([
  [0.25, 0.25, 0.25, 0.25],
  [0.1, 0.1, 0.1, 0.7],
  [0.001, 0.001, 0.001, 0.999],
]);
const bits = nn.entropy(distributions, { base: 2 }); // one entropy per row
console.log(`entropy in bits (nn.entropy): ${show(bits)}`);
// entropy in bits (nn.entropy): [2.0000, 1.3568, 0.0313]

// The definition, written out: −Σ p·log₂ p along each row.
const entropyBits = (p: Tensor<[number, number]>) => neg(sum(mul(p, div(log(p), Math.log(2))), { axis: 1 }));
console.log(`entropy in bits (by hand):    ${show(entropyBits(distributions))}`);
// entropy in bits (by hand):    [2.0000, 1.3568, 0.0313]

// ## Cross-entropy is softmax, then log, then picking the label's entry
//
// With predicted probabilities ŷ for two examples over three classes and labels y = [0, 2], the
// tutorial picks each example's probability of its true class, `y_hat[range(2), y]`: that is
// `takeAlongAxis` with one index per row.
const yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
const y = tensor([0, 2], "int32");
const picked = squeeze(takeAlongAxis(yHat, expandDims(y, 1), 1), 1);
console.log(`y_hat[range(2), y] = ${show(picked)}`);
// y_hat[range(2), y] = [0.1000, 0.5000]

// The cross-entropy loss of each example is −log of that probability...
const ceByHand = neg(log(picked));
console.log(`cross-entropy −log(ŷ[y]) = ${show(ceByHand)}`);
// cross-entropy −log(ŷ[y]) = [2.3026, 0.6931]

// ...which is exactly PyTorch's negative log-likelihood of the log-probabilities.
console.log(`nllLoss(log ŷ, y)        = ${show(nn.nllLoss(log(yHat), y, { reduction: "none" }))}`);
// nllLoss(log ŷ, y)        = [2.3026, 0.6931]

// A network outputs unnormalised scores (logits), not probabilities. `crossEntropy(logits, y)` is
// `nllLoss(logSoftmax(logits), y)`: softmax, log and pick fused into one function.
const logits = tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]);
const fused = nn.crossEntropy(logits, y, { reduction: "none" });
const composed = nn.nllLoss(logSoftmax(logits), y, { reduction: "none" });
console.log(`crossEntropy(logits, y)           = ${show(fused)}`);
console.log(`nllLoss(logSoftmax(logits), y)    = ${show(composed)}`);
console.log(`−log(softmax(logits)[range(2), y]) = ${show(neg(log(squeeze(takeAlongAxis(softmax(logits), expandDims(y, 1), 1), 1))))}`);
// crossEntropy(logits, y)           = [2.4076, 0.2413]
// nllLoss(logSoftmax(logits), y)    = [2.4076, 0.2413]
// −log(softmax(logits)[range(2), y]) = [2.4076, 0.2413]

// ## Why fuse them: numerical stability (d2l 3.7.2, "Softmax Implementation Revisited")
//
// The textbook softmax exp(o) / Σ exp(o) overflows as soon as a logit is large: e^10000 is ∞ in floating
// point, and ∞/∞ is NaN. `logSoftmax` subtracts the row's maximum first (the log-sum-exp trick), so
// the same logits give exact, finite answers.
const naiveSoftmax = (o: Tensor<[number, number]>) => {
  const e = exp(o);
  return div(e, sum(e, { axis: 1, keepdims: true }));
};
const huge = tensor([[1e4, 0, -1e4]]);
const label = tensor([1], "int32");
console.log(`naive softmax of [1e4, 0, −1e4]: ${show(naiveSoftmax(huge))}`);
console.log(`softmax of [1e4, 0, −1e4]:       ${show(softmax(huge))}`);
console.log(`naive cross-entropy, label 1:    ${show(neg(log(squeeze(takeAlongAxis(naiveSoftmax(huge), expandDims(label, 1), 1), 1))))}`);
console.log(`crossEntropy, label 1:           ${show(nn.crossEntropy(huge, label, { reduction: "none" }))}`);
// naive softmax of [1e4, 0, −1e4]: [NaN, 0.0000, 0.0000]
// softmax of [1e4, 0, −1e4]:       [1.0000, 0.0000, 0.0000]
// naive cross-entropy, label 1:    [Infinity]
// crossEntropy, label 1:           [10000.0000]
