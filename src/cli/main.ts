import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.ts';

/**
 * Each subcommand lives in src/cli/commands/<name>.ts and exports `register(program)`.
 * Discovering them keeps this file free of per-command edits.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command('qdqsim')
    .description('Predict and check TensorRT INT8 (Q/DQ) engines without a GPU: bit-exact quantization arithmetic, ONNX reference execution, fusion simulation.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: (p: Command) => void };
    if (typeof mod.register !== 'function') throw new Error(`src/cli/commands/${f} does not export register(program)`);
    mod.register(program);
  }
  return program;
}

/** `qdqsim ... | head` closes the pipe early: that is the reader's choice, not an error. */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe(process.stdout);
  const program = await buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof CliError) {
      process.stderr.write(`qdqsim: error: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`qdqsim: error: ${err?.message ?? String(e)}\n`);
    if (process.env.QDQSIM_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
