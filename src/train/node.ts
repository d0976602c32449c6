/**
 * Training for Node: everything in `./index.ts`, with training-state checkpoint files (they use the file
 * system: the module that holds them imports node:fs, so the platform-neutral root leaves them out).
 * Re-exports only.
 */
export * from "./index.js";
export { saveTrainState, loadTrainState, serializeTrainState, deserializeTrainState, TRAIN_STATE_FORMAT, TRAIN_STATE_VERSION } from "./checkpoint.js";
export type { LoadedTrainState } from "./checkpoint.js";
