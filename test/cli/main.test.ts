import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';

describe('qdqsim CLI shell', () => {
  it('gives every subcommand a description and its own --help', async () => {
    const program = await buildProgram();
    for (const cmd of program.commands) {
      expect(cmd.description(), `command ${cmd.name()} has no description`).not.toBe('');
      const help = cmd.helpInformation();
      expect(help).toContain(`Usage: qdqsim ${cmd.name()}`);
    }
  });

  it('exits non-zero with a clear message on an unknown command', () => {
    const r = spawnSync(process.execPath, ['bin/qdqsim.mjs', 'no-such-command'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command 'no-such-command'/);
  });

  it('prints help and exits 0 for --help', () => {
    const r = spawnSync(process.execPath, ['bin/qdqsim.mjs', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: qdqsim');
  });
});
