/** Keys are int32 tensors of shape [2]: other tensors are refused as keys, and vmap maps over [B, 2] batches. */
import { expectTypeOf } from "vitest";
import { type Key, type Tensor, random, tensor, vmap, zeros } from "../../src/index.js";

const k = random.key(0);
expectTypeOf(k).toEqualTypeOf<Key>();
expectTypeOf(k).toEqualTypeOf<Tensor<[2], "int32">>();
expectTypeOf(random.split(k)).toEqualTypeOf<[Key, Key]>();
expectTypeOf(random.split(k, 3)).toEqualTypeOf<[Key, Key, Key]>();
expectTypeOf(random.splitStacked(k, 8)).toEqualTypeOf<Tensor<[8, 2], "int32">>();
expectTypeOf(random.keyData(k)).toEqualTypeOf<[number, number]>();
expectTypeOf(random.bits(k, "2 3")).toEqualTypeOf<Tensor<[2, 3], "int32">>();
// Any int32 tensor of two words is a key (JAX's raw keys), e.g. words read back from a file.
random.normal(tensor([0, 42], "int32"), "3");
// @ts-expect-error — a float tensor is not a key
random.normal(zeros("2"), "3");
// @ts-expect-error — three words are not a key
random.normal(zeros("3", "int32"), "3");
// @ts-expect-error — a batch of keys is mapped over with vmap, not passed as one key
random.normal(random.splitStacked(k, 4), "3");
// vmap over a batch of keys gives one sample per key.
expectTypeOf(vmap((kk: Key) => random.normal(kk, "3"))(random.splitStacked(k, 4))).toEqualTypeOf<Tensor<[number, 3]>>();
