import { type Env } from './cli-options.js';

/** What a command may use: its arguments, the environment, the clock, and where to print. */
export interface CommandContext {
  argv: readonly string[];
  env: Env;
  now: number;
  out(text: string): void;
  /** Progress and warnings that are not the answer (stderr). */
  err(text: string): void;
  /** Aborts on Ctrl-C / SIGTERM: a command that runs until stopped ends cleanly on it. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for `pulse --help`. */
  summary: string;
  /** `pulse <name> --help`. */
  help: string;
  run(context: CommandContext): Promise<void>;
}

/** The command ran but cannot deliver (exit code 1), e.g. a service that is not there yet. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}
