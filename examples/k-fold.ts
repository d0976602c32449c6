/**
 * K-fold cross-validation (d2l 4.10, "Predicting House Prices"), on a synthetic regression problem: the
 * data is cut into k = 5 folds; each fold in turn validates a model trained on the other four, and the
 * average validation error estimates how well the recipe (model, optimizer, epochs) generalizes.
 *
 * Run: npx tsx examples/k-fold.ts
 * Smoke: TENFOLD_SMOKE=1 npx tsx examples/k-fold.ts   (fewer epochs)
 */
import { type Tensor, add, matmul, mul, sin, slice, sqrt, nn, optim, random, train, pipe } from "../src/index.js";

const SMOKE = process.env.TENFOLD_SMOKE === "1";
const seed = random.key(7);

// ## A synthetic dataset
//
// 500 examples with 8 features x ~ 𝒩(0, 1), and a target that is mostly linear with a nonlinear bump
// in the first feature: y = x·w + sin(3·x₀)/2 + ε, ε ~ 𝒩(0, 0.1²). The best possible RMSE is the
// noise's, 0.1.
const n: number = 500;
const x = random.normal(random.foldIn(seed, 0), `${n} 8`);
const w = random.normal(random.foldIn(seed, 1), "8 1");
const noise = mul(random.normal(random.foldIn(seed, 2), `${n} 1`), 0.1);
const y = pipe(x, matmul(w), add(mul(sin(mul(slice(x, 1, 0, 1), 3)), 0.5)), add(noise));
const dataset = { x, y };

// ## The recipe being validated
//
// A small MLP 8 → 32 → 1 trained with Adam (learning rate 0.01) on shuffled batches of 64, with the
// mean squared error as the loss; we report the root mean squared error.
const model = nn.mlp([8, 32, 1]);
type Params = ReturnType<typeof model.init>;
const forward = (p: Params, xs: Tensor<[number, 8]>) => model.apply(p, xs);
const loss = (pred: Tensor<[number, 1]>, target: Tensor<[number, 1]>) => nn.mse(pred, target);
const rmse = (p: Params, d: { readonly x: Tensor<[number, 8]>; readonly y: Tensor<[number, 1]> }): number =>
  sqrt(loss(forward(p, d.x), d.y)).item();
const numEpochs = SMOKE ? 5 : 60;

// Training on one split is a fold of `fit`'s events down to the final state.
const trainAndValidate = (
  trainSplit: typeof dataset, validSplit: typeof dataset, fold: number,
): { readonly trainRmse: number; readonly validRmse: number } => {
  const final = train.drain(
    train.fit({
      model: forward,
      loss,
      optimizer: optim.adam(0.01),
      params: model.init(random.foldIn(seed, 10 + fold)),
      epochs: numEpochs,
      train: (epoch) => train.batches(random.foldIn(seed, 1000 * (fold + 1) + epoch), trainSplit, 64),
      stepEvents: false,
    }),
  );
  return { trainRmse: rmse(final.params, trainSplit), validRmse: rmse(final.params, validSplit) };
};

// ## K-fold validation
//
// `kFoldValidate(k, data, f)` cuts the data into k folds of ⌊n/k⌋ examples (d2l's `get_k_fold_data`),
// calls `f(train, valid, fold)` on each split and averages the numbers it returns.
const k = 5;
const result = train.kFoldValidate(k, dataset, trainAndValidate);
result.folds.forEach((r, i) =>
  console.log(`fold ${i + 1}, train rmse ${r.trainRmse.toFixed(4)}, valid rmse ${r.validRmse.toFixed(4)}`),
);
console.log(`${k}-fold validation: avg train rmse ${result.mean.trainRmse.toFixed(4)}, avg valid rmse ${result.mean.validRmse.toFixed(4)}`);
// fold 1, train rmse 0.2750, valid rmse 0.4148
// fold 2, train rmse 0.2746, valid rmse 0.4529
// fold 3, train rmse 0.2538, valid rmse 0.3990
// fold 4, train rmse 0.2920, valid rmse 0.4221
// fold 5, train rmse 0.2661, valid rmse 0.3870
// 5-fold validation: avg train rmse 0.2723, avg valid rmse 0.4151

// Every fold tells the same story: the error on the examples the model was trained on is well below
// the error on the held-out fold. That gap (overfitting: 321 parameters for 400 examples) is what a
// single training error hides and what cross-validation measures, before the test set is touched.
