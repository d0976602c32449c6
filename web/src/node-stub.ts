/**
 * What the page's bundle gets in place of Node's built-in modules (see vite.config.ts): the library
 * module holding `parseIdx` also holds Node's file readers, which the page never calls. Every name those
 * modules import is here (today's and those of the data loaders being rewritten), each throwing if used;
 * once the byte-level functions have a module of their own, this file and its alias go.
 */
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in a browser: fetch the bytes and use parseIdx`);
};
/** An object whose every property access throws (for `constants` and namespace-style use). */
const unavailableObject = (name: string): object =>
  new Proxy({}, { get: (_, key) => unavailable(`${name}.${String(key)}`)() });

// node:fs
export const readFileSync = unavailable("readFileSync");
export const closeSync = unavailable("closeSync");
export const fstatSync = unavailable("fstatSync");
export const fsyncSync = unavailable("fsyncSync");
export const mkdirSync = unavailable("mkdirSync");
export const openSync = unavailable("openSync");
export const readdirSync = unavailable("readdirSync");
export const readSync = unavailable("readSync");
export const renameSync = unavailable("renameSync");
export const unlinkSync = unavailable("unlinkSync");
export const writeSync = unavailable("writeSync");
export const writeFileSync = unavailable("writeFileSync");
export const existsSync = unavailable("existsSync");
export const statSync = unavailable("statSync");
// node:fs and node:zlib
export const constants = unavailableObject("constants");
// node:zlib
export const gunzipSync = unavailable("gunzipSync (use DecompressionStream)");
export const createGunzip = unavailable("createGunzip (use DecompressionStream)");
// node:path
export const basename = unavailable("basename");
export const dirname = unavailable("dirname");
export const join = unavailable("join");
// node:stream, node:stream/promises
export const Readable = unavailableObject("Readable");
export const pipeline = unavailable("pipeline");
export default unavailableObject("node built-in");
