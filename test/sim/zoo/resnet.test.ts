import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src/sim/ir/graph.ts';
import { encodeModel } from '../../../src/sim/onnx/model-io.ts';
import { randomFeeds } from '../../../src/sim/interp/random-inputs.ts';
import { runModel } from '../../../src/sim/interp/run-model.ts';
import { buildZooModel } from '../../../src/sim/zoo/index.ts';
import { activationStats, opCounts, unhealthy } from './zoo-health.ts';

const GT = 'test/fixtures/onnx-io/zoo-gt';

/** The ONNX nodes each engine layer fused, e.g. `Conv_5 + Add_6 + Relu_7` -> [Conv_5, Add_6, Relu_7]. */
function fusedNodeChains(file: string, isNode: (token: string) => boolean): string[][] {
  const j = JSON.parse(readFileSync(`${GT}/${file}`, 'utf8')) as { Layers: { Name: string; LayerType: string }[] };
  return j.Layers.filter((l) => !l.Name.startsWith('Reformatting') && !l.Name.startsWith('reshape_after_'))
    .map((l) => l.Name.split(' + ').filter(isNode));
}

/** Checks that every named node exists and that each fused chain is a producer -> consumer path. */
function expectChains(model: Model, chains: string[][], opOf: (name: string) => string | undefined): void {
  const byName = new Map(model.graph.nodes.map((n) => [n.name, n]));
  for (const chain of chains) {
    for (const name of chain) {
      const n = byName.get(name);
      expect(n, `node ${name} from the engine dump`).toBeDefined();
      const op = opOf(name);
      if (op) expect(n!.opType, name).toBe(op);
    }
    for (let i = 1; i < chain.length; i++) {
      const prev = byName.get(chain[i - 1])!;
      const next = byName.get(chain[i])!;
      expect(next.inputs.some((v) => prev.outputs.includes(v)), `${chain[i - 1]} feeds ${chain[i]}`).toBe(true);
    }
  }
}

describe('resnet18 (pytorch style) matches the real TensorRT engine of torchvision ResNet-18', () => {
  const model = buildZooModel('resnet18', { batch: 32 });

  it('has the legacy exporter node names and fusion chains of the engine dump', () => {
    const chains = fusedNodeChains('pytorch-resnet18-a100-fp32.graph.json', (t) => /^[A-Za-z]+_\d+$/.test(t));
    expect(chains.flat().length).toBe(48);
    expectChains(model, chains, (name) => name.replace(/_\d+$/, ''));
    expect(model.graph.nodes.map((n) => n.name)).toEqual(model.graph.nodes.map((n, i) => `${n.opType}_${i}`));
    expect(model.graph.nodes.length).toBe(49);
    expect(model.graph.nodes[47].opType).toBe('Flatten');
  });

  it('has the input binding, shapes and op counts of torchvision resnet18', () => {
    expect(model.graph.inputs).toEqual([{ name: 'input.1', dtype: 1, shape: [32, 3, 224, 224] }]);
    expect(model.graph.outputs[0].shape).toEqual([32, 1000]);
    expect(opCounts(model)).toEqual({ Conv: 20, Relu: 17, MaxPool: 1, Add: 8, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
    expect(model.graph.initializers.get('layer2.0.downsample.0.weight')!.dims).toEqual([128, 64, 1, 1]);
    expect(model.graph.initializers.get('fc.weight')!.dims).toEqual([1000, 512]);
    expect(model.opsetImports).toEqual([{ domain: '', version: 13 }]);
  });
});

describe('resnet50_v1 (tf2onnx style) matches the real TensorRT engine of Keras ResNet50', () => {
  const model = buildZooModel('resnet50_v1', { style: 'tf2onnx', batch: 32 });

  it('has the Keras node names, fusion chains and tensor names of the engine dump', () => {
    const chains = fusedNodeChains('keras-resnet50-rtx3090-fp32.graph.json', (t) => t.startsWith('resnet50/') && !t.includes('__'));
    expect(chains.flat().length).toBeGreaterThan(100);
    const opOf = (name: string): string | undefined => ({ Conv2D: 'Conv', Relu: 'Relu', add: 'Add', MaxPool: 'MaxPool', Pad: 'Pad', Mean: 'ReduceMean', MatMul: 'Gemm', Softmax: 'Softmax' } as Record<string, string>)[name.split('/').pop()!];
    expectChains(model, chains, opOf);
    const j = JSON.parse(readFileSync(`${GT}/keras-resnet50-rtx3090-fp32.graph.json`, 'utf8')) as { Layers: { Outputs: { Name: string }[] }[] };
    const values = new Set(model.graph.nodes.flatMap((n) => n.outputs));
    const gtValues = j.Layers.flatMap((l) => l.Outputs.map((o) => o.Name)).filter((v) => v.startsWith('resnet50/') && v.endsWith(':0') && !v.includes('__'));
    expect(gtValues.length).toBeGreaterThan(50);
    for (const v of gtValues) expect(values.has(v), v).toBe(true);
  });

  it('takes NHWC input_1 through one Transpose, merges conv1_pad into a generated Conv__N and outputs predictions', () => {
    expect(model.graph.inputs).toEqual([{ name: 'input_1', dtype: 1, shape: [32, 224, 224, 3] }]);
    expect(model.graph.outputs.map((o) => [o.name, o.shape])).toEqual([['predictions', [32, 1000]]]);
    const [t, c] = model.graph.nodes;
    expect([t.opType, t.name.startsWith('resnet50/conv1_conv/Conv2D__')]).toEqual(['Transpose', true]);
    expect([c.opType, /^Conv__\d+$/.test(c.name), c.attrs.pads]).toEqual(['Conv', true, { type: 'ints', value: [3, 3, 3, 3] }]);
    expect(opCounts(model)).toEqual({ Transpose: 1, Conv: 53, Relu: 49, Add: 16, Pad: 1, MaxPool: 1, ReduceMean: 1, Gemm: 1, Softmax: 1 });
  });
});

/** Spacing of float32 values at |x| (x itself a float32). */
function ulp32(x: number): number {
  const f = new Float32Array([Math.abs(x)]);
  const i = new Int32Array(f.buffer);
  i[0] += 1;
  return f[0] - Math.abs(x);
}

describe('tf2onnx keepPads: the TF-QAT export spelling', () => {
  it('resnet50_v1: conv1_pad is a Pad on the NHWC input ahead of the Transpose; Dense is MatMul + Add', () => {
    const m = buildZooModel('resnet50_v1', { style: 'tf2onnx', size: 64, keepPads: true });
    const [pad, t, conv] = m.graph.nodes;
    expect([pad.name, pad.opType, pad.inputs[0]]).toEqual(['resnet50/conv1_pad/Pad', 'Pad', 'input_1']);
    expect(m.graph.initializers.get(pad.inputs[1])!.data).toEqual(BigInt64Array.from([0n, 3n, 3n, 0n, 0n, 3n, 3n, 0n]));
    expect([t.opType, t.inputs[0], t.attrs.perm]).toEqual(['Transpose', pad.outputs[0], { type: 'ints', value: [0, 3, 1, 2] }]);
    expect([conv.name, conv.inputs[0], conv.attrs.pads]).toEqual(['resnet50/conv1_conv/Conv2D', t.outputs[0], { type: 'ints', value: [0, 0, 0, 0] }]);
    expect(m.graph.nodes.some((n) => n.name.startsWith('Conv__'))).toBe(false);
    const tail = m.graph.nodes.slice(-3).map((n) => [n.opType, n.name, n.outputs[0]]);
    expect(tail).toEqual([
      ['MatMul', 'resnet50/predictions/MatMul', 'resnet50/predictions/MatMul:0'],
      ['Add', 'resnet50/predictions/BiasAdd', 'resnet50/predictions/BiasAdd:0'],
      ['Softmax', 'resnet50/predictions/Softmax', 'predictions'],
    ]);
    expect(opCounts(m)).toEqual({ Pad: 2, Transpose: 1, Conv: 53, Relu: 49, Add: 17, MaxPool: 1, ReduceMean: 1, MatMul: 1, Softmax: 1 });
    expect(m.graph.outputs[0].shape).toEqual([1, 1000]);
  });

  it('resnet50_v2: the stem pad moves to the NHWC input too; block pads stay in front of their convs', () => {
    const m = buildZooModel('resnet50_v2', { style: 'tf2onnx', size: 64, keepPads: true });
    expect(m.graph.nodes.slice(0, 3).map((n) => n.name)).toEqual(['resnet50v2/conv1_pad/Pad', m.graph.nodes[1].name, 'resnet50v2/conv1_conv/Conv2D']);
    expect(m.graph.nodes[1].opType).toBe('Transpose');
    expect(opCounts(m).Pad).toBe(1 + 1 + 16);
  });

  // Same seed, same weights: only the spelling differs. The interpreter accumulates a contraction in
  // double and rounds once, and zero padding adds exact zeros, so every value up to the classifier is
  // bit-identical. The logits then round twice (MatMul, Add) where the Gemm rounds once:
  // |fl(fl(s)+b) - fl(s+b)| <= ulp(fl(s))/2 + ulp(fl(fl(s)+b))/2 + ulp(fl(s+b))/2.
  for (const name of ['resnet50_v1', 'resnet50_v2']) {
    it(`${name}: computes what the float spelling computes (interpreter)`, () => {
      const opts = { style: 'tf2onnx' as const, size: 32, classes: 10 };
      const float = buildZooModel(name, opts);
      const qat = buildZooModel(name, { ...opts, keepPads: true });
      const p = name === 'resnet50_v1' ? 'resnet50' : 'resnet50v2';
      const feeds = randomFeeds(float, { seed: 3 });
      const a = runModel(float, feeds, { capture: [`${p}/avg_pool/Mean:0`, `${p}/predictions/BiasAdd:0`] }).captured;
      const b = runModel(qat, feeds, { capture: [`${p}/avg_pool/Mean:0`, `${p}/predictions/MatMul:0`, `${p}/predictions/BiasAdd:0`] }).captured;
      expect(Buffer.from((b[`${p}/avg_pool/Mean:0`].data as Float32Array).buffer)).toEqual(Buffer.from((a[`${p}/avg_pool/Mean:0`].data as Float32Array).buffer));
      const gemm = a[`${p}/predictions/BiasAdd:0`].data as Float32Array;
      const mm = b[`${p}/predictions/MatMul:0`].data as Float32Array;
      const add = b[`${p}/predictions/BiasAdd:0`].data as Float32Array;
      for (let i = 0; i < gemm.length; i++) {
        const doubleRounding = (ulp32(mm[i]) + ulp32(add[i]) + ulp32(gemm[i])) / 2;
        expect(Math.abs(add[i] - gemm[i]), `logit ${i}: MatMul+Add ${add[i]} vs Gemm ${gemm[i]}`).toBeLessThanOrEqual(doubleRounding);
      }
    });
  }
});

describe('resnet family structure', () => {
  const cases: [string, 'pytorch' | 'tf2onnx', Record<string, number>][] = [
    ['resnet50_v1', 'pytorch', { Conv: 53, Relu: 49, MaxPool: 1, Add: 16, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 }],
    ['resnet101_v1', 'tf2onnx', { Transpose: 1, Conv: 104, Relu: 100, Add: 33, Pad: 1, MaxPool: 1, ReduceMean: 1, Gemm: 1, Softmax: 1 }],
    ['resnet50_v2', 'tf2onnx', { Transpose: 1, Conv: 53, Relu: 49, Add: 16, BatchNormalization: 17, Pad: 1, MaxPool: 4, ReduceMean: 1, Gemm: 1, Softmax: 1 }],
    ['resnet101_v2', 'pytorch', { Conv: 104, Relu: 100, Add: 33, BatchNormalization: 34, MaxPool: 4, GlobalAveragePool: 1, Flatten: 1, Gemm: 1, Softmax: 1 }],
  ];
  for (const [name, style, counts] of cases) {
    it(`${name} (${style}) has the architecture's op counts and stays healthy in onnxruntime`, async () => {
      const m = buildZooModel(name, { style, size: 64 });
      expect(opCounts(m)).toEqual(counts);
      const bad = unhealthy(await activationStats(m));
      expect(bad, bad.join('\n')).toEqual([]);
    });
  }

  it('resnet18 and resnet50_v1 (tf2onnx) activations are healthy at full resolution', async () => {
    for (const [name, style] of [['resnet18', 'pytorch'], ['resnet50_v1', 'tf2onnx']] as const) {
      const bad = unhealthy(await activationStats(buildZooModel(name, { style })));
      expect(bad, `${name}: ${bad.join('\n')}`).toEqual([]);
    }
  });
});

describe('zoo determinism and options', () => {
  it('same seed gives the same bytes; another seed other weights', () => {
    const a = encodeModel(buildZooModel('resnet18', { size: 32, seed: 7 }));
    const b = encodeModel(buildZooModel('resnet18', { size: 32, seed: 7 }));
    const c = encodeModel(buildZooModel('resnet18', { size: 32, seed: 8 }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
    expect(a.length).toBe(c.length);
  });

  it('pytorch style with --layout nhwc adds the input Transpose; batch and classes apply', async () => {
    const m = buildZooModel('resnet18', { layout: 'nhwc', batch: 2, size: 32, classes: 10 });
    expect(m.graph.inputs[0].shape).toEqual([2, 32, 32, 3]);
    expect(m.graph.nodes[0].opType).toBe('Transpose');
    expect(m.graph.outputs[0].shape).toEqual([2, 10]);
    const s = await ort.InferenceSession.create(encodeModel(m));
    const r = await s.run({ 'input.1': new ort.Tensor('float32', new Float32Array(2 * 32 * 32 * 3).fill(0.5), [2, 32, 32, 3]) });
    expect(r[s.outputNames[0]].dims).toEqual([2, 10]);
    await s.release();
  });

  it('refuses unknown names and bad options with clear errors', () => {
    expect(() => buildZooModel('resnet19')).toThrow(/unknown model 'resnet19'; available: resnet18/);
    expect(() => buildZooModel('resnet18', { size: 16 })).toThrow(/needs --size >= 32/);
    expect(() => buildZooModel('resnet18', { batch: 0 })).toThrow(/batch must be a positive integer/);
    expect(() => buildZooModel('resnet18', { style: 'keras' as 'pytorch' })).toThrow(/style must be pytorch or tf2onnx/);
  });
});
