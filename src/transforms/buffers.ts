/**
 * Memory planning for compiled programs: the buffers a run allocates are recycled by the next run of the
 * same program (in the kernels' memory where it fits), and results may be written into donated buffers.
 */
import { freshStorage, isStorageOf, type DType, type Storage, type StorageSource } from "../tensor/dtype.js";
import { Concrete } from "../tensor/tensor.js";
import { ARENA_BASE, arenaArray, heapAddress, requestedMode } from "../backend/runtime.js";

/**
 * The planned buffers of a staged program. The k-th allocation of a run reuses the buffer of the k-th
 * allocation of the previous run when dtype and size agree, unless that buffer escaped into the results
 * (the caller owns those). Intermediates thus cost no fresh memory after the first run: a fresh large
 * typed array costs page faults, which on this kind of machine take longer than the kernels that fill it.
 * Within one run no buffer is handed out twice, so reuse never aliases two live values.
 */
export class BufferPlan implements StorageSource {
  private readonly bufs: (Storage | undefined)[] = [];
  private readonly inArena: boolean[] = [];
  private arenaTop = ARENA_BASE;
  private k = 0;
  take(dtype: DType, n: number, zeroed: boolean): Storage {
    const i = this.k++;
    const b = this.bufs[i];
    if (b !== undefined && b.length === n && isStorageOf(b, dtype)) {
      if (zeroed) b.fill(0);
      return b;
    }
    if (b !== undefined) return freshStorage(dtype, n); // the program allocates differently this run: leave the plan alone
    const slot = this.arena(dtype, n);
    // The arena is shared by every program (runs never overlap): a new slot holds another run's data.
    if (slot !== null && zeroed) slot.fill(0);
    const f = slot ?? freshStorage(dtype, n);
    this.bufs[i] = f;
    this.inArena[i] = slot !== null;
    return f;
  }
  /** A new slot in the kernels' memory (64-byte aligned, with slack for vector reads and writes past the end). */
  private arena(dtype: DType, n: number): Storage | null {
    if (requestedMode() === "typescript") return null;
    const at = Math.ceil(this.arenaTop / 64) * 64;
    const bytes = n * BYTES[dtype];
    const view = arenaArray((buf, off, len) => new ARRAYS[dtype](buf as ArrayBuffer, off, len) as Storage, at, bytes + 64, n);
    if (view !== null) this.arenaTop = at + bytes + 64;
    return view;
  }
  /** Starts a run: allocations are numbered from 0 again. */
  begin(): void {
    this.k = 0;
  }
  /**
   * The results as the caller may keep them: values in the kernels' memory are copied out (the next run
   * reuses their slots), into donated buffers where one of the same type and length is free, else into
   * fresh ones; other buffers the results hold are dropped from the plan, so no later run writes into them.
   */
  finish(results: readonly Concrete[], donated: readonly Storage[] = [], written?: Set<Storage>): Concrete[] {
    const free = donatable(results, donated);
    const out = results.map((r) => {
      if (heapAddress(r.data) === null) return r;
      const i = free.findIndex((d) => d.length === r.data.length && d.constructor === r.data.constructor);
      const data = i < 0 ? r.data.slice() : free.splice(i, 1)[0]!;
      if (i >= 0) data.set(r.data as never);
      written?.add(data);
      return new Concrete(r.shape, r.dtype, data, r.names);
    });
    const kept = new Set<ArrayBufferLike>(out.map((r) => r.data.buffer));
    for (let i = 0; i < this.bufs.length; i++) if (!this.inArena[i] && this.bufs[i] !== undefined && kept.has(this.bufs[i]!.buffer)) this.bufs[i] = undefined;
    return out;
  }
}

/**
 * The donated buffers a run may write its results into: none twice, and none that a result of this run
 * still holds (a value passed through unchanged).
 */
function donatable(results: readonly Concrete[], donated: readonly Storage[]): Storage[] {
  if (donated.length === 0) return [];
  const held = new Set<ArrayBufferLike>(results.map((r) => r.data.buffer));
  const seen = new Set<ArrayBufferLike>();
  return donated.filter((d) => {
    if (held.has(d.buffer) || seen.has(d.buffer)) return false;
    seen.add(d.buffer);
    return true;
  });
}

const BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array } as const;

