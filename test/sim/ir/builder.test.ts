import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder, attr, toAttribute } from '../../../src/sim/ir/builder.ts';
import { encodeModel } from '../../../src/sim/onnx/model-io.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';

describe('GraphBuilder', () => {
  it('types plain attribute values the way ONNX schemas do', () => {
    expect(toAttribute('axis', 1)).toEqual({ type: 'int', value: 1 });
    expect(toAttribute('alpha', 1)).toEqual({ type: 'float', value: 1 });
    expect(toAttribute('epsilon', 1e-5)).toEqual({ type: 'float', value: Math.fround(1e-5) });
    expect(toAttribute('whatever', 0.5)).toEqual({ type: 'float', value: 0.5 });
    expect(toAttribute('pads', [1, 1, 0, 0])).toEqual({ type: 'ints', value: [1, 1, 0, 0] });
    expect(toAttribute('scales', [1, 2])).toEqual({ type: 'floats', value: [1, 2] });
    expect(toAttribute('mode', 'nearest')).toEqual({ type: 'string', value: 'nearest' });
    expect(toAttribute('x', ['a'])).toEqual({ type: 'strings', value: ['a'] });
    expect(toAttribute('n', attr.float(2))).toEqual({ type: 'float', value: 2 });
    const t = makeTensor(DataType.FLOAT, [1]);
    expect(toAttribute('value', t)).toEqual({ type: 'tensor', value: t });
    expect(() => toAttribute('axis', Number.NaN)).toThrow(/attr\.float/);
  });

  it('names nodes <OpType>_<index> and outputs <node>_out<i>, or as told', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', DataType.FLOAT, [2]);
    expect(b.op('Relu', [x])).toBe('Relu_0_out0');
    expect(b.op('Relu', ['Relu_0_out0'], {}, { name: 'mine', outputs: ['y'] })).toBe('y');
    expect(b.node('Split', ['y'], {}, { outputs: 2 })).toEqual(['Split_2_out0', 'Split_2_out1']);
    const named = new GraphBuilder('n', { nodeName: (op, i) => `/layer${i}/${op}`, valueName: (n) => `${n}:0` });
    expect(named.op('Relu', [named.input('x', DataType.FLOAT)])).toBe('/layer0/Relu:0');
  });

  it('refuses undefined inputs, reused names and outputs of unknown dtype', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', DataType.FLOAT, [2]);
    expect(() => b.op('Relu', ['nope'])).toThrow(/input 'nope' of node 'Relu_0' \(Relu\) is not defined/);
    b.op('Relu', [x], {}, { name: 'r', outputs: ['y'] });
    expect(() => b.op('Relu', [x], {}, { name: 'r' })).toThrow(/node name 'r' is used twice/);
    expect(() => b.op('Relu', [x], {}, { outputs: ['y'] })).toThrow(/value 'y' is defined twice/);
    const c = b.op('Custom', [x], {}, { domain: 'my.ops', dtypes: [DataType.UNDEFINED] });
    expect(() => b.output(c)).toThrow(/cannot tell the dtype of output/);
    expect(() => b.output('missing')).toThrow(/output 'missing' is not defined/);
  });

  it('tracks output dtypes through Q/DQ, Cast, Shape and comparisons', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', DataType.FLOAT, [4]);
    const q = b.quantize(x, 0.5, 3, DataType.UINT8);
    expect(b.dtypeOf(q)).toBe(DataType.UINT8);
    expect(b.dtypeOf(b.dequantize(q, 0.5, 3))).toBe(DataType.FLOAT);
    expect(b.dtypeOf(b.op('Cast', [x], { to: DataType.FLOAT16 }))).toBe(DataType.FLOAT16);
    expect(b.dtypeOf(b.op('Shape', [x]))).toBe(DataType.INT64);
    expect(b.dtypeOf(b.op('Less', [x, x]))).toBe(DataType.BOOL);
    expect(b.dtypeOf(b.quantize(x, [0.1, 0.2, 0.3, 0.4], 0, DataType.INT8, 0))).toBe(DataType.INT8);
  });

  it('builds models with opset 13 by default, imports for custom domains, and runs in onnxruntime', async () => {
    const b = new GraphBuilder('qdq');
    const x = b.input('x', DataType.FLOAT, [1, 1, 2, 2]);
    const w = b.initializer('w', makeTensor(DataType.INT8, [2, 1, 1, 1], new Int8Array([2, -3])));
    const y = b.op('Conv', [b.qdq(x, 0.25, 0), b.dequantize(w, [0.5, 1], 0, 0)], { kernel_shape: [1, 1] });
    b.output(y, DataType.FLOAT, [1, 2, 2, 2]);
    const m = b.model();
    expect(m.opsetImports).toEqual([{ domain: '', version: 13 }]);
    expect(m.irVersion).toBe(7);
    const s = await ort.InferenceSession.create(encodeModel(m));
    const r = await s.run({ x: new ort.Tensor('float32', new Float32Array([0.25, -0.5, 1, 0.3]), [1, 1, 2, 2]) });
    await s.release();
    // x quantized at scale 0.25: 0.3 -> 0.25; channel 0 weight 1.0, channel 1 weight -3.0
    expect([...(r[y].data as Float32Array)]).toEqual([0.25, -0.5, 1, 0.25, -0.75, 1.5, -3, -0.75]);
    const c = new GraphBuilder('c');
    c.output(c.op('Foo', [c.input('x', DataType.FLOAT)], {}, { domain: 'com.example' }));
    expect(c.model({ opset: 17, domains: { 'com.example': 2 } }).opsetImports).toEqual([{ domain: '', version: 17 }, { domain: 'com.example', version: 2 }]);
  });
});
