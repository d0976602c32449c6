/**
 * Concise softmax regression (d2l 3.7) on Fashion-MNIST: the same model as softmax-from-scratch.ts,
 * built from the library's layer, loss, optimizer and training loop. Ten epochs of batches of 256 at
 * learning rate 0.1 reach about 84% test accuracy.
 *
 * Run: npx tsx examples/softmax-concise.ts
 * Smoke: TENFOLD_SMOKE=1 npx tsx examples/softmax-concise.ts   (a few hundred examples, one epoch)
 */
import { type Tensor, data, nn, optim, random, train } from "../src/node.js";

const SMOKE = process.env.TENFOLD_SMOKE === "1";
const seed = random.key(0);

// ## The data
//
// As before: Fashion-MNIST, flattened to 784 pixels, drawn in shuffled minibatches of 256.
const fashion = await data.loadFashionMnist();
const batchSize = 256;
const firstBatch = <B>(xs: Iterable<B>): B => {
  for (const x of xs) return x;
  throw new Error("no data");
};
const sample = (split: data.Split, n: number, k: random.Key) => firstBatch(train.batches(k, { x: split.images, y: split.labels }, n));
const trainSet = SMOKE ? sample(fashion.train, 512, random.foldIn(seed, 1)) : { x: fashion.train.images, y: fashion.train.labels };
const testSet = SMOKE ? sample(fashion.test, 256, random.foldIn(seed, 2)) : { x: fashion.test.images, y: fashion.test.labels };

// ## Defining the model
//
// A flatten layer (a no-op here: the images are already flat) and a dense layer 784 → 10, whose
// weights are drawn from 𝒩(0, 0.01²) (biases start at zero). A layer is a pure pair: `init(key)` makes
// the parameters, `apply(params, x)` computes the logits; nothing is stored in the layer.
const net = nn.sequential(nn.flatten, nn.linear(784, 10, { init: nn.init.normal(0.01) }));
const params = net.init(random.foldIn(seed, 3));
console.log(`${net.name}: W ${params[1].w.shape.join("×")}, b ${params[1].b.shape.join("")}`);
// sequential(flatten, linear(784, 10)): W 784×10, b 10

// ## Softmax revisited
//
// The model outputs logits, not probabilities: `nn.crossEntropy` fuses softmax, log and the pick of the
// label's entry, and computes log-softmax as o − logsumexp(o), which neither overflows for large logits
// nor takes the log of an underflowed 0 (see entropy.ts).
const loss = (logits: Tensor<[number, 10]>, y: Tensor<[number], "int32">) => nn.crossEntropy(logits, y);

// ## Optimization algorithm
//
// Minibatch SGD with learning rate 0.1, as a pure gradient transformation (its state is plain data).
const optimizer = optim.sgd(0.1);

// ## Training
//
// `train.fit` folds the training step over each epoch's shuffled batches and reports events as values:
// per epoch, the mean training loss, the training accuracy and the test accuracy.
const numEpochs = SMOKE ? 1 : 10;
const final = train.drain(
  train.fit({
    model: (p: typeof params, x: Tensor<[number, 784]>) => net.apply(p, x),
    loss,
    optimizer,
    params,
    epochs: numEpochs,
    train: (epoch) => train.batches(random.foldIn(seed, 100 + epoch), trainSet, batchSize),
    test: () => train.batches(null, testSet, batchSize),
    metric: train.accuracyMetric,
    stepEvents: false,
  }),
  (e) => {
    if (e.kind === "epoch")
      console.log(
        `epoch ${e.epoch + 1}: train loss ${e.trainLoss.toFixed(4)}, train acc ${e.trainMetric?.toFixed(4)}, ` +
          `test acc ${e.testMetric?.toFixed(4)} (${e.seconds.toFixed(1)} s)`,
      );
  },
);
// epoch 1: train loss 0.7869, train acc 0.7476, test acc 0.7889 (0.2–0.4 s)
// epoch 2: train loss 0.5729, train acc 0.8121, test acc 0.8055 (0.1–0.3 s)
// ...
// epoch 9: train loss 0.4545, train acc 0.8446, test acc 0.8406 (0.1–0.3 s)
// epoch 10: train loss 0.4496, train acc 0.8479, test acc 0.8371 (0.1–0.3 s)

// ## Evaluation
//
// Evaluation is a fold too: per-batch counts of correct predictions combine in a Monoid.
const testAcc = train.evaluateModel((p: typeof params, x: Tensor<[number, 784]>) => net.apply(p, x), train.accuracyMetric)(
  final.params,
  train.batches(null, testSet, batchSize),
);
console.log(`test accuracy: ${testAcc.toFixed(4)}`);
// test accuracy: 0.8371
