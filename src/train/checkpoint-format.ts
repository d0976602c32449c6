/**
 * A training run as checkpoint bytes: the whole {@link TrainState} — parameters, optimizer state, step
 * count, last loss and the position in the data (epoch, batch, data key) — plus any extra tree the caller
 * keeps with it (a history of metrics, a config). The bytes are `data/checkpoint-format`'s; this file only
 * decides the tree that goes in and checks what comes out, so resuming from them continues the run
 * exactly where it stopped. It works on every host; `./checkpoint.ts` adds the files, for Node.
 *
 * The saved tree is `{ format: "tenfold-train-state", version, state, extra }`, the key as its two words.
 */
import { isLeft, left, right, type Either } from "fp-ts/lib/Either.js";
import type { Tree } from "../core/pytree.js";
import { deserialize, serialize, type Deserialize } from "../data/checkpoint-format.js";
import { key as keyFromSeed, keyData, type Key } from "../random/key.js";
import type { TrainPosition, TrainState } from "./step.js";

/**
 * The `format` field of a training-state checkpoint.
 *
 * @example
 * ```ts
 * train.TRAIN_STATE_FORMAT; // "tenfold-train-state"
 * ```
 */
export const TRAIN_STATE_FORMAT = "tenfold-train-state";

/**
 * The version of the saved tree this build writes and reads.
 *
 * @example
 * ```ts
 * train.TRAIN_STATE_VERSION; // 1
 * ```
 */
export const TRAIN_STATE_VERSION = 1;

/** A training state read back, with the extra tree saved beside it (`undefined` when none was). */
export interface LoadedTrainState<P, O> {
  readonly state: TrainState<P, O>;
  readonly extra: Tree;
}

const START: TrainPosition = { epoch: 0, batch: 0, dataKey: null };

/** The tree saved for a state: the position's key as plain words (a key is a record, not a tensor). */
export const trainStateTree = (state: TrainState<unknown, unknown>, extra: Tree): unknown => {
  const { epoch, batch, dataKey } = state.position ?? START;
  return {
    format: TRAIN_STATE_FORMAT,
    version: TRAIN_STATE_VERSION,
    state: {
      params: state.params,
      optState: state.optState,
      step: state.step,
      loss: state.loss,
      position: { epoch, batch, dataKey: dataKey === null ? null : wordsOf(dataKey) },
      // The model's key (dropout), a tensor like the parameters.
      ...(state.key === undefined ? {} : { key: state.key }),
    },
    extra,
  };
};

/**
 * The checkpoint bytes of a training state (a state without a position is saved at the start of the data)
 * and an optional extra tree of tensors, numbers, strings, records and arrays.
 *
 * @example
 * ```ts
 * const state = train.initTrainState({ w: zeros("3") }, optim.sgd(0.1), random.key(0));
 * const bytes = train.serializeTrainState(state, { history: [0.51, 0.43] }); // a checkpoint file's bytes
 * ```
 */
export const serializeTrainState = (state: TrainState<unknown, unknown>, extra?: Tree): Uint8Array => serialize(trainStateTree(state, extra));

/**
 * Decodes a training state from checkpoint bytes, checking every tensor's path, shape and dtype against
 * `like` (e.g. `initTrainState(init params, optimizer, key)`); `extra` comes back as saved. Messages start
 * with `source`.
 *
 * @example
 * ```ts
 * const like = train.initTrainState({ w: zeros("3") }, optim.sgd(0.1), random.key(0));
 * const bytes = train.serializeTrainState(like, { history: [0.51] });
 * const r = train.deserializeTrainState(bytes, like); // right({ state, extra: { history: [0.51] } })
 * if (r._tag === "Right") r.right.state.step; // 0
 * ```
 */
export const deserializeTrainState = <P, O>(bytes: Uint8Array, like: TrainState<P, O>, source = "checkpoint"): Either<string, LoadedTrainState<P, O>> =>
  deserializeTrainStateWith(deserialize, bytes, like, source);

/** {@link deserializeTrainState} with a given checkpoint decoder (Node's entry passes the one using zlib's CRC-32). */
export function deserializeTrainStateWith<P, O>(deserialize: Deserialize, bytes: Uint8Array, like: TrainState<P, O>, source = "checkpoint"): Either<string, LoadedTrainState<P, O>> {
  const raw = deserialize(bytes, undefined, source);
  if (isLeft(raw)) return raw;
  const tree = raw.right as { readonly [k: string]: Tree } | null;
  const got = tree !== null && typeof tree === "object" && !Array.isArray(tree) ? tree : {};
  if (got["format"] !== TRAIN_STATE_FORMAT)
    return left(`${source}: not a training state (it holds ${got["format"] === undefined ? "no \"format\" field: a parameter checkpoint?" : `format ${JSON.stringify(got["format"])}`}; expected "${TRAIN_STATE_FORMAT}")`);
  if (got["version"] !== TRAIN_STATE_VERSION)
    return left(`${source}: unsupported training-state version ${JSON.stringify(got["version"])} (this build reads version ${TRAIN_STATE_VERSION})`);
  const extra = got["extra"];
  // Checked against the caller's state for everything but the position's key, which may or may not be there.
  const savedKey = (got["state"] as { position?: { dataKey?: unknown } } | undefined)?.position?.dataKey;
  const likeTree = trainStateTree(like, extra) as { state: { position: { dataKey: unknown } } };
  likeTree.state.position.dataKey = savedKey === null ? null : { hi: 0, lo: 0 };
  const typed = deserialize(bytes, likeTree, source);
  if (isLeft(typed)) return typed;
  const s = typed.right.state as unknown as TrainState<P, O> & { position: { epoch: number; batch: number; dataKey: { hi: number; lo: number } | null } };
  const { epoch, batch, dataKey } = s.position;
  for (const [name, v] of [["step", s.step], ["position.epoch", epoch], ["position.batch", batch]] as const)
    if (!Number.isSafeInteger(v) || v < 0) return left(`${source}: corrupt training state: ${name} is ${v}, expected a non-negative integer`);
  const word = (v: number) => Number.isInteger(v) && v >= 0 && v < 2 ** 32;
  if (dataKey !== null && !(word(dataKey.hi) && word(dataKey.lo)))
    return left(`${source}: corrupt training state: the data key [${dataKey.hi}, ${dataKey.lo}] is not two uint32 words`);
  const position: TrainPosition = { epoch, batch, dataKey: dataKey === null ? null : keyOfWords(dataKey.hi, dataKey.lo) };
  return right({ state: { params: s.params, optState: s.optState, step: s.step, loss: s.loss, position, ...(s.key === undefined ? {} : { key: s.key }) }, extra });
}

/** The key with words `[hi, lo]` (the seed whose 64-bit two's complement they are). */
const wordsOf = (k: Key): { hi: number; lo: number } => {
  const [hi, lo] = keyData(k);
  return { hi: hi!, lo: lo! };
};
const keyOfWords = (hi: number, lo: number): Key => keyFromSeed(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
