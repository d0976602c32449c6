/**
 * Checkpoint files in Node: parameter trees saved to and loaded from one file, streamed both ways
 * (saving never builds the whole file in memory, loading reads each leaf straight into its tensor's
 * storage, so checkpoints over 2 GiB work; each tensor must fit in one typed array), with zlib's CRC-32.
 * The format and its checks are `./checkpoint-format.ts`, which needs no Node module; this file
 * re-exports it, with `crc32`, `serialize` and `deserialize` using zlib's CRC-32 (same bytes, same results).
 */
import { closeSync } from "node:fs";
import * as zlib from "node:zlib";
import { left, type Either } from "fp-ts/lib/Either.js";
import type { Tree } from "../core/pytree.js";
import { InputError } from "../errors.js";
import {
  attempt, Bad, CheckpointError, crc32Tables, deserializeWith, emit, layout, load, serializeWith, type Crc32, type Deserialize, type Layout, type Source,
} from "./checkpoint-format.js";
import { openRegularFile, readAt, writeAll, writeAtomic } from "./files.js";

export { CHECKPOINT_MAGIC, CHECKPOINT_VERSION, CheckpointError, CheckpointHeaderCodec, crc32Tables } from "./checkpoint-format.js";
export type { CheckpointHeader, Crc32, Deserialize, LeafEntry, TreeNode } from "./checkpoint-format.js";

/** zlib's own CRC-32 where Node has it (22.2, 20.15 and later): several times faster than the tables. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/**
 * Continues a CRC-32 (IEEE, as in zlib) over `bytes`; start with `0`. zlib's where Node has it, else the JavaScript tables.
 *
 * @example
 * ```ts
 * data.crc32(new TextEncoder().encode("123456789")); // 0xcbf43926
 * ```
 */
export const crc32: Crc32 = (bytes, crc = 0) => {
  if (bytes.length === 0) return crc; // (Node 20's zlib.crc32 returns 0 for an empty view of an empty buffer)
  return nativeCrc32 !== undefined ? nativeCrc32(bytes, crc) : crc32Tables(bytes, crc);
};

/**
 * Encodes a parameter tree (tensors and numbers in records and arrays) as checkpoint bytes; throws a
 * {@link CheckpointError} for a value that cannot be saved, colliding paths, or a file too large for one array.
 *
 * @example
 * ```ts
 * const bytes: Uint8Array = data.serialize({ w: ones("2 2"), b: zeros("2"), step: 3 });
 * ```
 */
export const serialize = (tree: unknown): Uint8Array => serializeWith(crc32, tree);

/**
 * Decodes checkpoint bytes into a parameter tree; with `like` (the model's parameters, e.g. from
 * `init`), checks every path, shape, dtype and dim name against it and returns a tree of `like`'s type and structure.
 * Messages start with `source` (the file name when called by {@link loadCheckpoint}).
 *
 * @example
 * ```ts
 * const bytes = data.serialize({ w: ones("2 2"), step: 3 });
 * const back = data.deserialize(bytes, { w: zeros("2 2"), step: 0 }); // Right: the same tree, checked against `like`
 * ```
 */
export const deserialize: Deserialize = deserializeWith(crc32);

/**
 * Saves a parameter tree to `path` atomically and durably (streamed to a temporary file, fsynced,
 * renamed, directory fsynced), creating the directory and removing temporaries of interrupted saves.
 * Any failure is a {@link CheckpointError} naming the file; the previous file at `path` is then untouched.
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(tmpdir(), "params.tenfold");
 * data.saveCheckpoint(file, { w: ones("2 2"), b: zeros("2") }); // atomic: a crash leaves the old file
 * ```
 */
export function saveCheckpoint(path: string, tree: unknown): void {
  let l: Layout;
  try {
    l = layout(tree);
  } catch (e) {
    throw e instanceof CheckpointError ? new CheckpointError(`saveCheckpoint ${path}`, e.detail) : e;
  }
  try {
    writeAtomic(path, (fd) => emit(l, (bytes) => writeAll(fd, bytes), crc32));
  } catch (e) {
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string")
      throw Object.assign(new CheckpointError(`saveCheckpoint ${path}`, `cannot write the file (${e.message})`), { cause: e });
    throw e;
  }
}

/** The bytes of an open file, read where asked; a file that shrank meanwhile is a {@link Bad}. */
const fileSource = (fd: number, size: number): Source => ({
  size,
  read: (into, at) => {
    const got = readAt(fd, into, at);
    if (got !== into.length) throw new Bad(`the file changed while it was read (it ended at byte ${at + got}, expected ${size} bytes)`);
  },
});

/**
 * Loads a checkpoint file, streamed (see {@link deserialize}); a missing file, a FIFO or a device is a `Left` too.
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(tmpdir(), "params-example.tenfold");
 * data.saveCheckpoint(file, { w: ones("2 2") });
 * const loaded = data.loadCheckpoint(file, { w: zeros("2 2") }); // Right({ w }), or Left naming the file and the problem
 * ```
 */
export function loadCheckpoint(path: string, like?: undefined): Either<string, Tree>;
export function loadCheckpoint<T>(path: string, like: T): Either<string, T>;
export function loadCheckpoint(path: string, like?: unknown): Either<string, unknown> {
  let file: { fd: number; size: number };
  try {
    file = openRegularFile(path);
  } catch (e) {
    if (e instanceof InputError) return left(`checkpoint ${e.message}`);
    throw e;
  }
  try {
    return attempt(`checkpoint ${path}`, () => load(fileSource(file.fd, file.size), like, crc32));
  } finally {
    closeSync(file.fd);
  }
}
