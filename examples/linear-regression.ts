/**
 * Linear regression from scratch (d2l 3.2, with 3.3's minibatches): recover w = [2, −3.4] and b = 4.2
 * from 1,000 noisy samples by minibatch stochastic gradient descent.
 *
 * Run: npx tsx examples/linear-regression.ts
 * (TENFOLD_SMOKE=1 changes nothing here: the whole run takes about a second.)
 */
import { type Tensor, add, grad, matmul, mean, mul, square, sub, tensor, zeros, random, train, pipe } from "../src/index.js";

// ## Generating the dataset
//
// We draw 1,000 examples x ∈ ℝ² from a standard normal and label them with a known linear model plus a
// little noise: y = Xw + b + ε, ε ~ 𝒩(0, 0.01²). Randomness is explicit: a PRNG key in, numbers out,
// and `foldIn(key, i)` derives an independent key for each use.
const trueW = tensor([[2], [-3.4]]); // Tensor<[2, 1]>
const trueB = 4.2;
const numExamples = 1000;
const seed = random.key(42);

const syntheticData = (k: random.Key, w: Tensor<[2, 1]>, b: number, n: number) => {
  const x = random.normal(random.foldIn(k, 0), `${n} 2`); // Tensor<[number, 2]>
  const noise = mul(random.normal(random.foldIn(k, 1), `${n} 1`), 0.01);
  const y = pipe(x, matmul(w), add(b), add(noise));
  return { x, y };
};

const data = syntheticData(random.foldIn(seed, 0), trueW, trueB, numExamples);
const fmt = (xs: readonly number[]): string => `[${xs.map((v) => v.toFixed(4)).join(", ")}]`;
console.log(`features[0]: ${fmt(data.x.toFlat().slice(0, 2))}, label[0]: ${fmt(data.y.toFlat().slice(0, 1))}`);
// features[0]: [0.2072, -1.1884], label[0]: [8.6485]

// ## The model, the loss and the optimizer
//
// The model is an affine map; the loss is the squared error ½(ŷ − y)², averaged over the minibatch.
// Parameters are a plain record of tensors: `grad` returns a record of the same type.
interface Params {
  readonly w: Tensor<[2, 1]>;
  readonly b: Tensor<[1]>;
}

const linreg = (p: Params, x: Tensor<[number, 2]>) => pipe(x, matmul(p.w), add(p.b));
const squaredLoss = (p: Params, x: Tensor<[number, 2]>, y: Tensor<[number, 1]>) =>
  mul(mean(pipe(linreg(p, x), sub(y), square)), 0.5);

// Minibatch SGD: p ← p − lr · ∇ℓ. (d2l sums the loss and divides the gradient by the batch size; a
// mean loss gives the same step.) One step is a pure function of the parameters and one batch.
const lr = 0.03;
const batchSize = 10;
const numEpochs = 3;

const sgdStep = (p: Params, batch: { readonly x: Tensor<[number, 2]>; readonly y: Tensor<[number, 1]> }): Params => {
  const g = grad(squaredLoss)(p, batch.x, batch.y);
  return { w: sub(p.w, mul(g.w, lr)), b: sub(p.b, mul(g.b, lr)) };
};

// ## Training: an epoch is a fold of the step over shuffled minibatches
//
// `train.batches(key, data, 10)` is a lazy, reshuffled-by-key sequence of `{ x, y }` batches; the
// epoch folds `sgdStep` over it, and training folds epochs. We start from w ~ 𝒩(0, 0.01²), b = 0.
const params0: Params = {
  w: mul(random.normal(random.foldIn(seed, 1), "2 1"), 0.01),
  b: zeros("1"),
};

const trainEpoch = (p: Params, epoch: number): Params =>
  train.foldIterable(sgdStep, p)(train.batches(random.foldIn(seed, 100 + epoch), data, batchSize));

const trained = Array.from({ length: numEpochs }, (_, e) => e).reduce((p, epoch) => {
  const next = trainEpoch(p, epoch);
  console.log(`epoch ${epoch + 1}, loss ${squaredLoss(next, data.x, data.y).item().toFixed(6)}`);
  return next;
}, params0);
// epoch 1, loss 0.042367
// epoch 2, loss 0.000167
// epoch 3, loss 0.000053

// The last loss is about ½·0.01² = 0.00005: the noise floor of the data.

// ## How close did we get?
//
// The learned parameters are compared with the ones that generated the data.
const errW = sub(trueW, trained.w).toFlat();
const errB = trueB - trained.b.item();
console.log(`error in estimating w: ${fmt(errW)}`);
console.log(`error in estimating b: ${errB.toFixed(4)}`);
console.log(`learned w = ${fmt(trained.w.toFlat())}, b = ${trained.b.item().toFixed(4)}`);
// error in estimating w: [0.0013, -0.0001]
// error in estimating b: 0.0008
// learned w = [1.9987, -3.3999], b = 4.1992
