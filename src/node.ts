/**
 * tenfold for Node, the entry `tenfold` resolves to under the `node` condition: everything in the
 * platform-neutral `./index.ts`, with `data` holding the file-based parts too (IDX files, the packaged
 * datasets and their cache, checkpoint files). Re-exports only.
 */
export * from "./index.js";
export * as data from "./data/index.js";
export * as train from "./train/node.js";
