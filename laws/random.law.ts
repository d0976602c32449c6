/** Laws of explicit randomness, from the kit's `deterministicUnderKey`: samples are functions of their key. */
import { describe, it } from "vitest";
import * as T from "../src/index.js";
import { assertLaw, deterministicUnderKey, lawTitle } from "../src/testing/index.js";

const { random } = T;

describe("same key, same numbers; different keys, different numbers", () => {
  const samplers: [string, (k: T.Key) => unknown][] = [
    ["normal", (k) => random.normal(k, "4 3")],
    ["uniform", (k) => random.uniform(k, "5", { lo: -2, hi: 2 })],
    ["bernoulli", (k) => random.bernoulli(k, 0.5, "64")],
    ["permutation", (k) => random.permutation(k, 16)],
    ["categorical", (k) => random.categorical(k, T.zeros("8 10"))],
    ["split keys", (k) => random.split(k, 3)],
    ["foldIn", (k) => random.foldIn(k, 7)],
    ["an MLP's init", (k) => T.nn.mlp([3, 5, 2]).init(k)],
  ];
  for (const [name, fn] of samplers)
    it(lawTitle(name), () => {
      assertLaw(deterministicUnderKey(fn));
    });
  it(lawTitle("dropout in training mode"), () => {
    const drop = T.nn.dropout(0.5);
    const x = T.ones("8 8");
    assertLaw(deterministicUnderKey((k) => drop.apply(null, x, { key: k, training: true })));
  });
});
