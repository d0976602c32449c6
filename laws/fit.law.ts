/**
 * The law of resumable training: for any data size, batch size, number of epochs and stopping point k,
 * training k steps, keeping the state (through its checkpoint bytes) and training on from it gives the
 * uninterrupted run's parameters, step count and loss bit for bit — for SGD with momentum, Adam, and a
 * schedule.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { isLeft } from "fp-ts/lib/Either.js";
import * as T from "../src/node.js";
import { assertLaw, law, lawParams, lawTitle, violated } from "../src/testing/index.js";

const { optim, random, train } = T;
const layer = T.nn.linear(3, 2);
type P = ReturnType<typeof layer.init>;

const optimizers: [string, T.optim.GradientTransformation<unknown>][] = [
  ["sgd with momentum", optim.sgd(0.05, { momentum: 0.9 }) as T.optim.GradientTransformation<unknown>],
  ["adam", optim.adam(0.02) as T.optim.GradientTransformation<unknown>],
  ["sgd with a cosine schedule", optim.sgd(optim.cosineDecay(0.1, 20, 0.1)) as T.optim.GradientTransformation<unknown>],
];

const runArb = fc
  .record({ n: fc.integer({ min: 1, max: 12 }), batch: fc.integer({ min: 1, max: 5 }), epochs: fc.integer({ min: 1, max: 3 }), seed: fc.nat(1000), k: fc.nat(40) })
  .map((r) => ({ ...r, k: r.k % (Math.ceil(r.n / r.batch) * r.epochs + 1) }));

const bits = (p: unknown): number[] =>
  (Object.values(p as Record<string, T.AnyTensor>) as T.AnyTensor[]).flatMap((t) => Array.from(new Uint32Array(Float32Array.from(t.toFlat()).buffer)));

describe("resuming training", () => {
  for (const [name, optimizer] of optimizers)
    it(lawTitle(`${name}: k steps, save, load, the rest = the uninterrupted run`, { numRuns: 10 }), () => {
      assertLaw(
        law(`fit resumes exactly (${name})`, runArb, ({ n, batch, epochs, seed, k }) => {
          const key = random.key(seed);
          const x = random.normal(random.foldIn(key, 1), "n 3", { n }) as unknown as T.Tensor<[number, 3]>;
          const y = random.normal(random.foldIn(key, 2), "n 2", { n }) as unknown as T.Tensor<[number, 2]>;
          const opts = {
            model: (p: P, xb: T.Tensor<[number, 3]>) => layer.apply(p, xb),
            loss: (o: T.Tensor<[number, 2]>, yb: T.Tensor<[number, 2]>) => T.nn.mse(o, yb) as T.Tensor<[], "float32">,
            optimizer,
            params: layer.init(random.foldIn(key, 3)),
            epochs,
            key: random.foldIn(key, 4),
            train: (e: number, dk: T.Key | null) => train.batches(random.foldIn(dk!, e), { x, y }, batch),
            stepEvents: false,
          };
          const whole = train.drain(train.fit(opts));
          const first = train.drain(train.fit({ ...opts, maxSteps: k }));
          const loaded = train.deserializeTrainState(train.serializeTrainState(first), train.initTrainState(opts.params, optimizer, opts.key));
          if (isLeft(loaded)) violated(loaded.left);
          const rest = train.drain(train.fit({ ...opts, state: loaded.right.state as T.TrainState<P, unknown> }));
          if (rest.step !== whole.step || !Object.is(rest.loss, whole.loss)) violated(`step/loss ${rest.step}/${rest.loss} after resuming at ${k}, ${whole.step}/${whole.loss} uninterrupted`);
          const [a, b] = [bits(rest.params), bits(whole.params)];
          if (a.some((v, i) => v !== b[i])) violated(`parameters differ after resuming at step ${k}`);
        }, lawParams({ numRuns: 10 })),
      );
    });
});
