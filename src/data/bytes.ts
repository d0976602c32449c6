/**
 * The part of `data` that works on every host (no file system, no zlib): codecs for tensors and
 * training configurations, IDX bytes (`parseIdx`, uncompressed) and checkpoint bytes (`serialize`,
 * `deserialize`). This is what the platform-neutral root entry exports as `data`; `./index.ts` adds, for
 * Node, the file-based loaders, the dataset cache, checkpoint files, gzipped IDX bytes and zlib's CRC-32.
 */
export {
  tensorCodec, decodeTensor, encodeTensor, formatErrors, trainConfigCodec, decodeTrainConfig, TRAIN_CONFIG_DEFAULTS, TRAIN_MODELS,
  PositiveInt, Int, PositiveNumber,
} from "./codecs.js";
export type { TensorCodec, TensorCodecOptions, EncodedTensor, TrainConfig } from "./codecs.js";
export { parseIdx, LabelRangeError } from "./idx-format.js";
export type { Idx, IdxType, Split } from "./idx-format.js";
export {
  serialize, deserialize, crc32, CHECKPOINT_MAGIC, CHECKPOINT_VERSION, CheckpointHeaderCodec, CheckpointError,
} from "./checkpoint-format.js";
export type { CheckpointHeader, LeafEntry, TreeNode } from "./checkpoint-format.js";
