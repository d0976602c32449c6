/**
 * The part of `data` that works on every host (no file system): codecs for tensors and training
 * configurations. This is what the platform-neutral root entry exports as `data`; `./index.ts` adds the
 * file-based loaders, the dataset cache and checkpoint files for Node.
 */
export {
  tensorCodec, decodeTensor, encodeTensor, formatErrors, trainConfigCodec, decodeTrainConfig, TRAIN_CONFIG_DEFAULTS, TRAIN_MODELS,
  PositiveInt, Int, PositiveNumber,
} from "./codecs.js";
export type { TensorCodec, TensorCodecOptions, EncodedTensor, TrainConfig } from "./codecs.js";
