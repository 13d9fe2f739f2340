import { describe, expect, it } from 'vitest';
import { DataType } from '../../src/sim/data-type.ts';
import { TrtBuildError } from '../../src/trt/build-error.ts';
import type { Engine } from '../../src/trt/engine.ts';
import { engineToLayerInfo } from '../../src/trt/export-layer-info.ts';
import { simulateEngine } from '../../src/trt/simulate.ts';
import { attr, f32 } from './fixtures/graph-kit.ts';
import { QdqKit } from './fixtures/small-graphs.ts';

const sig = (e: Engine) => e.layers.map((l) => `${l.name} | ${l.layerType} | ${l.inputs.map((t) => t.precision).join(',')}->${l.outputs.map((t) => t.precision).join(',')}`);

function finish(g: QdqKit, out: string) {
  g.output(out);
  return g.model();
}

describe('parser behaviour before optimization', () => {
  function withZeroPoint(zp: { dtype: DataType; data: Int8Array | Uint8Array }) {
    const g = new QdqKit();
    const x = g.input('x', [1, 8, 4, 4]);
    const s = g.scale(0.1);
    const z = g.init('zp', { dtype: zp.dtype, dims: [], data: zp.data });
    const q = g.node('QuantizeLinear', [x, s, z], { name: 'q0' });
    const d = g.node('DequantizeLinear', [q, s, z], { name: 'dq0' });
    return finish(g, g.conv(d, 8, { name: 'c' }));
  }

  it('rejects a non-zero zero point with TensorRT\'s symmetric-quantization error, naming the node', () => {
    expect(() => simulateEngine(withZeroPoint({ dtype: DataType.INT8, data: Int8Array.of(3) }))).toThrow(TrtBuildError);
    expect(() => simulateEngine(withZeroPoint({ dtype: DataType.INT8, data: Int8Array.of(3) }))).toThrow(/only supports symmetric quantization.*node 'q0'/);
  });

  it('rejects UINT8 zero points', () => {
    expect(() => simulateEngine(withZeroPoint({ dtype: DataType.UINT8, data: Uint8Array.of(0) }))).toThrow(/UINT8 quantization is not supported.*node 'q0'/);
  });

  it('rejects per-channel quantization of an activation', () => {
    const g = new QdqKit();
    const x = g.input('x', [1, 4, 2, 2]);
    const s = g.init('s4', f32([4], () => 0.1));
    const q = g.node('QuantizeLinear', [x, s], { name: 'qa', attrs: { axis: attr.int(1) } });
    const out = g.node('DequantizeLinear', [q, s], { name: 'dqa', attrs: { axis: attr.int(1) } });
    expect(() => simulateEngine(finish(g, out))).toThrow(/per-channel quantization is only supported for weights.*node 'qa'/);
  });

  it('takes axis 0 for a per-channel weight DQ without axis, and says so', () => {
    const g = new QdqKit();
    const x = g.qdq(g.input('x', [1, 4, 4, 4]));
    const e = simulateEngine(finish(g, g.conv(x, 8, { name: 'c', noAxis: true })));
    expect(e.parserNotes.map((n) => n.node)).toEqual(['c_wq', 'c_wdq']);
    expect(e.parserNotes[0].note).toMatch(/uses axis 0 \(ONNX default is 1\)/);
    expect(e.layers.find((l) => l.kind === 'convolution')!.quant!.weightAxis).toBe(0);
  });

  it('refuses integer-operator models and Q/DQ builds without INT8', () => {
    const g = new QdqKit();
    const x = g.input('x', [1, 4]);
    expect(() => simulateEngine(finish(g, g.node('MatMulInteger', [x, x], { name: 'mmi' })))).toThrow(/unsupported operator MatMulInteger.*'mmi'/);
    const h = new QdqKit();
    const m = finish(h, h.conv(h.qdq(h.input('x', [1, 4, 4, 4])), 4, { name: 'c' }));
    expect(() => simulateEngine(m, { precision: 'fp16' })).toThrow(/no INT8: use --int8 or --best/);
    expect(() => simulateEngine(m, { precision: 'strongly-typed' })).toThrow(/strongly typed networks need TensorRT 10/);
    expect(simulateEngine(m, { precision: 'strongly-typed', version: '10.x' }).layers.some((l) => l.compute === 'Int8')).toBe(true);
  });

  it('8.x requires constant scales; 10.x accepts a computed scale', () => {
    const g = new QdqKit();
    const x = g.input('x', [1, 4, 4, 4]);
    const sIn = g.input('scale_in', []);
    const s = g.node('Identity', [sIn], { name: 'scale_id', dims: [] });
    const d = g.dq(g.q(x, s, 'qs'), s, 'dqs');
    const m = finish(g, g.node('Relu', [d], { name: 'r' }));
    expect(() => simulateEngine(m)).toThrow(/scale 'scale_id_out' must be a build-time constant.*'qs'/);
    expect(() => simulateEngine(m, { version: '10.x' })).not.toThrow();
  });
});

describe('propagation and fusion rules', () => {
  it('fan-out to a float consumer keeps the Q stand-alone and the conv output float', () => {
    const g = new QdqKit();
    const c = g.conv(g.qdq(g.input('x', [1, 8, 4, 4]), 0.05, ['q_in', 'dq_in']), 8, { name: 'c1' });
    const r = g.node('Relu', [c], { name: 'relu' });
    const c2 = g.conv(g.qdq(r, 0.1, ['q_mid', 'dq_mid']), 8, { name: 'c2' });
    const sig = g.node('Sigmoid', [r], { name: 'sig' });
    const sum = g.node('Mul', [c2, sig], { name: 'mul', out: 'y' });
    const e = simulateEngine(finish(g, sum));
    const names = e.layers.map((l) => l.name);
    expect(names).toContain('q_mid');
    const c1 = e.layers.find((l) => l.name.includes('c1'))!;
    expect(c1.outputs[0].precision).toBe('FP16');
  });

  it('merges sibling Qs of equal scale and fuses the survivor as the producer\'s output Q', () => {
    const g = new QdqKit();
    const c = g.node('Relu', [g.conv(g.qdq(g.input('x', [1, 8, 4, 4])), 8, { name: 'c1' })], { name: 'r1' });
    const a = g.conv(g.qdq(c, 0.1, ['qa', 'dqa']), 8, { name: 'ca' });
    const b = g.conv(g.qdq(c, 0.1, ['qb', 'dqb']), 8, { name: 'cb' });
    const e = simulateEngine(finish(g, g.node('Add', [a, b], { name: 'add', out: 'y' })));
    const merge = e.trace.find((t) => t.rule === 'prop.merge-sibling-q')!;
    expect(merge.detail).toBe('kept qa, eliminated qb');
    expect(e.layers.find((l) => l.name.includes('c1'))!.outputs[0].precision).toBe('Int8');
    expect(e.summary.standaloneQdq).toBe(1);
  });

  it('does not merge sibling Qs whose scales differ', () => {
    const g = new QdqKit();
    const c = g.node('Relu', [g.conv(g.qdq(g.input('x', [1, 8, 4, 4])), 8, { name: 'c1' })], { name: 'r1' });
    const a = g.conv(g.qdq(c, 0.1, ['qa', 'dqa']), 8, { name: 'ca' });
    const b = g.conv(g.qdq(c, 0.2, ['qb', 'dqb']), 8, { name: 'cb' });
    const e = simulateEngine(finish(g, g.node('Add', [a, b], { name: 'add', out: 'y' })));
    expect(e.trace.some((t) => t.rule === 'prop.merge-sibling-q')).toBe(false);
    expect(e.layers.filter((l) => l.origin === 'QDQ').map((l) => l.name).sort()).toEqual(['QuantizeLinear_0', 'qa', 'qb']);
  });

  it('splits a Q across Concat (`<Q>_clone_N`) and eliminates the INT8 concatenation', () => {
    const g = new QdqKit();
    const x = g.qdq(g.input('x', [1, 8, 4, 4]));
    const a = g.conv(x, 8, { name: 'ca' });
    const b = g.conv(x, 8, { name: 'cb' });
    const cat = g.node('Concat', [a, b], { name: 'cat', dims: [1, 16, 4, 4], attrs: { axis: attr.int(1) } });
    const y = g.conv(g.qdq(cat, 0.2, ['q_cat', 'dq_cat']), 8, { name: 'cc' });
    const e = simulateEngine(finish(g, y));
    const split = e.trace.find((t) => t.rule === 'prop.concat-split-q')!;
    expect(split.created).toEqual(['q_cat_clone_0', 'q_cat_clone_1']);
    expect(sig(e)).toEqual([
      'QuantizeLinear_0 | Reformat | FP32->Int8',
      'ca.weight + ca_wq + ca | CaskConvolution | Int8->Int8',
      'cb.weight + cb_wq + cb | CaskConvolution | Int8->Int8',
      'cat | Concatenation | Int8,Int8->Int8',
      'cc.weight + cc_wq + cc | CaskConvolution | Int8->FP32',
    ]);
    // kept in the engine so it executes, but TensorRT lists no concatenation layer
    expect(e.layers[3].eliminated).toBe(true);
    expect(e.summary.layers).toBe(4);
    expect((engineToLayerInfo(e).Layers as { Name: string }[]).map((l) => l.Name)).not.toContain('cat');
  });

  it('folds a requantize (DQ s1 -> Q s2) into the conv epilogue; an equal-scale pair is erased instead', () => {
    for (const [s2, expectName] of [[0.3, 'c1.weight + c1_wq + c1 + dq1 + q2'], [0.1, 'c1.weight + c1_wq + c1']] as const) {
      const g = new QdqKit();
      const c1 = g.conv(g.qdq(g.input('x', [1, 8, 4, 4])), 8, { name: 'c1' });
      const s1 = g.scale(0.1);
      const mid = g.dq(g.q(c1, s1, 'q1'), s1, 'dq1');
      const out = g.conv(g.qdq(mid, s2, ['q2', 'dq2']), 8, { name: 'c2' });
      const e = simulateEngine(finish(g, out));
      expect(e.layers[1].name).toBe(expectName);
      expect(e.layers[1].outputs[0].precision).toBe('Int8');
      expect(e.layers).toHaveLength(3);
      if (s2 === 0.3) expect(e.layers[1].quant!.requantScales).toEqual([[Math.fround(0.1), Math.fround(0.3)]]);
    }
  });

  it('fuses a zero Pad into the INT8 conv, named first', () => {
    const g = new QdqKit();
    const x = g.qdq(g.input('x', [1, 8, 4, 4]), 0.05, ['qx', 'dqx']);
    const pads = g.init('pads', { dtype: DataType.INT64, dims: [8], data: BigInt64Array.from([0n, 0n, 1n, 1n, 0n, 0n, 1n, 1n]) });
    const p = g.node('Pad', [x, pads], { name: 'pad', dims: [1, 8, 6, 6] });
    const e = simulateEngine(finish(g, g.conv(p, 8, { name: 'c', k: 3 })));
    expect(sig(e)).toEqual(['qx | Reformat | FP32->Int8', 'pad + c.weight + c_wq + c | CaskConvolution | Int8->FP32']);
  });

  it('SiLU after an INT8 conv becomes PWN(PWN(Sigmoid), Mul); a ReLU is folded silently', () => {
    const g = new QdqKit();
    const c = g.conv(g.qdq(g.input('x', [1, 8, 4, 4])), 8, { name: 'c' });
    const s = g.node('Sigmoid', [c], { name: 'sig' });
    const m = g.node('Mul', [c, s], { name: 'mul' });
    const c2 = g.node('Relu', [g.conv(g.qdq(m, 0.1), 8, { name: 'c2' })], { name: 'relu2', out: 'y' });
    const e = simulateEngine(finish(g, c2));
    expect(e.layers.map((l) => l.name)).toEqual(['QuantizeLinear_0', 'c.weight + c_wq + c + PWN(PWN(sig), mul)', 'c2.weight + c2_wq + c2']);
    expect(e.layers[1].outputs[0].precision).toBe('Int8');
  });

  it('runs AveragePool in INT8 only between a DQ and a Q', () => {
    const build = (qOut: boolean) => {
      const g = new QdqKit();
      const p = g.node('AveragePool', [g.qdq(g.input('x', [1, 8, 4, 4]), 0.05, ['qx', 'dqx'])], { name: 'pool', dims: [1, 8, 2, 2], attrs: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) } });
      return finish(g, qOut ? g.conv(g.qdq(p, 0.05, ['qp', 'dqp']), 8, { name: 'c' }) : g.node('Relu', [p], { name: 'r', out: 'y' }));
    };
    expect(sig(simulateEngine(build(true)))).toEqual(['qx | Reformat | FP32->Int8', 'pool | CudaPooling | Int8->Int8', 'c.weight + c_wq + c | CaskConvolution | Int8->FP32']);
    expect(sig(simulateEngine(build(false)))).toEqual(['qx | Reformat | FP32->Int8', 'dqx | Reformat | Int8->FP16', 'pool | CaskPooling | FP16->FP16', 'r | PointWise | FP16->FP32']);
  });

  it('an Add with DQ on both inputs and a Q after it runs as an INT8 pointwise layer', () => {
    const g = new QdqKit();
    const a = g.qdq(g.input('a', [1, 8, 4, 4]), 0.1, ['qa', 'dqa']);
    const b = g.qdq(g.input('b', [1, 8, 4, 4]), 0.1, ['qb', 'dqb']);
    const add = g.node('Add', [a, b], { name: 'add' });
    const e = simulateEngine(finish(g, g.conv(g.qdq(add, 0.2, ['qs', 'dqs']), 8, { name: 'c' })));
    expect(sig(e)).toEqual(['qa | Reformat | FP32->Int8', 'qb | Reformat | FP32->Int8', 'PWN(add) | PointWise | Int8,Int8->Int8', 'c.weight + c_wq + c | CaskConvolution | Int8->FP32']);
  });

  it('a quantized weight without an input DQ runs the conv in float and says why', () => {
    const g = new QdqKit();
    const e = simulateEngine(finish(g, g.conv(g.input('x', [1, 8, 4, 4]), 8, { name: 'c' })), { precision: 'int8' });
    expect(e.layers[0].compute).toBe('Float');
    expect(e.layers[0].outputs[0].precision).toBe('FP32');
    expect(e.layers[0].notes.join(' ')).toMatch(/input has no DQ/);
  });

  it('an unknown op becomes an opaque float layer and is reported', () => {
    const g = new QdqKit();
    const x = g.input('x', [1, 4]);
    const e = simulateEngine(finish(g, g.node('FancyNorm', [x], { name: 'fancy', out: 'y' })), { precision: 'fp32' });
    expect(e.summary.opaqueLayers).toEqual(['fancy']);
    expect(e.layers[0].layerType).toBe('Opaque');
  });

  it('strongly typed builds keep float regions in the ONNX type (FP32)', () => {
    const g = new QdqKit();
    const c = g.node('Relu', [g.conv(g.input('x', [1, 8, 4, 4]), 8, { name: 'c', quantW: false })], { name: 'r' });
    const e = simulateEngine(finish(g, g.node('Sigmoid', [c], { name: 's', out: 'y' })), { precision: 'strongly-typed', version: '10.x' });
    expect(e.layers.map((l) => l.outputs[0].precision)).toEqual(['FP32', 'FP32']);
    const best = simulateEngine(finish(g, 'y'), { precision: 'best' });
    expect(best.layers[0].outputs[0].precision).toBe('FP16');
  });

  it('counts MACs and the INT8 share', () => {
    const g = new QdqKit();
    const c1 = g.conv(g.qdq(g.input('x', [2, 8, 4, 4])), 16, { name: 'c1', k: 3 });
    const c2 = g.conv(c1, 4, { name: 'c2', quantW: false });
    const e = simulateEngine(finish(g, c2));
    const int8 = 2 * 16 * 4 * 4 * (8 * 3 * 3), flt = 2 * 4 * 4 * 4 * 16;
    expect(e.layers.map((l) => l.macs).filter((m) => m !== undefined)).toEqual([int8, flt]);
    expect(e.summary.int8MacPercent).toBe((100 * int8) / (int8 + flt));
  });
});
