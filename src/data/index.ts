/** Data at the boundary: IDX files, the packaged datasets and their binary cache (Node), and everything in `./bytes.ts`. */
export * from "./bytes.js";
export { loadFashionMnist, loadMnist, loadIdxDir, FASHION_MNIST_CLASSES, IDX_FILES } from "./datasets.js";
export type { Dataset, LoadOptions, CacheEvent } from "./datasets.js";
export { parseIdx, readIdx, loadIdxDataset } from "./idx.js";
export type { Idx, IdxType, Split } from "./idx.js";
export { serialize, deserialize, saveCheckpoint, loadCheckpoint, crc32, CHECKPOINT_MAGIC, CHECKPOINT_VERSION, CheckpointHeaderCodec } from "./checkpoint.js";
export type { CheckpointHeader, LeafEntry, TreeNode } from "./checkpoint.js";
