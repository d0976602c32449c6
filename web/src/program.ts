/**
 * The staged program of one training step, printed for the page. The core's staging work (issue 15)
 * adds `makeProgram`; until the library exports it, this says so instead. This is the one place the
 * page asks for it: switching to `makeProgram` changes only this function.
 */
import type { Session } from "./session.js";

/** What the page shows under "the staged program of one training step". */
export interface ProgramView {
  /** Whether `text` is a real program (false: a message saying why there is none). */
  readonly available: boolean;
  readonly text: string;
}

/** The printed program of one training step of `session`'s model on a batch of `batchSize` (null: before any run). */
export function stagedProgram(session: Session | null, batchSize: number): ProgramView {
  void session;
  void batchSize;
  return {
    available: false,
    text:
      "The staged program of one training step will appear here once the library has makeProgram " +
      "(the core's staging work, issue 15): it stages the step — forward pass, gradient and SGD update — " +
      "into one program and prints it.",
  };
}
