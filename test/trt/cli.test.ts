import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { saveModel } from '../../src/sim/onnx/model-io.ts';
import { DataType } from '../../src/sim/data-type.ts';
import { QdqKit } from './fixtures/small-graphs.ts';

let dir: string;
let out: string[];

async function run(args: string[]): Promise<number> {
  out = [];
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  try {
    process.exitCode = undefined;
    return await main(args);
  } finally {
    w.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qdqsim-trt-'));
  const g = new QdqKit();
  const x = g.qdq(g.input('x', [1, 8, 4, 4]), 0.05, ['q_in', 'dq_in']);
  const c = g.node('Relu', [g.conv(x, 8, { name: 'c1', k: 3 })], { name: 'relu' });
  const y = g.conv(g.qdq(c, 0.1, ['q_mid', 'dq_mid']), 8, { name: 'c2' });
  g.output(y);
  saveModel(g.model(), join(dir, 'small.onnx'));
  const bad = new QdqKit();
  const s = bad.scale(0.1);
  const z = bad.init('zp', { dtype: DataType.INT8, dims: [], data: Int8Array.of(5) });
  const q = bad.node('QuantizeLinear', [bad.input('x', [1, 4]), s, z], { name: 'q_bad' });
  bad.output(bad.node('DequantizeLinear', [q, s, z], { name: 'dq_bad' }));
  saveModel(bad.model(), join(dir, 'bad.onnx'));
});

afterEach(() => vi.restoreAllMocks());

describe('qdqsim simulate / diff / lint', () => {
  it('simulate prints the layer table and summary and writes the layer JSON', async () => {
    const json = join(dir, 'small.json');
    expect(await run(['simulate', join(dir, 'small.onnx'), '--best', '--json', json, '--trace'])).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/CaskConvolution\s+Int8 -> Int8\s+c1\.weight \+ c1_wq \+ c1/);
    expect(text).toMatch(/stand-alone Q\/DQ \(Reformat layers\): 1/);
    expect(text).toMatch(/MACs in INT8: 100\.0%/);
    expect(text).toMatch(/fuse fuse\.conv-output-q: q_mid, c1/);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.Layers.map((l: { Name: string }) => l.Name)).toEqual(['q_in', 'c1.weight + c1_wq + c1', 'c2.weight + c2_wq + c2']);
  });

  it('diff of a prediction against itself matches every layer', async () => {
    const json = join(dir, 'small.json');
    expect(await run(['diff', json, json, '--fail-on-mismatch'])).toBe(0);
    expect(out.join('')).toMatch(/match: 3\/3 layers/);
  });

  it('diff --fail-on-mismatch exits 1 when layers differ', async () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ Layers: ['q_in', 'c1.weight + c1_wq + c1 + relu'], Bindings: [] }));
    expect(await run(['diff', join(dir, 'small.json'), other, '--fail-on-mismatch'])).toBe(1);
    expect(out.join('')).toMatch(/match: 1\/3 layers/);
  });

  it('lint reports no findings on a well-placed model', async () => {
    expect(await run(['lint', join(dir, 'small.onnx')])).toBe(0);
    expect(out.join('')).toMatch(/no placement problems found/);
  });

  it('a model TensorRT would refuse gets TensorRT\'s reason and a non-zero exit', async () => {
    expect(await run(['simulate', join(dir, 'bad.onnx')])).toBe(1);
    expect(out.join('')).toMatch(/qdqsim: error: TensorRT would refuse .*only supports symmetric quantization.*q_bad/);
  });

  it('rejects two precision flags', async () => {
    expect(await run(['simulate', join(dir, 'small.onnx'), '--int8', '--fp16'])).toBe(2);
  });
});
