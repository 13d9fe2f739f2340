import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffEngines, formatDiff } from '../../src/trt/diff.ts';
import { engineToLayerInfo } from '../../src/trt/export-layer-info.ts';
import { lintModel } from '../../src/trt/lint.ts';
import { parseTrtexecLayers } from '../../src/trt/validation/formats/trtexec-layers.ts';
import { attr } from './fixtures/graph-kit.ts';
import { resnet18Pytorch } from './fixtures/resnet18-pytorch.ts';
import { resnet50Tf } from './fixtures/resnet50-tf.ts';
import { QdqKit } from './fixtures/small-graphs.ts';

const GT = join(import.meta.dirname, '../fixtures/ground-truth');

describe('qdqsim lint', () => {
  it('on pytorch-quantization "qat" ResNet-18: every fix verified, and the fixed model builds the qat-residual-qgap engine', () => {
    const r = lintModel(resnet18Pytorch('qat'));
    expect(r.findings.map((f) => f.code)).toEqual(['QDQ101', 'QDQ101', 'QDQ101', 'QDQ101', 'QDQ101', 'QDQ106']);
    expect(r.findings.every((f) => f.verification.verified)).toBe(true);
    expect(r.findings[0].nodes).toEqual(['MaxPool_11', 'QuantizeLinear_14', 'Add_33']);
    expect(r.findings[0].why).toMatch(/every reader is a Q of one scale/);
    expect([r.engine.summary.standaloneQdq, r.fixedEngine.summary.standaloneQdq]).toEqual([10, 1]);
    const dump = 'pytorch/resnet/A100/qat-residual-qgap/resnet-qat-residual-qgap.onnx.engine.graph.json';
    const real = parseTrtexecLayers(readFileSync(join(GT, dump), 'utf8'));
    const predicted = parseTrtexecLayers(JSON.stringify(engineToLayerInfo(r.fixedEngine, false)));
    const d = diffEngines(predicted, real, r.fixedEngine.nodeOpTypes);
    if (d.matched !== d.total) throw new Error(formatDiff(d));
  });

  it('finds nothing to fix in the TF-QAT ResNet-50 engine (only the input Q stays stand-alone)', () => {
    const r = lintModel(resnet50Tf('qat'));
    expect(r.findings).toEqual([]);
  });

  it('QDQ102: an INT8 average pool without a Q after it', () => {
    const g = new QdqKit();
    const p = g.node('AveragePool', [g.qdq(g.input('x', [1, 8, 4, 4]), 0.05, ['qx', 'dqx'])], { name: 'pool', dims: [1, 8, 2, 2], attrs: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) } });
    const y = g.node('Relu', [g.node('Relu', [p], { name: 'r1' })], { name: 'r2', out: 'y' });
    g.output(y);
    const r = lintModel(g.model());
    expect(r.findings.map((f) => [f.code, f.nodes, f.verification.verified])).toEqual([['QDQ102', ['dqx', 'pool', 'r1'], true]]);
    expect(r.fixedEngine.layers.find((l) => l.name === 'pool')!.compute).toBe('Int8');
  });

  it('QDQ103: quantized weights with a float input, fixed with the upstream Q scale', () => {
    const g = new QdqKit();
    const x = g.input('x', [1, 8, 4, 4]);
    const a = g.conv(g.qdq(x, 0.05, ['qa', 'dqa']), 8, { name: 'ca' });
    const b = g.conv(x, 8, { name: 'cb' });
    g.output(g.node('Add', [a, b], { name: 'add', out: 'y' }));
    const r = lintModel(g.model());
    const f = r.findings.find((x) => x.code === 'QDQ103')!;
    expect(f.nodes).toEqual(['cb']);
    expect(f.fix).toMatch(/with qa's scale/);
    expect(f.verification.verified).toBe(true);
  });

  it('QDQ104: Q/DQ on the conv side of a residual Add keeps the Add out of the conv', () => {
    const g = new QdqKit();
    const x = g.qdq(g.input('x', [1, 8, 4, 4]), 0.1, ['qx', 'dqx']);
    const c = g.conv(x, 8, { name: 'c' });
    const sum = g.node('Add', [g.qdq(c, 0.1, ['qc', 'dqc']), x], { name: 'add' });
    const y = g.conv(g.qdq(sum, 0.1, ['qs', 'dqs']), 8, { name: 'c2' });
    g.output(y);
    const r = lintModel(g.model());
    const f = r.findings.find((x) => x.code === 'QDQ104')!;
    expect(f.fix).toBe('remove the Q->DQ on input 0 of add (keep the one on the residual input)');
    expect(f.verification.verified).toBe(true);
    expect(r.fixedEngine.layers.map((l) => l.name)).toContain('c.weight + c_wq + c + add');
  });
});
