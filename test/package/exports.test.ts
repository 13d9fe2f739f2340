import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * What another project gets from `import ... from 'qdqsim'` / `'qdqsim/testing'`: the compiled dist/
 * (built by `npm test` before vitest runs), resolved through package.json "exports" in a plain Node
 * process — no TypeScript loader, as in a consumer's test suite.
 */
function runNode(code: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
}

describe('package entry points', () => {
  it('dist/ is built', () => {
    expect(existsSync('dist/index.js') && existsSync('dist/testing/index.js'), 'run `npm run build` first').toBe(true);
  });

  it("'qdqsim/testing' gives the oracle: QuantizeLinear of an exact tie rounds half to even", () => {
    const r = runNode(`
      import { DataType, oracle, arb, assertBitExact } from 'qdqsim/testing';
      const x = arb.tensorOf(DataType.FLOAT, [4], [0.125, 0.375, -0.125, 100]);   // x/s = 2.5, 7.5, -2.5, 2000
      const q = oracle.quantizeTensor(x, arb.tensorOf(DataType.FLOAT, [], [0.05]), arb.tensorOf(DataType.INT8, [], [0]), { outputDtype: DataType.INT8 });
      assertBitExact(q, arb.tensorOf(DataType.INT8, [4], [2, 8, -2, 127]), 'tie');
      console.log(JSON.stringify(Array.from(q.data)));
    `);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('[2,8,-2,127]');
  });

  it("'qdqsim' gives the simulator: a zoo ResNet-18 with pytorch-quantization Q/DQ predicts the real engine's 26 layers", () => {
    const r = runNode(`
      import { buildZooModel, quantizeModel, simulateEngine } from 'qdqsim';
      const { model } = quantizeModel(buildZooModel('resnet18', { size: 32 }), { preset: 'pytorch-quantization', quantizeResidual: true });
      const e = simulateEngine(model, { precision: 'best' });
      console.log(e.layers.length, e.summary.standaloneQdq);
    `);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('26 3');
  });
});
