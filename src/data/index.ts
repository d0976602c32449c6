/** Data at the boundary: IDX files, the packaged datasets and their binary cache. */
export { loadFashionMnist, loadMnist, loadIdxDir, FASHION_MNIST_CLASSES, IDX_FILES } from "./datasets.js";
export type { Dataset, LoadOptions, CacheEvent } from "./datasets.js";
export { parseIdx, readIdx, loadIdxDataset } from "./idx.js";
export type { Idx, IdxType, Split } from "./idx.js";
