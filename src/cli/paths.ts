/**
 * The demo's paths, checked before any work: inputs exist, and each output can be written the way the
 * demo will write it, so that a bad path fails in a second, not after the run.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { DemoConfig } from "./args.js";

/** A path that cannot be used, with its one-line message. */
class PathError extends Error {}

/**
 * The first line of an error's message; for a system error, without the path it names (ours says it).
 * @example messageOf(new Error("a\nb")) // "a"
 */
export const messageOf = (e: unknown): string => {
  // A library error wrapping a system error (a failed checkpoint save): the system error says it in a line.
  if (e instanceof Error && e.cause instanceof Error && typeof (e.cause as NodeJS.ErrnoException).syscall === "string") return messageOf(e.cause);
  const line = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === "string" ? line.replace(/, \w+( '.*')?$/, "") : line;
};

/** Whether `e` is a Node system error with this code. */
const hasCode = (e: unknown, code: string): boolean => e instanceof Error && (e as NodeJS.ErrnoException).code === code;

/**
 * `mkdir -p` one level at a time: Node's recursive `mkdirSync` never returns for a directory under `/proc`
 * (it retries the `ENOENT` for ever), and this gives the first level's own error.
 */
function makeDirectory(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirectory(parent);
  mkdirSync(dir);
}

/**
 * Checks that `path` can be written the way the demo will write it, by doing it: an existing file is
 * opened for writing (not truncated), a new one is created and removed again, its directory made first.
 * So a read-only or missing directory, a path through a file, a name too long for the file system, a
 * directory in the way or (for `regular`) a device are found before training, not after it.
 */
function checkWritable(flag: string, path: string, regular: boolean): void {
  const abs = resolve(path);
  let exists = true;
  try {
    const st = statSync(abs);
    if (st.isDirectory()) throw new PathError(`${flag}: ${path} is a directory, expected a file path`);
    if (regular && !st.isFile()) throw new PathError(`${flag}: ${path} is not a regular file`);
  } catch (e) {
    if (e instanceof PathError) throw e;
    if (!hasCode(e, "ENOENT")) throw new PathError(`${flag}: cannot write ${path} (${messageOf(e)})`);
    exists = false;
  }
  try {
    makeDirectory(dirname(abs));
    closeSync(openSync(abs, exists ? "r+" : "wx"));
    if (!exists) unlinkSync(abs);
  } catch (e) {
    throw new PathError(`${flag}: cannot write ${path} (${messageOf(e)})`);
  }
}

/**
 * Checks the paths given by flags before any work: the data directory and the checkpoint to resume exist,
 * the outputs can be written; returns the one-line problem, if any.
 * @example checkPaths({ ...config, chart: "/proc/chart.svg" }) // "--chart: cannot write /proc/chart.svg (ENOENT: no such file or directory)"
 */
export function checkPaths(config: DemoConfig): string | undefined {
  try {
    checkAll(config);
    return undefined;
  } catch (e) {
    if (e instanceof PathError) return e.message;
    throw e;
  }
}

function checkAll(config: DemoConfig): void {
  if (config.dataDir !== undefined && !(existsSync(config.dataDir) && statSync(config.dataDir).isDirectory()))
    throw new PathError(`--data-dir: no such directory: ${config.dataDir}`);
  if (config.resume !== undefined && !(existsSync(config.resume) && statSync(config.resume).isFile()))
    throw new PathError(`--resume: no such file: ${config.resume}`);
  const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && resolve(a) === resolve(b);
  if (same(config.chart, config.checkpoint)) throw new PathError(`--chart and --checkpoint are the same file: ${config.chart}`);
  if (same(config.chart, config.resume)) throw new PathError(`--chart would overwrite the checkpoint to resume: ${config.chart}`);
  checkWritable("--chart", config.chart, false);
  if (config.checkpoint !== undefined) checkWritable("--checkpoint", config.checkpoint, true);
}

