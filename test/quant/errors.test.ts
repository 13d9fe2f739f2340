import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../src/sim/data-type.ts';
import { writeNpy } from '../../src/sim/io/npy.ts';
import { writeNpz } from '../../src/sim/io/npz.ts';
import { makeTensor } from '../../src/sim/tensor.ts';
import { parseAmaxTable, parseCalibrationCache } from '../../src/quant/calib/cache.ts';
import { collectStatistics } from '../../src/quant/calib/calibrate.ts';
import { loadCalibrationData } from '../../src/quant/calib/data.ts';
import { quantizeModel } from '../../src/quant/index.ts';
import { G, tinyResnet } from './graphs.ts';

const dir = mkdtempSync(join(tmpdir(), 'qdqsim-quant-'));

describe('bad placement input: clear errors naming the node / entry', () => {
  it('spec names a node, op type or regex that matches nothing', () => {
    expect(() => quantizeModel(tinyResnet(), { spec: [{ name: 'Conv_99' }], specSource: 'my.json' }))
      .toThrow(/my\.json: entry #0 selects node "Conv_99", which matches no node/);
    expect(() => quantizeModel(tinyResnet(), { spec: [{ op_type: 'Softmax' }] })).toThrow(/op type "Softmax".*the model has: Add, Conv/);
    expect(() => quantizeModel(tinyResnet(), { spec: [{ regex: '^nothing' }] })).toThrow(/regex \/\^nothing\/, which matches no node/);
    expect(() => quantizeModel(tinyResnet(), { spec: [{ regex: '(' }] })).toThrow(/invalid regex/);
    expect(() => quantizeModel(tinyResnet(), { spec: [{ name: 'Add_6', quantization_index: [5] }] })).toThrow(/node Add_6 \(Add\) has no input 5/);
    expect(() => quantizeModel(tinyResnet(), { spec: [{ name: 'Add_6', bogus: 1 }] })).toThrow(/unknown key "bogus"/);
    expect(() => quantizeModel(tinyResnet(), { mode: 'partial' })).toThrow(/partial.*give a spec/);
  });

  it('non-constant weights', () => {
    const g = new G();
    const w = g.node('Relu', ['wsrc'], {}, 'make_w');
    const c = g.node('Conv', ['x', w], {}, 'conv_dyn');
    const m = g.model([{ name: 'x', shape: [1, 2, 4, 4] }, { name: 'wsrc', shape: [2, 2, 1, 1] }], [c]);
    expect(() => quantizeModel(m)).toThrow(/node conv_dyn \(Conv\): weight input 1 "make_w_out" is not a constant/);
    const g2 = new G();
    const mm = g2.node('MatMul', ['a', 'b'], {}, 'qk');
    const m2 = g2.model([{ name: 'a', shape: [2, 2] }, { name: 'b', shape: [2, 2] }], [mm]);
    const r = quantizeModel(m2);
    expect(r.report.notes[0]).toMatch(/qk: MatMul of two activations/);
    expect(() => quantizeModel(m2, { spec: [{ name: 'qk', quantize_weight: true }] })).toThrow(/node qk \(MatMul\).*not a constant/);
    expect(quantizeModel(m2, { spec: [{ name: 'qk', quantization_index: [0, 1] }] }).report.summary.activationPairs).toBe(2);
  });

  it('unsupported dtypes, old opsets, already-quantized models', () => {
    const g = new G();
    const c = g.conv('x', 2, 2, 1, 'conv');
    const m = g.model([{ name: 'x', shape: [1, 2, 4, 4] }], [c]);
    m.graph.inputs[0].dtype = DataType.FLOAT16;
    expect(() => quantizeModel(m)).toThrow(/node conv input 0 "x" is FLOAT16; only FLOAT/);
    const old = tinyResnet();
    old.opsetImports = [{ domain: '', version: 11 }];
    expect(() => quantizeModel(old)).toThrow(/opset 11 < 13/);
    const q = quantizeModel(tinyResnet()).model;
    expect(() => quantizeModel(q)).toThrow(/already quantized: node QuantLinearNode__\d+ is QuantizeLinear/);
    expect(() => quantizeModel(tinyResnet(), { preset: 'tfmot', case: 'resnet_v1' })).toThrow(/belongs to preset tf-qat/);
  });
});

describe('bad calibration input: errors naming the file / tensor', () => {
  const model = quantizeModel(tinyResnet()).model;
  const x = (n: number, dims = [n, 3, 16, 16]) => makeTensor(DataType.FLOAT, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));

  it('empty or missing data', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(() => loadCalibrationData(model, empty)).toThrow(/empty: no \.npz or \.npy files/);
    expect(() => loadCalibrationData(model, join(dir, 'nope.npz'))).toThrow(/nope\.npz does not exist/);
    expect(() => collectStatistics(model, [], ['input'])).toThrow(/calibration data is empty/);
    const zero = join(dir, 'zero.npy');
    writeNpy(zero, x(0));
    expect(() => loadCalibrationData(model, zero)).toThrow(/zero\.npy: array for input "input" has no samples/);
  });

  it('mismatched names, shapes, dtypes and batch counts', () => {
    const wrongKey = join(dir, 'wrongkey.npz');
    writeNpz(wrongKey, { image: x(2) });
    expect(() => loadCalibrationData(model, wrongKey)).toThrow(/wrongkey\.npz: array "image" is not a model input \(inputs: input\)/);
    const wrongShape = join(dir, 'shape.npy');
    writeNpy(wrongShape, x(2, [2, 3, 8, 8]));
    expect(() => loadCalibrationData(model, wrongShape)).toThrow(/shape\.npy: array for input "input" has dims \[2,3,8,8\], the model input is \[1,3,16,16\] \(dim 2 differs\)/);
    const wrongType = join(dir, 'type.npy');
    writeNpy(wrongType, makeTensor(DataType.INT32, [1, 3, 16, 16], new Int32Array(768)));
    expect(() => loadCalibrationData(model, wrongType)).toThrow(/type\.npy: array for input "input" is INT32, the model input is FLOAT/);
    const ok = join(dir, 'ok.npz');
    writeNpz(ok, { input: x(3) });
    expect(loadCalibrationData(model, ok).length).toBe(3);
  });

  it('calibration cache and amax table parse errors', () => {
    expect(() => parseCalibrationCache('hello\n', 'c.cache')).toThrow(/c\.cache: line 1 "hello" is not a TensorRT calibration cache header/);
    expect(() => parseCalibrationCache('TRT-8601-EntropyCalibration2\nx: zz\n', 'c.cache')).toThrow(/c\.cache: line 2 "x: zz"/);
    expect(() => parseCalibrationCache('TRT-8601-EntropyCalibration2\nx: 0\n', 'c.cache')).toThrow(/scale 0 for tensor "x" is not positive/);
    expect(() => parseAmaxTable('{"amax": {"t": -1}}', 'a.json')).toThrow(/a\.json: amax of tensor "t" is -1/);
    expect(() => parseAmaxTable('nope', 'a.json')).toThrow(/a\.json: not JSON/);
  });
});
