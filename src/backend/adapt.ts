/**
 * Choosing between running a job alone and sharing it with the helper thread, from measurements: the
 * helper is worth it only while it gets a core. On a busy machine it is now and then descheduled for a
 * time slice (milliseconds) while the caller waits for its chunk, and a sub-millisecond product then
 * costs far more than on one thread: rare, large delays, so the comparison is of mean times, not of
 * typical ones. Each kind of job (one GEMM plan) runs one way and keeps the mean of its last 24 jobs
 * each way; now and then it runs a block of 8 jobs the other way and switches if that way's mean is
 * now the lower. Tries come less often each time they confirm the choice (after 32, 64, … 1024 jobs:
 * about 1 % of the jobs run the slower way once settled), and soon again after a switch.
 */

/** Jobs per try of the other way, and the window of each way's mean. */
const BLOCK = 8;
const WINDOW = 24;
/** Jobs between tries: the first interval, and the longest. */
const FIRST_INTERVAL = 32;
const MAX_INTERVAL = 1024;

/** Which way to run the next job of one kind, and what it cost. */
export interface WayChooser {
  /** Whether to share the next job with the helper thread. */
  share(): boolean;
  /** Records that the job just chosen took `ms` milliseconds. */
  record(ms: number): void;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A fresh chooser: it shares first (a free core is the common case) and tries alone after a block. */
export function wayChooser(): WayChooser {
  let shared = true; // the current way
  // The last WINDOW times each way ([alone, shared]); the other way's come from its tries.
  const times: [number[], number[]] = [[], []];
  let trying = 0; // jobs of the current try of the other way still to run
  let interval = FIRST_INTERVAL;
  let countdown = BLOCK; // the first try comes once the first block has run shared
  const push = (way: boolean, ms: number): void => {
    const w = times[way ? 1 : 0];
    w.push(ms);
    if (w.length > WINDOW) w.shift();
  };
  return {
    share() {
      if (trying === 0 && countdown <= 0) trying = BLOCK;
      return trying > 0 ? !shared : shared;
    },
    record(ms) {
      if (trying === 0) {
        push(shared, ms);
        countdown--;
        return;
      }
      push(!shared, ms);
      if (--trying > 0) return;
      if (mean(times[shared ? 0 : 1]) < mean(times[shared ? 1 : 0])) {
        shared = !shared;
        interval = FIRST_INTERVAL;
      } else {
        interval = Math.min(MAX_INTERVAL, interval * 2);
      }
      countdown = interval;
    },
  };
}
