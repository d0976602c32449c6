/**
 * Training-state checkpoint files, for Node: the bytes of `./checkpoint-format.ts` (re-exported here,
 * with `serializeTrainState` and `deserializeTrainState` using zlib's CRC-32: same bytes, same results)
 * written atomically to a file and read back.
 */
import { chain, tryCatch, type Either } from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { readFileSync } from "node:fs";
import type { Tree } from "../core/pytree.js";
import { deserialize, saveCheckpoint, serialize } from "../data/checkpoint.js";
import { deserializeTrainStateWith, trainStateTree, type LoadedTrainState } from "./checkpoint-format.js";
import type { TrainState } from "./step.js";

export { TRAIN_STATE_FORMAT, TRAIN_STATE_VERSION } from "./checkpoint-format.js";
export type { LoadedTrainState } from "./checkpoint-format.js";

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

/**
 * Saves a training state (and an optional extra tree) to `path` atomically: the file is either the old
 * one or the new one, never a mix.
 *
 * @example
 * ```ts
 * const state = train.initTrainState({ w: zeros("3") }, optim.adam(1e-3), random.key(0));
 * train.saveTrainState("run.ckpt", state, { history: [0.51, 0.43] });
 * ```
 */
export const saveTrainState = (path: string, state: TrainState<unknown, unknown>, extra?: Tree): void => saveCheckpoint(path, trainStateTree(state, extra));

/**
 * Loads a training state saved by {@link saveTrainState}, checked against `like` (see {@link deserializeTrainState}).
 *
 * @example
 * ```ts
 * const like = train.initTrainState({ w: zeros("3") }, optim.adam(1e-3), random.key(0));
 * const r = train.loadTrainState("run.ckpt", like);
 * if (r._tag === "Left") console.error(r.left); // "checkpoint run.ckpt: …", naming what does not match
 * ```
 */
export const loadTrainState = <P, O>(path: string, like: TrainState<P, O>): Either<string, LoadedTrainState<P, O>> =>
  pipe(
    tryCatch(() => readFileSync(path), (e) => `checkpoint ${path}: cannot read the file (${e instanceof Error ? e.message : String(e)})`),
    chain((b) => deserializeTrainState(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), like, `checkpoint ${path}`)),
  );
