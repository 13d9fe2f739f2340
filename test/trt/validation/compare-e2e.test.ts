import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src/sim/ir/graph.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';
import { artifactsBackend } from '../../../src/trt/validation/backends/artifacts.ts';
import { ortBackend, runOrt } from '../../../src/trt/validation/backends/ort.ts';
import { compareModel, type ReferenceKind } from '../../../src/trt/validation/compare.ts';
import { encodeNpy } from '../../../src/sim/io/npy.ts';
import { writePolygraphyRunResults } from '../../../src/trt/validation/formats/polygraphy.ts';
import { writeTrtexecOutputs } from '../../../src/trt/validation/formats/trtexec-output.ts';
import { randomFeed } from '../../../src/trt/validation/inputs.ts';
import { DEFAULT_COMPARE_OPTIONS } from '../../../src/trt/validation/metrics/compare-tensors.ts';
import { qdqConvModel, saveTemp } from './models.ts';

const model = qdqConvModel();
const modelPath = saveTemp(model);
const x = randomFeed(model.graph.inputs[0], 3);
const feeds = new Map([['x', x]]);

/** Records `m` with onnxruntime and writes the outputs to a folder in the given format, with the inputs. */
async function record(m: Model, format: 'trtexec' | 'polygraphy' | 'npy', f: Map<string, Tensor> = feeds): Promise<string> {
  const r = await runOrt({ modelPath: saveTemp(m), model: m, feeds: f });
  const dir = mkdtempSync(join(tmpdir(), 'qdqsim-art-'));
  const outs = [...r.outputs].map(([name, tensor]) => ({ name, tensor }));
  if (format === 'trtexec') writeFileSync(join(dir, 'outputs.json'), writeTrtexecOutputs(outs));
  else if (format === 'polygraphy') {
    writeFileSync(join(dir, 'results.json'), writePolygraphyRunResults([{ name: 'trt-runner-N0-x', iterations: [{ runnerName: 'trt-runner-N0-x', runtime: 0.001, outputs: r.outputs }] }]));
  } else for (const { name, tensor } of outs) writeFileSync(join(dir, `${name}.npy`), encodeNpy(tensor));
  mkdirSync(join(dir, 'inputs'));
  writeFileSync(join(dir, 'inputs', 'x.npy'), encodeNpy(x));
  return dir;
}

async function compare(backend: ReturnType<typeof ortBackend>, reference: ReferenceKind = 'qdq-float', f: Map<string, Tensor> = feeds) {
  return compareModel({ modelPath, model, feeds: f, feedSources: new Map(), backend, reference, options: DEFAULT_COMPARE_OPTIONS });
}

describe('compare: ort and artifacts backends, planted disagreements', () => {
  it('onnxruntime agrees with the Q/DQ float simulation within 1 LSB', async () => {
    const r = await compare(ortBackend());
    expect(r.verdict.pass).toBe(true);
    const q1 = r.outputs.find((o) => o.name === 'q1')!;
    expect(q1.step).toMatchObject({ unit: 'code', via: 'Q output' });
    expect(q1.maxLsb).toBeLessThanOrEqual(1);
    expect(r.verdict.line).toMatch(/^PASSED \| Runtime: /);
  });

  for (const format of ['trtexec', 'polygraphy', 'npy'] as const) {
    it(`artifacts in ${format} format of the same model pass`, async () => {
      const r = await compare(artifactsBackend(await record(model, format)));
      expect(r.verdict.pass, r.outputs.map((o) => o.summary).join('\n')).toBe(true);
    });
  }

  it('a corrupted weight in the recorded engine fails, with the worst element located', async () => {
    const r = await compare(artifactsBackend(await record(qdqConvModel({ corruptWeight: 40 }), 'trtexec')));
    expect(r.verdict.pass).toBe(false);
    const q1 = r.outputs.find((o) => o.name === 'q1')!;
    expect(q1.pass).toBe(false);
    expect(q1.maxLsb!).toBeGreaterThan(1);
    // w1[5] is output channel 0: only channel 0 of q1 can move
    expect(q1.worst[0].index[1]).toBe(0);
    expect(r.verdict.line).toMatch(/^FAILED .*Difference exceeds tolerance .*'q1' max/);
  });

  it('a wrong output scale in the recorded engine fails', async () => {
    const r = await compare(artifactsBackend(await record(qdqConvModel({ outScale: 0.06 }), 'polygraphy')));
    expect(r.verdict.pass).toBe(false);
    expect(r.verdict.failed).toContain('q1');
  });

  it('artifacts of another model: a clear error naming the tensors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdqsim-art-'));
    writeFileSync(join(dir, 'outputs.json'), readFileSync('test/fixtures/validation/trtexec-outputs.json'));
    await expect(compare(artifactsBackend(dir))).rejects.toThrow(/does not match the model \(artifacts from a different model\?\): recorded tensor\(s\) 'logits', 'q_out' do not exist in the model/);
    const wrongShape = qdqConvModel({ hw: 5 });
    const dir2 = await record(wrongShape, 'npy', new Map([['x', randomFeed(wrongShape.graph.inputs[0], 3)]]));
    await expect(compare(artifactsBackend(dir2))).rejects.toThrow(/'y' has 50 values \[1x2x5x5\] but the model gives \[1x2x6x6\]/);
  });

  it('a folder without outputs says what it expected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdqsim-art-'));
    await expect(compare(artifactsBackend(dir))).rejects.toThrow(/holds no outputs: expected outputs.json \(trtexec --exportOutput\), a Polygraphy RunResults JSON/);
  });
});

describe('qdqsim compare (CLI)', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/qdqsim.mjs', 'compare', ...args], { encoding: 'utf8', timeout: 120_000 });

  it('exit 0 and a PASSED line, with JSON and HTML reports written', () => {
    const out = mkdtempSync(join(tmpdir(), 'qdqsim-rep-'));
    const r = cli(modelPath, '--against', 'ort', '--reference', 'qdq-float', '--json', join(out, 'r.json'), '--html', join(out, 'r.html'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASSED \| 'q1': max [01] LSB/);
    expect(r.stdout).toMatch(/\nPASSED \| Runtime: [\d.]+s \| Command: qdqsim compare /);
    const rep = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8'));
    expect(rep.schema).toBe('qdqsim.compare/1');
    expect(rep.verdict.pass).toBe(true);
    expect(readFileSync(join(out, 'r.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('exit 1 and a FAILED line on a planted disagreement', async () => {
    const dir = await record(qdqConvModel({ corruptWeight: 40 }), 'trtexec');
    const r = cli(modelPath, '--against', `artifacts:${dir}`, '--reference', 'qdq-float');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\nFAILED \| Runtime: .*Difference exceeds tolerance/);
  });

  it('exit 2 with a clear message on bad input', () => {
    const missing = cli(modelPath, '--against', 'ort', '--reference', 'qdq-float', '--input', 'x=/no/such.npy');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/qdqsim: error: .*no\/such.npy/);
    const dir = mkdtempSync(join(tmpdir(), 'qdqsim-in-'));
    writeFileSync(join(dir, 'x.npy'), encodeNpy(randomFeed({ name: 'x', dtype: 1, shape: [1, 4, 5, 5] }, 1)));
    const shape = cli(modelPath, '--against', 'ort', '--reference', 'qdq-float', '--input', `x=${join(dir, 'x.npy')}`);
    expect(shape.status).toBe(2);
    expect(shape.stderr).toMatch(/input 'x' has shape \[1,4,6,6\] but the file holds \[1,4,5,5\]/);
    const noin = cli(modelPath, '--against', `artifacts:${dirname(modelPath)}`, '--reference', 'qdq-float');
    expect(noin.status).toBe(2);
    expect(noin.stderr).toMatch(/hold no inputs/);
    expect(cli(modelPath, '--against', 'gpu').stderr).toMatch(/--against must be trtexec, ort or artifacts:DIR/);
    const noTrt = spawnSync(process.execPath, ['bin/qdqsim.mjs', 'compare', modelPath, '--against', 'trtexec', '--run-dir', join(dir, 'run')],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: dirname(process.execPath), TRTEXEC: '' } });
    expect(noTrt.status).toBe(2);
    expect(noTrt.stderr).toMatch(/trtexec was not found .*--against artifacts:DIR/);
  });
});
