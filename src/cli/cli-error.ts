/** An error meant for the user: printed as `qdqsim: error: <message>` with the given exit code, no stack. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
