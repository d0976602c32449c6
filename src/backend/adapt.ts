/**
 * Choosing between running a job alone and sharing it with the helper thread, from measurements: the
 * helper is worth it only while it gets a core. On a busy machine it can be descheduled for a time
 * slice (milliseconds) while the caller waits for its chunk, and a sub-millisecond product then takes
 * longer than on one thread. So each kind of job (one GEMM plan) keeps a running estimate of its time
 * both ways and takes the faster; now and then it tries the other way again, less often each time the
 * try confirms the choice (8, 16, … 256 jobs), and soon again once a try changes it.
 */

/** The first exploration interval, in jobs, and the longest. */
const FIRST_INTERVAL = 8;
const MAX_INTERVAL = 256;
/** Measurements kept per way: the estimate is their median, so one outlier (a GC pause) moves nothing. */
const KEPT = 3;

/** Which way to run the next job of one kind, and what it cost. */
export interface WayChooser {
  /** Whether to share the next job with the helper thread. */
  share(): boolean;
  /** Records that a job took `ms` milliseconds, shared or alone. */
  record(shared: boolean, ms: number): void;
}

/** The median of up to three numbers (the smaller of two); NaN for none. */
function estimate(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  if (xs.length < 3) return Math.min(...xs);
  const [a, b, c] = xs as [number, number, number];
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/** A fresh chooser: it shares first (a free core is the common case), and measures alone soon after. */
export function wayChooser(): WayChooser {
  const kept: [number[], number[]] = [[], []]; // [alone, shared]
  let interval = FIRST_INTERVAL;
  let countdown = FIRST_INTERVAL;
  let exploring = false;
  // Share unless sharing has been slower.
  const best = (): boolean => !(estimate(kept[1]) > estimate(kept[0]));
  return {
    share() {
      exploring = false;
      if (kept[1].length < 2) return true;
      if (kept[0].length < 2) return false;
      if (--countdown <= 0) {
        exploring = true;
        return !best();
      }
      return best();
    },
    record(shared, ms) {
      const known = kept[0].length >= 2 && kept[1].length >= 2;
      const before = best();
      const other = estimate(kept[shared ? 0 : 1]);
      const k = kept[shared ? 1 : 0];
      k.push(ms);
      if (k.length > KEPT) k.shift();
      if (!known) return;
      if (exploring) {
        // A try of the other way: if it was no faster, try less often; if it was, try again soon.
        interval = !(ms < other) ? Math.min(MAX_INTERVAL, interval * 2) : FIRST_INTERVAL;
        countdown = interval;
      } else if (best() !== before) {
        // The chosen way got slower than the other: look at the other again soon.
        interval = FIRST_INTERVAL;
        countdown = interval;
      }
    },
  };
}
