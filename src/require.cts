/**
 * What `require("tenfold")` loads: tenfold is published as ES modules only, so CommonJS gets this
 * error, which says how to load it instead (without it Node reports ERR_PACKAGE_PATH_NOT_EXPORTED).
 */
const error = new Error(
  'tenfold is ESM-only and cannot be loaded with require(). Use `import { … } from "tenfold"` in an ES module ' +
    '("type": "module" in package.json, or a .mjs/.mts file), or `const tenfold = await import("tenfold")` from CommonJS.',
);
throw Object.assign(error, { code: "ERR_REQUIRE_ESM" });

export {};
