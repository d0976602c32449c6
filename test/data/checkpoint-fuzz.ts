/**
 * The checkpoint fuzz report: random single mutations of a real MLP checkpoint (the demo's 784-200-200-10
 * parameters), counted by outcome. A "wrong Right" is a load that succeeds with values that differ from
 * what was saved. Run: `npx tsx test/data/checkpoint-fuzz.ts [runs] [seed]`.
 */
import fc from "fast-check";
import { isRight } from "fp-ts/lib/Either.js";
import { deserialize, serialize } from "../../src/data/checkpoint.js";
import { mlp, relu } from "../../src/nn/layers.js";
import { key } from "../../src/random/key.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { applyMutation, damageArb, mutationArb, resealedArb, sameBytes, sameTree, type Mutation } from "./mutations.js";
import { v1Tree } from "./fixtures/v1-tree.js";

const runs = Number(process.argv[2] ?? 8000);
const seed = Number(process.argv[3] ?? 16);
const model = mlp([784, 200, 200, 10], { activation: relu });
const tree = { params: model.init(key(0)), step: 12, meta: { model: "mlp", activation: "relu" } };
const otherTree = { params: model.init(key(1)), step: 13, meta: { model: "mlp", activation: "relu" } };
const other = serialize(otherTree);
const mlpBytes = serialize(tree);

/** Counts of outcomes per mutation kind (of `bytes`, holding `tree`; splices take their tail from `other`, holding `otherTree`). */
function measure(name: string, arb: fc.Arbitrary<Mutation>, n: number, bytes: Uint8Array, tree: unknown, other: Uint8Array, otherTree: unknown): void {
  const rows = new Map<string, { tried: number; left: number; sameRight: number; wrongRightLike: number; wrongRight: number }>();
  let examples = 0;
  for (const m of fc.sample(arb, { numRuns: n, seed })) {
    const kind = m.kind === "resealed" ? `resealed ${m.edit.kind}` : m.kind;
    const row = rows.get(kind) ?? { tried: 0, left: 0, sameRight: 0, wrongRightLike: 0, wrongRight: 0 };
    rows.set(kind, row);
    row.tried++;
    const mutated = applyMutation(bytes, m, other);
    // A splice can rebuild the other file whole: then its values are the right ones.
    const want = sameBytes(mutated, other) ? otherTree : tree;
    const withLike = deserialize(mutated, tree);
    const bare = deserialize(mutated);
    if (isRight(withLike) && !sameTree(withLike.right, want)) {
      row.wrongRightLike++;
      if (examples++ < 3) console.log(`  wrong Right with like: ${JSON.stringify(m)}`);
    } else if (isRight(withLike)) row.sameRight++;
    else row.left++;
    if (isRight(bare) && !sameTree(bare.right, want)) row.wrongRight++;
  }
  const total = [...rows.values()].reduce((a, r) => ({ tried: a.tried + r.tried, wrongRightLike: a.wrongRightLike + r.wrongRightLike, wrongRight: a.wrongRight + r.wrongRight }), { tried: 0, wrongRightLike: 0, wrongRight: 0 });
  console.log(`${name}: ${total.tried} mutations, ${total.wrongRightLike} wrong Rights loading into the model, ${total.wrongRight} wrong Rights loading without a model`);
  for (const [kind, r] of [...rows.entries()].sort()) {
    console.log(`  ${kind.padEnd(26)} tried ${String(r.tried).padStart(5)}  Left ${String(r.left).padStart(5)}  same Right ${String(r.sameRight).padStart(4)}  wrong Right (like) ${String(r.wrongRightLike).padStart(4)}  wrong Right (bare) ${String(r.wrongRight).padStart(4)}`);
  }
}

console.log(`MLP 784-200-200-10 checkpoint: ${mlpBytes.length} bytes, seed ${seed}`);
measure("single mutations of every kind", mutationArb, runs, mlpBytes, tree, other, otherTree);
measure("header edits with a recomputed checksum", resealedArb, Math.round(runs / 4), mlpBytes, tree, other, otherTree);
const v1 = new Uint8Array(readFileSync(join(import.meta.dirname, "fixtures", "v1-mlp.ckpt")));
const v1Like = v1Tree();
const v1Loaded = deserialize(v1, v1Like);
if (isRight(v1Loaded)) {
  console.log(`version 1 fixture (MLP 6-5-3): ${v1.length} bytes`);
  measure("version 1: damage of every kind", damageArb, Math.round(runs / 4), v1, v1Loaded.right, other, otherTree);
} else console.log(`version 1 fixture: ${v1Loaded.left}`);
