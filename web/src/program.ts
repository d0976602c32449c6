/**
 * The staged program of one training step, printed for the page: `makeProgram` (the core's staging)
 * traces the step — forward pass, gradient, SGD update — for the first batch's shapes, and the program
 * prints one equation per line with shapes and dtypes. This is the one place the page asks for it.
 */
import { makeProgram } from "tenfold";
import type { Session } from "./session.js";

/** What the page shows under "the staged program of one training step". */
export interface ProgramView {
  /** Whether `text` is a program (false: a message saying why there is none yet). */
  readonly available: boolean;
  readonly text: string;
}

/** The printed program of one training step of `session`'s model on its first batch (null: before any run). */
export function stagedProgram(session: Session | null): ProgramView {
  if (session === null) return { available: false, text: "Press Train: the staged program of the chosen model's training step appears here." };
  const { x, y } = session.firstBatch;
  const program = makeProgram(session.step)(session.initialParams, session.initialOptState, x, y);
  return { available: true, text: String(program) };
}
