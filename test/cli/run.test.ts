import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSafeName, fileSafeNames } from '../../src/sim/io/file-safe-name.ts';
import { DataType } from '../../src/sim/data-type.ts';
import { GraphBuilder } from '../../src/sim/ir/builder.ts';
import { randomFeeds } from '../../src/sim/interp/random-inputs.ts';
import { readNpy, writeNpy } from '../../src/sim/io/npy.ts';
import { readNpz } from '../../src/sim/io/npz.ts';
import { saveModel } from '../../src/sim/onnx/model-io.ts';
import { makeTensor } from '../../src/sim/tensor.ts';

const dir = mkdtempSync(join(tmpdir(), 'qdqsim-run-'));
const modelPath = join(dir, 'm.onnx');

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['bin/qdqsim.mjs', 'run', ...args], { encoding: 'utf8' });
}

beforeAll(() => {
  const b = new GraphBuilder('g');
  const x = b.input('images:0', DataType.FLOAT, ['batch', 2, 4, 4]);
  const w = makeTensor(DataType.FLOAT, [3, 2, 1, 1], Float32Array.from([1, -1, 0.5, 0.25, 2, 0]));
  const q = b.qdq(b.op('Conv', [x, b.initializer('w', w)]), 0.05, 0);
  b.output(b.op('Relu', [q], {}, { outputs: ['out/relu'] }));
  b.output(b.op('Shape', [x], {}, { outputs: ['shape'] }), DataType.INT64);
  saveModel(b.model(), modelPath);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('qdqsim run', () => {
  it('runs with seeded random inputs, saves inputs and outputs under file-safe names', () => {
    const out = join(dir, 'o1');
    const ins = join(dir, 'i1');
    const r = cli(modelPath, '--seed', '5', '--dynamic-dim', '2', '--save-inputs', ins, '--output-dir', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/input {2}images:0: random \(seed 5\) FLOAT \[2,2,4,4\]/);
    expect(r.stdout).toMatch(/output out\/relu: FLOAT \[2,3,4,4\] min 0 max/);
    expect(readdirSync(out).sort()).toEqual(['out_relu.npy', 'shape.npy']);
    expect(readdirSync(ins)).toEqual(['images_0.npy']);
    const x = readNpy(join(ins, 'images_0.npy'));
    expect(Array.from(readNpy(join(out, 'shape.npy')).data as BigInt64Array)).toEqual([2n, 2n, 4n, 4n]);
    // same seed -> same inputs; output equals an in-process run on the saved input
    const y = readNpy(join(out, 'out_relu.npy'));
    const ref = randomFeeds({ irVersion: 8, opsetImports: [], graph: { name: '', nodes: [], inputs: [{ name: 'images:0', dtype: DataType.FLOAT, shape: ['batch', 2, 4, 4] }], outputs: [], initializers: new Map(), valueInfo: new Map() } }, { seed: 5, dynamicDim: 2 });
    expect(x).toEqual(ref['images:0']);
    expect(y.dims).toEqual([2, 3, 4, 4]);
  });

  it('takes inputs from .npy files, reproducing the saved run exactly, and captures intermediates', () => {
    const ins = join(dir, 'i1');
    const out = join(dir, 'o2');
    const r = cli(modelPath, '--input', `images:0=${join(ins, 'images_0.npy')}`, '--output-dir', out, '--capture', 'all');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/images:0: from file/);
    expect(readNpy(join(out, 'out_relu.npy'))).toEqual(readNpy(join(dir, 'o1', 'out_relu.npy')));
    const cap = readNpz(join(out, 'captured.npz'));
    expect(Object.keys(cap)).toContain('Conv_0_out0');
  });

  it('fails cleanly on a bad input name, a wrong dtype, a corrupt .npy and a missing model', () => {
    const bad = cli(modelPath, '--input', 'nope=x.npy');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--input 'nope': the model has no input of that name \(inputs: images:0\)/);
    const i8 = join(dir, 'i8.npy');
    writeNpy(i8, makeTensor(DataType.INT8, [1, 2, 4, 4]));
    const wrong = cli(modelPath, '--input', `images:0=${i8}`);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/m\.onnx: tensor 'images:0': feed has dtype INT8 but the graph input is FLOAT/);
    const corrupt = join(dir, 'c.npy');
    writeFileSync(corrupt, 'garbage');
    const c = cli(modelPath, '--input', `images:0=${corrupt}`);
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/c\.npy: not a \.npy file/);
    const missing = cli(join(dir, 'none.onnx'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/none\.onnx: no such file/);
    expect(c.stderr).not.toMatch(/\n\s+at /); // no stack traces
  });

  it('makes names file-safe and unique', () => {
    expect(fileSafeName('a/b:0')).toBe('a_b_0');
    expect(fileSafeName('..')).toBe('__');
    expect(fileSafeName('')).toBe('_');
    expect([...fileSafeNames(['x:0', 'x/0', 'X_0']).values()]).toEqual(['x_0', 'x_0_1', 'X_0_2']);
  });
});
