import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';
import { formatCppFloat } from '../../../src/trt/validation/formats/cpp-float.ts';
import { parseTrtexecLayers, precisionOfFormat, onnxNodesFromMetadata, writeTrtexecLayers } from '../../../src/trt/validation/formats/trtexec-layers.ts';
import { parseTrtexecOutputs, writeTrtexecOutputs } from '../../../src/trt/validation/formats/trtexec-output.ts';
import { parseTrtexecProfile, writeTrtexecProfile } from '../../../src/trt/validation/formats/trtexec-profile.ts';

const FIX = 'test/fixtures/validation';
const read = (f: string) => readFileSync(join(FIX, f), 'utf8');

describe('std::ostream float formatting (trtexec values)', () => {
  it('matches C %g on the cases that matter', () => {
    expect(formatCppFloat(0)).toBe('0');
    expect(formatCppFloat(0.5)).toBe('0.5');
    expect(formatCppFloat(Math.fround(0.1))).toBe('0.1');
    expect(formatCppFloat(123456)).toBe('123456');
    expect(formatCppFloat(1234567)).toBe('1.23457e+06');
    expect(formatCppFloat(1.2345678e-5)).toBe('1.23457e-05');
    expect(formatCppFloat(0.0001)).toBe('0.0001');
    expect(formatCppFloat(-2.5e6)).toBe('-2.5e+06');
    expect(formatCppFloat(1e100)).toBe('1e+100');
    expect(formatCppFloat(NaN)).toBe('nan');
    expect(formatCppFloat(-Infinity)).toBe('-inf');
  });
});

describe('trtexec --exportOutput JSON', () => {
  it('parses the exact trtexec layout (float and int8 bindings)', () => {
    const outs = parseTrtexecOutputs(read('trtexec-outputs.json'));
    expect(outs.map((o) => o.name)).toEqual(['logits', 'q_out']);
    expect(outs[0].tensor.dims).toEqual([1, 10]);
    expect(outs[0].tensor.data[4]).toBe(-2.5e6);
    expect(outs[0].tensor.data[3]).toBeCloseTo(1.23457e-5, 10);
    expect([...outs[1].tensor.data]).toEqual([-128, -1, 0, 127]);
  });

  it('reads bare nan/inf tokens that strict JSON rejects', () => {
    const [y] = parseTrtexecOutputs(read('trtexec-outputs-nonfinite.json'));
    const v = [...y.tensor.data as Float32Array];
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v.slice(1)).toEqual([Infinity, -Infinity, 0.5]);
  });

  it('writes byte-identical files to what trtexec (numpy reconstruction) wrote', () => {
    for (const f of ['trtexec-outputs.json', 'trtexec-outputs-nonfinite.json']) {
      const text = read(f);
      const parsed = parseTrtexecOutputs(text).map((o) =>
        o.name === 'q_out' ? { name: o.name, tensor: makeTensor(DataType.INT8, o.tensor.dims, Int8Array.from(o.tensor.data as Float32Array)) } : o);
      expect(writeTrtexecOutputs(parsed)).toBe(text);
    }
  });

  it('rejects files of another kind with a clear message', () => {
    expect(() => parseTrtexecOutputs('{"Layers": []}', 'x.json')).toThrow(/x.json: expected a list of \{name, dimensions, values\}/);
    expect(() => parseTrtexecOutputs('[{"name":"a","dimensions":"2x2","values":[1,2,3]}]', 'x.json')).toThrow(/3 values but dimensions 2x2 hold 4/);
    expect(() => parseTrtexecOutputs('[{"name":"a"', 'x.json')).toThrow(/x.json: not valid JSON/);
  });
});

describe('trtexec --exportLayerInfo JSON (real engines)', () => {
  it('reads a detailed TREx/trtexec dump: layers, formats, precisions', () => {
    const list = parseTrtexecLayers(read('gt/resnet-qat-residual.onnx.engine.graph.json'));
    expect(list.verbosity).toBe('detailed');
    expect(list.layers).toHaveLength(26);
    expect(list.bindings).toEqual(['input.1', '470']);
    const q = list.layers[0];
    expect(q).toMatchObject({ name: 'QuantizeLinear_2', layerType: 'Reformat', origin: 'QDQ' });
    expect(q.inputs[0].precision).toBe('FP32');
    expect(q.outputs[0].precision).toBe('Int8');
    expect(q.outputs[0].dims).toEqual([32, 3, 224, 224]);
    expect(list.layers[1].layerType).toBe('ConvActPool');
  });

  it('maps every Format/Datatype string seen in the ground truth to a precision', () => {
    for (const f of ['gt/resnet-qat.onnx.engine.graph.json', 'gt/tf-resnet50-qat.onnx.engine.graph.json', 'gt/resnet-qat-residual.onnx.engine.graph.json']) {
      for (const l of parseTrtexecLayers(read(f)).layers) {
        for (const t of [...l.inputs, ...l.outputs]) expect(t.precision, `${f}: ${t.format}`).not.toBe('unknown');
      }
    }
    expect(precisionOfFormat('Thirty-two wide channel vectorized row major Int8 format')).toBe('Int8');
    expect(precisionOfFormat('Channel major FP16 format where channel % 8 == 0')).toBe('FP16');
    expect(precisionOfFormat('Half')).toBe('FP16');
    expect(precisionOfFormat('Float')).toBe('FP32');
  });

  it('reads names-only exports (default verbosity) and TRT >= 8.6 Metadata', () => {
    const names = parseTrtexecLayers('{"Layers": ["QuantizeLinear_111", "w + QuantizeLinear_116 + Conv_118 + Relu_119"], "Bindings": ["x", "y"]}');
    expect(names.verbosity).toBe('names-only');
    expect(names.layers.map((l) => l.name)).toEqual(['QuantizeLinear_111', 'w + QuantizeLinear_116 + Conv_118 + Relu_119']);
    expect(onnxNodesFromMetadata('[ONNX Layer: /conv1/Conv]\u001e[ONNX Layer: /relu/Relu]')).toEqual(['/conv1/Conv', '/relu/Relu']);
  });

  it('round-trips through the writer', () => {
    const list = parseTrtexecLayers(read('gt/resnet-qat.onnx.engine.graph.json'));
    const again = parseTrtexecLayers(writeTrtexecLayers(list));
    expect(again.layers.map((l) => l.raw)).toEqual(list.layers.map((l) => l.raw));
  });
});

describe('trtexec --exportProfile JSON (real engines)', () => {
  it('parses and rewrites the real file byte for byte', () => {
    for (const f of ['gt/resnet-qat-residual.onnx.engine.profile.json', 'gt/resnet-qat.onnx.engine.profile.json']) {
      const text = read(f);
      const p = parseTrtexecProfile(text);
      expect(p.count).toBeGreaterThan(0);
      expect(p.layers[0].name).toBe('QuantizeLinear_2');
      expect(writeTrtexecProfile(p)).toBe(text);
    }
  });

  it('names the expected format when given something else', () => {
    expect(() => parseTrtexecProfile('[{"name": "x"}]', 'p.json')).toThrow(/p.json: expected \[\{"count": N\}/);
  });
});
