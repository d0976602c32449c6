/**
 * Fashion-MNIST in the browser: the four IDX files that `scripts/prepare.ts` wrote (gzipped), fetched,
 * gunzipped by the browser's `DecompressionStream`, parsed by the library's byte-level `parseIdx` and
 * scaled to [0, 1] as the Node loader does.
 */
import { data } from "tenfold";
// The format's helpers the library keeps internal (the gzip magic, pixels to [0, 1]); like parseIdx, no Node module.
import { isGzip, scalePixels, splitFromBytes } from "../../src/data/idx-format.js";
import type { Examples } from "./session.js";

/** The class names, in label order. */
export const CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"] as const;

/**
 * Bytes of a gzipped file at `url`, decompressed. Some servers (Vite's among them) send a `.gz` file
 * with `Content-Encoding: gzip`, and the browser then hands over the decompressed bytes: those are
 * recognised by the missing gzip magic and used as they are.
 */
async function fetchGunzipped(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (!isGzip(bytes)) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** One split's uint8 pixels and labels, checked: `[n, 28, 28]` images and `n` labels. */
async function loadBytes(base: string, prefix: "train" | "t10k"): Promise<{ pixels: Uint8Array; labels: Uint8Array }> {
  const [imgBytes, lblBytes] = await Promise.all([
    fetchGunzipped(`${base}${prefix}-images-idx3-ubyte.gz`),
    fetchGunzipped(`${base}${prefix}-labels-idx1-ubyte.gz`),
  ]);
  const images = data.parseIdx(imgBytes, `${prefix}-images-idx3-ubyte`);
  const labels = data.parseIdx(lblBytes, `${prefix}-labels-idx1-ubyte`);
  if (images.type !== "uint8" || images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28)
    throw new Error(`${prefix}-images-idx3-ubyte: expected uint8 [n, 28, 28], got ${images.type} [${images.dims.join(", ")}]`);
  if (labels.type !== "uint8" || labels.dims.length !== 1 || labels.dims[0] !== images.dims[0])
    throw new Error(`${prefix}-labels-idx1-ubyte: expected ${images.dims[0]} uint8 labels, got ${labels.type} [${labels.dims.join(", ")}]`);
  return { pixels: images.data as Uint8Array, labels: labels.data as Uint8Array };
}

/** One split as tensors; `raw` keeps the uint8 pixels for drawing. */
async function loadSplit(base: string, prefix: "train" | "t10k"): Promise<Examples & { raw: Uint8Array }> {
  const { pixels, labels } = await loadBytes(base, prefix);
  const split = splitFromBytes(pixels, labels);
  return { images: split.images, labels: split.labels, raw: pixels };
}

/** The train and test splits (60,000 and 10,000 images). */
export async function loadFashionMnist(base = "./data/"): Promise<{ train: Examples; test: Examples & { raw: Uint8Array } }> {
  const [train, test] = await Promise.all([loadSplit(base, "train"), loadSplit(base, "t10k")]);
  return { train, test };
}

/** The same data as plain arrays (pixels scaled to [0, 1]), for the jax-js comparison. */
export async function loadFashionMnistArrays(base = "./data/"): Promise<{
  trainX: Float32Array; trainY: Int32Array; testX: Float32Array; testY: Int32Array; nTrain: number; nTest: number;
}> {
  const [train, test] = await Promise.all([loadBytes(base, "train"), loadBytes(base, "t10k")]);
  return {
    trainX: scalePixels(train.pixels), trainY: Int32Array.from(train.labels), testX: scalePixels(test.pixels), testY: Int32Array.from(test.labels),
    nTrain: train.labels.length, nTest: test.labels.length,
  };
}
