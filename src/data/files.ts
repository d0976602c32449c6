/**
 * Files at the boundary. Reads open only regular files (a FIFO would block forever, `/dev/zero` never
 * ends, a directory is not data) and read exactly the bytes asked for.
 *
 * Writes are atomic and durable: the bytes go to a temporary file in the target's directory
 * (`<name>.<pid>.<random>.tmp`), which is fsynced, renamed over the target, and then the directory is
 * fsynced so that the rename itself survives a power cut. A reader sees the old file or the new one,
 * never a mix. Temporaries left by a process that was killed mid-write (SIGKILL, a crash, a power cut)
 * are removed by the next write to the same path, once their process is known to be gone.
 */
import { closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.js";

/** What kind of file system object a stat describes, for messages. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * A path that exists but is not a regular file (a FIFO, a device such as `/dev/zero`, a directory, a socket); an {@link InputError}.
 *
 * @example
 * ```ts
 * try {
 *   await data.readIdx("/dev/zero");
 * } catch (e) {
 *   if (e instanceof data.NotRegularFileError) console.log(e.kind); // "a character device"
 * }
 * ```
 */
export class NotRegularFileError extends InputError {
  constructor(
    readonly path: string,
    /** What it is instead: `"a FIFO (named pipe)"`, `"a character device"`, `"a directory"`, … */
    readonly kind: string,
  ) {
    super(path, `is ${kind}, not a regular file`);
  }
}

/** A file opened for reading: its descriptor and its size when opened. */
export interface OpenFile {
  readonly fd: number;
  readonly size: number;
}

/**
 * Opens `path` for reading if it is a regular file; anything else (a FIFO, `/dev/zero`, a directory)
 * is a {@link NotRegularFileError} saying what it is, a file that cannot be opened an {@link InputError}.
 * Opening does not block on a FIFO. Close the descriptor when done.
 * @example const { fd, size } = openRegularFile("data/train-images-idx3-ubyte")
 */
export function openRegularFile(path: string): OpenFile {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO with no writer returns at once instead of hanging.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new InputError(path, `cannot open the file (${e instanceof Error ? e.message : String(e)})`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new NotRegularFileError(path, kindOf(st));
  }
  return { fd, size: st.size };
}

/** The most bytes handed to one `read` or `write` call (the OS limit is just under 2 GiB). */
const MAX_IO = 1 << 30;

/**
 * Reads `into.length` bytes of `fd` from byte `at` into `into`; returns how many it got (fewer only at the end of the file).
 * @example readAt(fd, new Uint8Array(16), 0) // 16
 */
export function readAt(fd: number, into: Uint8Array, at: number): number {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, Math.min(MAX_IO, into.length - got), at + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * Writes all of `bytes` to `fd`, in pieces of at most 1 GiB.
 * @example writeAll(fd, new TextEncoder().encode("hello"))
 */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, Math.min(MAX_IO, bytes.length - at));
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whether process `pid` exists (a process we may not signal exists too). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporaries an interrupted atomic write to `path` left behind (those whose writing
 * process no longer exists); returns the removed paths. Another process's write in progress is left alone.
 *
 * @example
 * ```ts
 * data.removeStaleTemps("out/mlp.ckpt"); // ["out/mlp.ckpt.4242.l8k2x9.tmp"] after a killed save, [] otherwise
 * ```
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const pattern = new RegExp(`^${escapeRegExp(basename(path))}\\.(\\d+)\\.[0-9a-z]+\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null || alive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(join(dir, name));
    } catch {
      // removed meanwhile by another writer, or not ours to remove
    }
  }
  return removed;
}

/** Fsyncs a directory so a rename in it is durable; a platform that cannot open directories (Windows) is skipped. */
function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EISDIR" || code === "EPERM" || code === "EACCES") return;
    throw e;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file atomically and durably: `write(fd)` fills a fresh temporary file, which is fsynced and
 * renamed over `path`, then the directory is fsynced. Creates the directory; removes stale temporaries
 * of earlier interrupted writes; on any failure the temporary is removed and the old file is untouched.
 * @example writeAtomic("out/model.ckpt", (fd) => writeAll(fd, bytes))
 */
export function writeAtomic(path: string, write: (fd: number) => void): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  removeStaleTemps(path);
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  let fd: number | undefined = openSync(tmp, "wx");
  try {
    write(fd);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never created
    }
    throw e;
  }
  fsyncDir(dir);
}

/**
 * Writes `bytes` to `path` atomically and durably (see {@link writeAtomic}).
 * @example writeFileAtomic("cache/mnist.bin", bytes)
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  writeAtomic(path, (fd) => writeAll(fd, bytes));
}
