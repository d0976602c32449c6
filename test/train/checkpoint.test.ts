/** A training state in one checkpoint file: everything round-trips, and a wrong file is a message naming it. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isLeft, isRight, type Either } from "fp-ts/lib/Either.js";
import { tensor, zeros, type Tensor } from "../../src/index.js";
import { serialize } from "../../src/data/checkpoint.js";
import { adam, sgd } from "../../src/optim/index.js";
import { isKey, key, keyData } from "../../src/random/key.js";
import { deserializeTrainState, loadTrainState, saveTrainState, serializeTrainState } from "../../src/train/checkpoint.js";
import { initTrainState, type TrainState } from "../../src/train/step.js";

const tmp = mkdtempSync(join(tmpdir(), "tenfold-train-ckpt-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const params = { w: tensor([[1, -2], [0.5, 3]]), b: tensor([0.25, -0]) };
const opt = adam(0.1);
const state: TrainState<typeof params, unknown> = {
  ...initTrainState(params, opt, key(2 ** 32 + 7)),
  optState: opt.update(params, opt.init(params), params)[1],
  step: 17,
  loss: 0.125,
  position: { epoch: 3, batch: 5, dataKey: key(-1) },
};
const like = initTrainState({ w: zeros("2 2"), b: zeros("2") }, opt, key(0));
const ok = <A>(e: Either<string, A>): A => {
  if (isLeft(e)) throw new Error(e.left);
  return e.right;
};
const err = <A>(e: Either<string, A>): string => {
  if (isRight(e)) throw new Error("expected a Left");
  return e.left;
};
const flat = (t: unknown) => JSON.parse(JSON.stringify(t, (_k, v) => (v !== null && typeof v === "object" && "toFlat" in v ? (v as Tensor<any>).toFlat() : v)));

describe("training-state checkpoints", () => {
  it("keep the model's key (dropout) when the state has one", () => {
    const file = join(tmp, "k.ckpt");
    const withKey = { ...state, key: key(77) };
    saveTrainState(file, withKey);
    const back = ok(loadTrainState(file, { ...like, key: key(0) }));
    expect(keyData(back.state.key!)).toEqual(keyData(key(77)));
  });
  it("round-trip parameters, optimizer state, step, loss, position and data key, and an extra tree", () => {
    const file = join(tmp, "a.ckpt");
    const extra = { history: tensor([[1, 0.5], [2, 0.25]], "float64"), note: "run 1" };
    saveTrainState(file, state, extra);
    const back = ok(loadTrainState(file, like));
    expect(flat(back.state)).toEqual(flat(state));
    expect(back.state.position!.dataKey).toEqual(key(-1));
    expect(isKey(back.state.position!.dataKey)).toBe(true);
    expect(flat(back.extra)).toEqual(flat(extra));
    // -0 and NaN survive (a state before its first step has loss NaN).
    const fresh = ok(deserializeTrainState(serializeTrainState(initTrainState(params, sgd(0.1))), initTrainState(params, sgd(0.1))));
    expect(fresh.state.loss).toBeNaN();
    expect(Object.is((fresh.state.params.b.toFlat()[1]), -0)).toBe(true);
    expect(fresh.state.position).toEqual({ epoch: 0, batch: 0, dataKey: null });
    expect(fresh.extra).toBeUndefined();
  });

  it("a state without a position is saved at the start of the data", () => {
    const { position: _, ...bare } = state;
    expect(ok(deserializeTrainState(serializeTrainState(bare), like)).state.position).toEqual({ epoch: 0, batch: 0, dataKey: null });
  });

  it("refuses a parameter checkpoint, another version, a model that does not fit, a missing file, naming the file", () => {
    expect(err(deserializeTrainState(serialize(params), like, "p.ckpt"))).toBe('p.ckpt: not a training state (it holds no "format" field: a parameter checkpoint?; expected "tenfold-train-state")');
    const v2 = serialize({ format: "tenfold-train-state", version: 2, state: {} });
    expect(err(deserializeTrainState(v2, like))).toMatch(/^checkpoint: unsupported training-state version 2 \(this build reads version 1\)$/);
    const bigger = initTrainState({ w: zeros("3 2"), b: zeros("2") }, opt, key(0));
    expect(err(deserializeTrainState(serializeTrainState(state), bigger, "s.ckpt"))).toMatch(/^s\.ckpt: does not fit the model:\n.*"state\.params\.w" has shape \[2, 2\] in the file but \[3, 2\]/s);
    expect(err(deserializeTrainState(serializeTrainState(state), initTrainState(params, sgd(0.1), key(0))))).toMatch(/optState/);
    expect(err(loadTrainState(join(tmp, "none.ckpt"), like))).toMatch(/^checkpoint .*none\.ckpt: cannot read the file \(ENOENT/);
    writeFileSync(join(tmp, "junk.ckpt"), "hello");
    expect(err(loadTrainState(join(tmp, "junk.ckpt"), like))).toMatch(/^checkpoint .*junk\.ckpt: not a tenfold checkpoint/);
  });

  it("refuses a position that is not a count, or a key that is not two uint32 words", () => {
    const bad = (position: object) => serialize({ format: "tenfold-train-state", version: 1, state: { params, optState: state.optState, step: 1, loss: 0, position } });
    expect(err(deserializeTrainState(bad({ epoch: 1.5, batch: 0, dataKey: null }), like))).toMatch(/position\.epoch is 1\.5, expected a non-negative integer/);
    expect(err(deserializeTrainState(bad({ epoch: 1, batch: 0, dataKey: { hi: -1, lo: 0 } }), like))).toMatch(/the data key \[-1, 0\] is not two uint32 words/);
  });
});
