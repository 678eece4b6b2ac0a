/** A command line the CLI cannot run (exit code 2), as opposed to a server's refusal (exit 1). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
