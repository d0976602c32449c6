/**
 * Laws of the optimizers, from the kit's `optimizerStepLaws`: every optimizer and building block keeps
 * the parameters' tree structure, never mutates its inputs, is deterministic, gives finite updates, and
 * (without weight decay) leaves parameters alone for a zero gradient from its initial state; and, its
 * state being all tensors, its update staged by `jit` is traced once and replays the eager update bit for bit.
 */
import { describe, it } from "vitest";
import * as T from "../src/index.js";
import { arbParams, assertLaw, lawTitle, optimizerStepLaws, stagedUpdateMatchesEager, type StepTransformation } from "../src/testing/index.js";

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

const staged: [string, unknown][] = [
  ["sgd with a warm-up cosine schedule", optim.sgd(optim.warmupCosine({ peak: 0.1, warmupSteps: 2, decaySteps: 5 }))],
  ["sgd with momentum, dampening and a step schedule", optim.sgd(optim.stepDecay(0.1, 2), { momentum: 0.9, dampening: 0.3 })],
  ["sgd with Nesterov momentum and weight decay", optim.sgd(0.05, { momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ["adam with a cosine schedule", optim.adam(optim.cosineDecay(1e-2, 4, 0.1))],
  ["adamw with an exponential schedule", optim.adamw(optim.exponentialDecay(1e-2, 0.9), { weightDecay: 0.1 })],
  ["rmsprop (centered, momentum) with a warm-up", optim.rmsprop(optim.linearWarmup(0.01, 3), { momentum: 0.9, centered: true })],
  ["adam with clipping and joined schedules", optim.withClipping(1, optim.adam(optim.joinSchedules([optim.constantSchedule(1e-2), optim.constantSchedule(1e-3)], [2])))],
];

describe("optimizer updates stage once", () => {
  for (const [name, opt] of staged)
    it(lawTitle(`${name}: jit traces the update once and replays the eager update bit for bit`), () => {
      assertLaw(stagedUpdateMatchesEager(opt as Opt));
    });
});
