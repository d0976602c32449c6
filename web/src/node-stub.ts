/**
 * What the page's bundle gets in place of `node:fs` and `node:zlib` (see vite.config.ts): the library
 * module holding `parseIdx` also holds Node's file readers, which the page never calls.
 */
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in a browser: fetch the bytes and use parseIdx`);
};
export const readFileSync = unavailable("readFileSync");
export const gunzipSync = unavailable("gunzipSync (use DecompressionStream)");
