import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { loadModel } from '../../../src/sim/onnx/model-io.ts';

const dir = mkdtempSync(join(tmpdir(), 'qdqsim-zoo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('qdqsim zoo', () => {
  it('writes the model with the requested batch, layout, style and size', async () => {
    const file = join(dir, 'mnv2.onnx');
    const r = await run(['zoo', 'mobilenet_v2', '-o', file, '--style', 'tf2onnx', '--batch', '2', '--size', '32', '--seed', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^mobilenet_v2 \(tf2onnx\): 101 nodes, \d+ parameters, inputs input_1\[2,32,32,3\] -> /);
    const m = loadModel(file);
    expect(m.graph.inputs[0].shape).toEqual([2, 32, 32, 3]);
    expect(m.metadata?.['qdqsim.zoo.seed']).toBe('3');
  });

  it('bert options reach the builder', async () => {
    const file = join(dir, 'bert.onnx');
    const r = await run(['zoo', 'bert', '-o', file, '--layers', '1', '--hidden', '32', '--heads', '2', '--seq-len', '4', '--no-embeddings']);
    expect(r.code).toBe(0);
    expect(loadModel(file).graph.inputs.map((i) => i.shape)).toEqual([[1, 4, 32]]);
  });

  it('lists models, and fails with exit code 2 and a clear message on bad input', async () => {
    expect((await run(['zoo', '--list'])).out).toMatch(/^resnet18 .*\nresnet50_v1 /);
    const unknown = await run(['zoo', 'vgg16', '-o', join(dir, 'x.onnx')]);
    expect([unknown.code, unknown.err]).toEqual([2, "qdqsim: error: unknown model 'vgg16'; available: resnet18, resnet50_v1, resnet50_v2, resnet101_v1, resnet101_v2, mobilenet_v2, efficientnet_b0, efficientnet_b3, inception_v3, bert\n"]);
    const noOut = await run(['zoo', 'resnet18']);
    expect([noOut.code, noOut.err]).toEqual([2, 'qdqsim: error: missing -o/--output FILE.onnx\n']);
    const small = await run(['zoo', 'resnet18', '-o', join(dir, 's.onnx'), '--size', '8']);
    expect([small.code, small.err]).toEqual([2, 'qdqsim: error: zoo: resnet18 needs --size >= 32, got 8\n']);
    const badBatch = await run(['zoo', 'resnet18', '-o', join(dir, 's.onnx'), '--batch', 'x']);
    expect([badBatch.code, badBatch.err]).toEqual([2, 'qdqsim: error: --batch must be an integer >= 1, got "x"\n']);
  });
});
