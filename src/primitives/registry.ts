/**
 * The table of first-order primitives: every single-output primitive, by name, with all its rules in its
 * record (shape rule, kernel, JVP, VJP, batching, and for elementwise ones the fusion formula). A test
 * enumerates it and checks every rule; another checks that no primitive module defines one missing here.
 * The primitives that hold programs (staged calls, custom rules, control flow) extend it in
 * `transforms/registry.ts`.
 */
import type { Primitive } from "../core/primitive.js";
import * as E from "./elementwise.js";
import * as R from "./reduce.js";
import * as S from "./structure.js";
import { matmulP } from "./matmul.js";
import { cumsumP } from "./scan.js";
import { randomP } from "./random.js";

const table = [
  E.negP, E.expP, E.logP, E.log1pP, E.expm1P, E.sqrtP, E.absP, E.signP, E.sinP, E.cosP, E.tanhP, E.sigmoidP, E.reluP, E.erfP,
  E.floorP, E.notP, E.castP, E.addP, E.subP, E.mulP, E.divP, E.powP, E.maximumP, E.minimumP, E.eqP, E.neP, E.ltP, E.leP, E.gtP,
  E.geP, E.andP, E.orP, E.selectP,
  R.sumP, R.maxP, R.minP, R.argmaxP, R.argminP,
  S.reshapeP, S.transposeP, S.broadcastP, S.sliceP, S.padP, S.concatP, S.takeP, S.scatterAddP, S.stopGradientP, S.checkIndexP,
  matmulP, cumsumP, randomP,
] as const satisfies readonly Primitive<any>[];

/** Every first-order primitive, by its name. */
export const firstOrderPrimitives: Readonly<Record<string, Primitive<any>>> = Object.freeze(Object.fromEntries(table.map((p) => [p.name, p])));
