/**
 * The whole table of primitives: the first-order ones (`primitives/registry.ts`) and the ones that hold
 * programs — the staged call, custom rules, scan, while and cond — each a record with all its rules.
 */
import type { AnyPrimitive } from "../core/primitive.js";
import { firstOrderPrimitives } from "../primitives/registry.js";
import { callP } from "./call.js";
import { customJvpP, customVjpP } from "./custom.js";
import { condP, scanP, whileP } from "./control.js";

/** Every primitive of the library, by its name. */
export const allPrimitives: Readonly<Record<string, AnyPrimitive>> = Object.freeze({
  ...firstOrderPrimitives,
  ...Object.fromEntries([callP, customJvpP, customVjpP, scanP, whileP, condP].map((p) => [p.name, p])),
});
