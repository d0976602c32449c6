/**
 * Data at the boundary, for Node: everything in `./bytes.ts`, with IDX files and gzipped IDX bytes, the
 * packaged datasets and their binary cache, and checkpoint files. `parseIdx`, `serialize`, `deserialize`
 * and `crc32` here are Node's (gzip; zlib's CRC-32), shadowing the host-independent ones of `./bytes.ts`.
 */
export * from "./bytes.js";
export { loadFashionMnist, loadMnist, loadIdxDir, FASHION_MNIST_CLASSES, IDX_FILES } from "./datasets.js";
export type { Dataset, LoadOptions, CacheEvent } from "./datasets.js";
export { parseIdx, readIdx, loadIdxDataset } from "./idx.js";
export type { IdxDatasetOptions } from "./idx.js";
export { NotRegularFileError, removeStaleTemps } from "./files.js";
export { serialize, deserialize, saveCheckpoint, loadCheckpoint, crc32 } from "./checkpoint.js";
