import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/interp/run-model.ts';
import { runOrt } from '../../src/sim/interp/ort-bridge.ts';
import { saveModel } from '../../src/sim/onnx/model-io.ts';
import { writeNpz } from '../../src/sim/io/npz.ts';
import type { Model } from '../../src/sim/ir/graph.ts';
import { formatCalibrationCache, hexToScale, parseAmaxTable, parseCalibrationCache, scaleToHex } from '../../src/quant/calib/cache.ts';
import { applyScales, calibrateModel, calibrationTargets } from '../../src/quant/calib/calibrate.ts';
import { syntheticBatches } from '../../src/quant/calib/synthetic.ts';
import { quantizeModel, stripQdq } from '../../src/quant/index.ts';
import { DataType } from '../../src/sim/data-type.ts';
import { makeTensor } from '../../src/sim/tensor.ts';
import { tinyResnet } from './graphs.ts';

const dir = mkdtempSync(join(tmpdir(), 'qdqsim-calib-'));
const scaleOf = (m: Model, init: string) => (m.graph.initializers.get(init)!.data as Float32Array)[0];

describe('calibration end to end', () => {
  it('max: each activation scale is fround(max|x| / 127) of the float tensor over all batches', () => {
    const { model } = quantizeModel(tinyResnet(), { preset: 'pytorch-quantization', quantizeResidual: true });
    const batches = syntheticBatches(model, 3, 42);
    const { model: cal, amax } = calibrateModel(model, batches, { method: 'max' });
    const float = stripQdq(model);
    const targets = calibrationTargets(model);
    const want = new Map<string, number>();
    for (const b of batches) {
      const r = runModel(float, b, { capture: [...targets.keys()].filter((t) => t !== 'input') });
      for (const t of targets.keys()) {
        const v = (t === 'input' ? b[t] : r.captured[t]).data as Float32Array;
        let m = want.get(t) ?? 0;
        for (const x of v) m = Math.max(m, Math.abs(x));
        want.set(t, m);
      }
    }
    for (const [t, inits] of targets) {
      expect(amax.get(t)).toBe(want.get(t));
      for (const s of inits) expect(scaleOf(cal, s)).toBe(Math.fround(want.get(t)! / 127));
    }
  });

  it('every method gives positive finite scales, entropy/percentile/mse within the max (plus one bin)', () => {
    const { model } = quantizeModel(tinyResnet(), { case: 'resnet_v1' });
    const batches = syntheticBatches(model, 2, 1);
    const max = calibrateModel(model, batches, { method: 'max' }).amax;
    for (const method of ['entropy', 'percentile', 'mse'] as const) {
      const { model: cal, amax } = calibrateModel(model, batches, { method });
      for (const [t, a] of amax) {
        expect(a).toBeGreaterThan(0);
        // at most one bin above the max: later batches extend the histogram by whole bins
        expect(a).toBeLessThanOrEqual(max.get(t)! * (1 + 1 / 1000));
      }
      for (const inits of calibrationTargets(cal).values()) for (const s of inits) {
        const v = scaleOf(cal, s);
        expect(v > 0 && Number.isFinite(v)).toBe(true);
      }
    }
  });

  it('a shared scale takes the largest amax of its tensors', () => {
    const { model } = quantizeModel(tinyResnet(), { case: 'inception', naming: 'qdqsim', dedupe: false, shareScales: true });
    const targets = calibrationTargets(model);
    const shared = [...targets].filter(([, s]) => [...s].some((x) => x.startsWith('qdq_shared_scale_')));
    expect(shared.length).toBeGreaterThan(0);
    const amax = new Map([...targets.keys()].map((t, i) => [t, i + 1]));
    const cal = applyScales(model, new Map([...amax].map(([t, a]) => [t, Math.fround(a / 127)]))).model;
    const sharedName = [...shared[0][1]][0];
    const members = shared.filter(([, s]) => s.has(sharedName)).map(([t]) => amax.get(t)!);
    expect(scaleOf(cal, sharedName)).toBe(Math.fround(Math.max(...members) / 127));
  });

  it('TensorRT cache: hex of the float32 scale, round trip exact', () => {
    expect(scaleToHex(1)).toBe('3f800000');
    expect(hexToScale('3c010204')).toBe(Math.fround(1 / 127));
    expect(scaleToHex(Math.fround(1 / 127))).toBe('3c010204');
    const amax = new Map([['input.1', 2.5], ['onnx::Conv_46', 6]]);
    const text = formatCalibrationCache(amax);
    expect(text).toBe(`TRT-8601-EntropyCalibration2\ninput.1: ${scaleToHex(Math.fround(2.5 / 127))}\nonnx::Conv_46: ${scaleToHex(Math.fround(6 / 127))}\n`);
    const back = parseCalibrationCache(text);
    expect(back.header).toBe('TRT-8601-EntropyCalibration2');
    expect(back.scales.get('onnx::Conv_46')).toBe(Math.fround(6 / 127));
  });
});

describe('qdqsim quantize / calibrate CLI', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/qdqsim.mjs', ...args], { encoding: 'utf8' });

  it('quantize -> calibrate from an .npz -> cache -> from-cache reproduces the scales; output runs in onnxruntime and the interpreter', async () => {
    const src = join(dir, 'r.onnx'), q = join(dir, 'rq.onnx'), c = join(dir, 'rc.onnx'), c2 = join(dir, 'rc2.onnx');
    saveModel(tinyResnet(), src);
    let r = cli('quantize', src, '-o', q, '--preset', 'pytorch-quantization', '--quantize-residual', '--table');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/9 nodes quantized: 9 activation Q\/DQ, 7 weight Q\/DQ/);
    expect(r.stdout).toMatch(/Add_6 +Add +in=\[1\]/);
    const data = join(dir, 'calib.npz');
    const batches = syntheticBatches(tinyResnet(), 4, 3);
    writeNpz(data, { input: makeTensor(DataType.FLOAT, [4, 3, 16, 16], Float32Array.from(batches.flatMap((b) => [...(b.input.data as Float32Array)]))) });
    const cache = join(dir, 'r.cache'), amaxJson = join(dir, 'r.json');
    r = cli('calibrate', q, '--data', data, '--method', 'percentile', '-o', c, '--cache', cache, '--amax-json', amaxJson);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 batches from .*calib\.npz, method percentile/);
    expect(readFileSync(cache, 'utf8')).toMatch(/^TRT-8601-EntropyCalibration2\ninput: [0-9a-f]{8}\n/);
    expect(parseAmaxTable(readFileSync(amaxJson, 'utf8')).size).toBe(7); // 9 pairs on 7 distinct tensors
    r = cli('calibrate', q, '--from-cache', cache, '-o', c2);
    expect(r.status, r.stderr).toBe(0);
    const { loadModel } = await import('../../src/sim/onnx/model-io.ts');
    const m1 = loadModel(c), m2 = loadModel(c2);
    for (const inits of calibrationTargets(m1).values()) for (const s of inits) expect(scaleOf(m2, s)).toBe(scaleOf(m1, s));
    const feeds = { input: batches[0].input };
    const ours = runModel(m1, feeds).outputs;
    const theirs = await runOrt(m1, feeds);
    const name = m1.graph.outputs[0].name;
    const a = ours[name].data as Float32Array, b = theirs[name].data as Float32Array;
    expect(a.length).toBe(10);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-3);
  });

  it('a float model (no Q/DQ) gives a cache for every float activation; writing a model needs Q/DQ', () => {
    const f = join(dir, 'float.onnx'), cache = join(dir, 'implicit.cache');
    saveModel(tinyResnet(), f);
    let r = cli('calibrate', f, '--method', 'max', '--batches', '1', '--cache', cache);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/has no Q\/DQ: calibrated all 18 float activations/);
    const c = parseCalibrationCache(readFileSync(cache, 'utf8'));
    expect(c.scales.size).toBe(18); // the input + 17 node outputs
    expect([...c.scales.keys()][0]).toBe('input');
    r = cli('calibrate', f, '-o', join(dir, 'nope.onnx'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no activation QuantizeLinear to write scales into/);
  });

  it('synthetic data is reported loudly; usage errors exit 2', () => {
    const q = join(dir, 'rq-syn.onnx');
    saveModel(quantizeModel(tinyResnet()).model, q);
    let r = cli('calibrate', q, '--method', 'max', '--batches', '1', '--amax-json', join(dir, 'syn.json'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/WARNING: no --data given: using 1 batches of SYNTHETIC data/);
    r = cli('calibrate', q);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nothing to write/);
    r = cli('quantize', q, '-o', join(dir, 'x.onnx'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/already quantized/);
  });
});

describe('calibrating Q/DQ graphs made by other exporters', () => {
  it('rewrites the DQ\'s own scale copy and Constant-node scales too', () => {
    const { model } = quantizeModel(tinyResnet(), { preset: 'pytorch-quantization' });
    // PyTorch-style: the DQ reads its own Constant node holding the scale
    const g = model.graph;
    const nodes = [...g.nodes];
    const dqIdx = nodes.findIndex((n) => n.opType === 'DequantizeLinear' && n.name === 'Conv_0_input0_DequantizeLinear');
    const dq = nodes[dqIdx];
    const constNode = { name: 'Constant_dq_scale', opType: 'Constant', domain: '', inputs: [], outputs: ['dq_scale_copy'], attrs: { value: { type: 'tensor' as const, value: g.initializers.get(dq.inputs[1])! } } };
    nodes[dqIdx] = { ...dq, inputs: [dq.inputs[0], 'dq_scale_copy', dq.inputs[2]] };
    nodes.splice(dqIdx, 0, constNode);
    const m2 = { ...model, graph: { ...g, nodes } };
    const cal = applyScales(m2, new Map([['input', 0.25]])).model;
    const c = cal.graph.nodes.find((n) => n.name === 'Constant_dq_scale')!;
    expect(c.attrs.value.type === 'tensor' && (c.attrs.value.value.data as Float32Array)[0]).toBe(0.25);
    expect(scaleOf(cal, 'Conv_0_input0_scale')).toBe(0.25);
  });
});
