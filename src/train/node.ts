/**
 * Training for Node: everything in `./index.ts`, with training-state checkpoint files (they use the file
 * system: the module that holds them imports node:fs, so the platform-neutral root leaves them out), and
 * `serializeTrainState`/`deserializeTrainState` using zlib's CRC-32 (same bytes, faster). Re-exports only.
 */
export * from "./index.js";
export { saveTrainState, loadTrainState, serializeTrainState, deserializeTrainState } from "./checkpoint.js";
