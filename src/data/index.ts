/** Data at the boundary: IDX files, the packaged datasets and their binary cache (Node), and everything in `./bytes.ts`. */
export * from "./bytes.js";
export { loadFashionMnist, loadMnist, loadIdxDir, FASHION_MNIST_CLASSES, IDX_FILES } from "./datasets.js";
export type { Dataset, LoadOptions, CacheEvent } from "./datasets.js";
export { parseIdx, readIdx, loadIdxDataset, LabelRangeError } from "./idx.js";
export type { Idx, IdxType, Split, IdxDatasetOptions } from "./idx.js";
export { NotRegularFileError, removeStaleTemps } from "./files.js";
export {
  tensorCodec, decodeTensor, encodeTensor, formatErrors, trainConfigCodec, decodeTrainConfig, TRAIN_CONFIG_DEFAULTS, TRAIN_MODELS,
  PositiveInt, Int, PositiveNumber,
} from "./codecs.js";
export type { TensorCodec, TensorCodecOptions, EncodedTensor, TrainConfig } from "./codecs.js";
export {
  serialize, deserialize, saveCheckpoint, loadCheckpoint, crc32, CHECKPOINT_MAGIC, CHECKPOINT_VERSION, CheckpointHeaderCodec, CheckpointError,
} from "./checkpoint.js";
export type { CheckpointHeader, LeafEntry, TreeNode } from "./checkpoint.js";
