/**
 * Laws of the optimizers, from the kit's `optimizerStepLaws`: every optimizer and building block keeps
 * the parameters' tree structure, never mutates its inputs, is deterministic, gives finite updates, and
 * (without weight decay) leaves parameters alone for a zero gradient from its initial state.
 */
import { describe, it } from "vitest";
import * as T from "../src/index.js";
import { arbParams, assertLaw, lawTitle, optimizerStepLaws, type StepTransformation } from "../src/testing/index.js";

const { optim } = T;
type Opt = StepTransformation<unknown, unknown>;

const noopAtZero: [string, unknown][] = [
  ["sgd", optim.sgd(0.1)],
  ["sgd with momentum and dampening", optim.sgd(0.1, { momentum: 0.9, dampening: 0.1 })],
  ["sgd with Nesterov momentum", optim.sgd(0.1, { momentum: 0.9, nesterov: true })],
  ["sgd with a schedule", optim.sgd(optim.cosineDecay(0.1, 10))],
  ["adam", optim.adam(1e-3)],
  ["rmsprop (centered, momentum)", optim.rmsprop(0.01, { momentum: 0.9, centered: true })],
  ["adam with clipping", optim.withClipping(1, optim.adam(1e-3))],
  ["chain(clipByGlobalNorm, scaleByAdam, scale)", optim.chain(optim.clipByGlobalNorm(1), optim.scaleByAdam(), optim.scale(-0.01))],
  ["identity", optim.identity()],
];
const decaying: [string, unknown][] = [
  ["sgd with weight decay", optim.sgd(0.1, { weightDecay: 0.01 })],
  ["adamw", optim.adamw(1e-3)],
];

describe("optimizer step laws", () => {
  for (const [name, opt] of noopAtZero)
    it(lawTitle(`${name}: structure, purity, determinism, finiteness, zero gradient is a no-op`), () => {
      assertLaw(optimizerStepLaws(opt as Opt));
    });
  for (const [name, opt] of decaying)
    it(lawTitle(`${name}: structure, purity, determinism, finiteness`), () => {
      assertLaw(optimizerStepLaws(opt as Opt, { zeroGradientIsNoop: false }));
    });
  it(lawTitle("adam on an MLP's parameters, as its init draws them"), () => {
    const model = T.nn.mlp([4, 8, 3]);
    assertLaw(optimizerStepLaws(optim.adam(1e-3) as Opt, { arb: arbParams(model.init) }));
  });
});
