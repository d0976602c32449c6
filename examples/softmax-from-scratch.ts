/**
 * Softmax regression from scratch (d2l 3.6) on Fashion-MNIST: a hand-written softmax, cross-entropy by
 * picking each example's probability of its label, accuracy, an accumulator that is a Monoid, and SGD
 * written with `grad`. Ten epochs of batches of 256 at learning rate 0.1 reach about 84% test accuracy.
 *
 * Run: npx tsx examples/softmax-from-scratch.ts
 * Smoke: TENFOLD_SMOKE=1 npx tsx examples/softmax-from-scratch.ts   (a few hundred examples, one epoch)
 *
 * fp-ts 2 has no exports map: under Node's ESM loader its modules are imported by file, `fp-ts/lib/….js`.
 */
import { type Monoid, struct } from "fp-ts/lib/Monoid.js";
import { MonoidSum } from "fp-ts/lib/number.js";
import {
  type Tensor, add, argmax, cast, div, equal, exp, expandDims, log, mapTree, matmul, mean, mul, neg, squeeze, sub, sum,
  takeAlongAxis, tensor, valueAndGradWithAux, zeros, data, random, train,
} from "../src/node.js";

const SMOKE = process.env.TENFOLD_SMOKE === "1";
const show = (t: Tensor<any, any>): string => `[${t.toFlat().map((v) => v.toFixed(4)).join(", ")}]`;
const seed = random.key(0);

// ## The data
//
// Fashion-MNIST: 28×28 grey images of clothing in 10 classes, here already flattened to 784 pixels in
// [0, 1]. (`loadFashionMnist` reads the `fashion-mnist` package once and caches it in binary form.)
// The splits are sorted by class, so minibatches are always drawn shuffled, by a key.
const fashion = await data.loadFashionMnist();
const batchSize = 256;

// In smoke mode we keep a random 512 training and 256 test examples.
const firstBatch = <B>(xs: Iterable<B>): B => {
  for (const x of xs) return x;
  throw new Error("no data");
};
const sample = (split: data.Split, n: number, k: random.Key) =>
  firstBatch(train.batches(k, { x: split.images, y: split.labels }, n));
const trainSet = SMOKE ? sample(fashion.train, 512, random.foldIn(seed, 1)) : { x: fashion.train.images, y: fashion.train.labels };
const testSet = SMOKE ? sample(fashion.test, 256, random.foldIn(seed, 2)) : { x: fashion.test.images, y: fashion.test.labels };
console.log(`${trainSet.x.shape[0]} training and ${testSet.x.shape[0]} test images of ${trainSet.x.shape[1]} pixels`);
// 60000 training and 10000 test images of 784 pixels

// ## Initializing the model parameters
//
// Each of the 10 outputs is an affine function of the 784 inputs: a weight matrix W of 784×10 drawn
// from 𝒩(0, 0.01²) and a bias of 10 zeros.
interface Params {
  readonly W: Tensor<[784, 10]>;
  readonly b: Tensor<[10]>;
}
const params0: Params = { W: mul(random.normal(random.foldIn(seed, 3), "784 10"), 0.01), b: zeros("10") };

// ## Defining the softmax operation
//
// Summing a matrix along an axis, keeping it as a size-1 dim:
const X = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
console.log(`X.sum(0, keepdim=True) = ${sum(X, { axis: 0, keepdims: true })}`);
console.log(`X.sum(1, keepdim=True) = ${sum(X, { axis: 1, keepdims: true })}`);
// X.sum(0, keepdim=True) = tensor([[5., 7., 9.]], shape=[1, 3], dtype=float32)
// X.sum(1, keepdim=True) = tensor([[ 6.],
//         [15.]], shape=[2, 1], dtype=float32)

// softmax(X)ᵢⱼ = exp(Xᵢⱼ) / Σₖ exp(Xᵢₖ): exponentiate, then divide each row by its sum (the
// partition function). Broadcasting divides the [n, 10] exponentials by the [n, 1] sums.
const softmax = <N extends number>(x: Tensor<[N, number]>) => {
  const xExp = exp(x);
  const partition = sum(xExp, { axis: 1, keepdims: true });
  return div(xExp, partition);
};

// Any real inputs become non-negative rows that sum to 1.
const XRandom = random.normal(random.foldIn(seed, 4), "2 5");
const XProb = softmax(XRandom);
console.log(`softmax of a random 2×5: ${show(XProb)}`);
console.log(`its row sums: ${show(sum(XProb, { axis: 1 }))}`);
// softmax of a random 2×5: [0.5528, 0.0554, 0.1177, 0.1710, 0.1031, 0.1599, 0.1512, 0.6087, 0.0193, 0.0608]
// its row sums: [1.0000, 1.0000]

// ## Defining the model
//
// The network maps a batch of images to class probabilities: softmax(XW + b).
const net = (p: Params, x: Tensor<[number, 784]>) => softmax(add(matmul(x, p.W), p.b));

// ## Defining the loss function
//
// Cross-entropy needs, for each example, the predicted probability of its true label. With two
// examples, three classes and labels y = [0, 2], the tutorial writes `y_hat[[0, 1], y]`; here it is
// `takeAlongAxis`, one index per row.
const y = tensor([0, 2], "int32");
const yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
const pick = <N extends number>(probs: Tensor<[N, number]>, labels: Tensor<[N], "int32">) =>
  squeeze(takeAlongAxis(probs, expandDims(labels, 1), 1), 1);
console.log(`y_hat[[0, 1], y] = ${show(pick(yHat, y))}`);
// y_hat[[0, 1], y] = [0.1000, 0.5000]

// The loss of each example is −log of that probability.
const crossEntropy = <N extends number>(probs: Tensor<[N, number]>, labels: Tensor<[N], "int32">) => neg(log(pick(probs, labels)));
console.log(`cross_entropy(y_hat, y) = ${show(crossEntropy(yHat, y))}`);
// cross_entropy(y_hat, y) = [2.3026, 0.6931]

// ## Classification accuracy
//
// The predicted class is the most probable one; `accuracy` counts the predictions equal to the label.
const accuracy = <N extends number>(probs: Tensor<[N, number]>, labels: Tensor<[N], "int32">): number =>
  sum(cast(equal(argmax(probs, { axis: 1 }), labels), "int32")).item();
console.log(`accuracy(y_hat, y) / len(y) = ${accuracy(yHat, y) / y.shape[0]}`);
// accuracy(y_hat, y) / len(y) = 0.5

// d2l's `Accumulator` sums a few numbers over batches. Summing is a Monoid: an `empty` value and an
// associative `concat`, so accumulating over batches is a fold that does not care how the batches are
// grouped. Ours holds the loss sum, the number of correct predictions and the number of examples.
interface Metrics {
  readonly lossSum: number;
  readonly correct: number;
  readonly count: number;
}
const accumulator: Monoid<Metrics> = struct({ lossSum: MonoidSum, correct: MonoidSum, count: MonoidSum });
const measure = <N extends number>(probs: Tensor<[N, number]>, labels: Tensor<[N], "int32">, meanLoss: number): Metrics => {
  const n = labels.shape[0];
  return { lossSum: meanLoss * n, correct: accuracy(probs, labels), count: n };
};

// `evaluate_accuracy` is a foldMap: measure each test batch, combine with the monoid, divide at the end.
type Batch = { readonly x: Tensor<[number, 784]>; readonly y: Tensor<[number], "int32"> };
const evaluateAccuracy = (p: Params, batches: Iterable<Batch>): number => {
  const m = train.foldMapIterable(accumulator)((b: Batch) => {
    const probs = net(p, b.x);
    return measure(probs, b.y, mean(crossEntropy(probs, b.y)).item());
  })(batches);
  return m.correct / m.count;
};
const testBatches = train.batches(null, testSet, batchSize);
console.log(`accuracy of the untrained model: ${evaluateAccuracy(params0, testBatches).toFixed(4)}`);
// accuracy of the untrained model: 0.0244

// (Worse than chance, 0.1, by the luck of the draw.)

// ## Training
//
// Minibatch SGD written by hand: `valueAndGradWithAux` returns the mean loss, the predictions of the
// same forward pass (for the training accuracy) and the gradient, a record shaped like the parameters;
// `mapTree` updates every parameter p ← p − lr·∂ℓ/∂p. A training epoch folds this step over
// shuffled batches, accumulating the metrics as it goes.
const lr = 0.1;
const numEpochs = SMOKE ? 1 : 10;
const sgd = (p: Params, g: Params): Params => mapTree((w: Tensor<any>, dw: Tensor<any>) => sub(w, mul(dw, lr)), p, g);

interface EpochState {
  readonly params: Params;
  readonly metrics: Metrics;
}
const trainBatch = (s: EpochState, b: Batch): EpochState => {
  const [[loss, probs], g] = valueAndGradWithAux((p: Params) => {
    const probs = net(p, b.x);
    return [mean(crossEntropy(probs, b.y)), probs] as const;
  })(s.params);
  return { params: sgd(s.params, g), metrics: accumulator.concat(s.metrics, measure(probs, b.y, loss.item())) };
};
const trainEpoch = (p: Params, epoch: number): EpochState =>
  train.foldIterable(trainBatch, { params: p, metrics: accumulator.empty })(
    train.batches(random.foldIn(seed, 100 + epoch), trainSet, batchSize),
  );

const trained = Array.from({ length: numEpochs }, (_, e) => e).reduce((p, epoch) => {
  const { params, metrics } = trainEpoch(p, epoch);
  const testAcc = evaluateAccuracy(params, testBatches);
  console.log(
    `epoch ${epoch + 1}: train loss ${(metrics.lossSum / metrics.count).toFixed(4)}, ` +
      `train acc ${(metrics.correct / metrics.count).toFixed(4)}, test acc ${testAcc.toFixed(4)}`,
  );
  return params;
}, params0);
// epoch 1: train loss 0.7881, train acc 0.7463, test acc 0.7878
// epoch 2: train loss 0.5733, train acc 0.8117, test acc 0.8055
// epoch 3: train loss 0.5285, train acc 0.8234, test acc 0.8173
// epoch 4: train loss 0.5039, train acc 0.8308, test acc 0.8334
// epoch 5: train loss 0.4876, train acc 0.8358, test acc 0.8348
// epoch 6: train loss 0.4770, train acc 0.8393, test acc 0.8372
// epoch 7: train loss 0.4675, train acc 0.8423, test acc 0.8168
// epoch 8: train loss 0.4607, train acc 0.8441, test acc 0.8388
// epoch 9: train loss 0.4547, train acc 0.8448, test acc 0.8395
// epoch 10: train loss 0.4498, train acc 0.8479, test acc 0.8370

// ## Prediction
//
// Six test images drawn at random, with their true and predicted labels.
const shown = firstBatch(train.batches(random.foldIn(seed, 5), testSet, 6));
const predicted = argmax(net(trained, shown.x), { axis: 1 }).toFlat();
shown.y.toFlat().forEach((label, i) =>
  console.log(`true: ${data.FASHION_MNIST_CLASSES[label]}, predicted: ${data.FASHION_MNIST_CLASSES[predicted[i]!]}`),
);
// true: Sneaker, predicted: Sneaker
// true: Bag, predicted: Bag
// true: Trouser, predicted: Trouser
// true: Sandal, predicted: Sandal
// true: Ankle boot, predicted: Ankle boot
// true: Pullover, predicted: Shirt
