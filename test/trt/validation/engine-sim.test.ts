import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { roundToFloat16 } from '../../../src/sim/golden/dtype.ts';
import { conv2dInt32, requantize } from '../../../src/sim/golden/integer-ops.ts';
import { quantizeTensor } from '../../../src/sim/golden/quantize.ts';
import { runModel } from '../../../src/sim/interp/run-model.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';
import { simulateEngine } from '../../../src/trt/simulate.ts';
import { runEngineSim } from '../../../src/trt/validation/exec/engine-sim.ts';
import { randomFeed } from '../../../src/trt/validation/inputs.ts';
import { qdqConvModel } from './models.ts';

describe('simulated engine execution', () => {
  const model = qdqConvModel({ exposeQ1: false });
  const x = randomFeed(model.graph.inputs[0], 9);

  it('fuses the first conv with its output Q (the predicted engine this test relies on)', () => {
    const e = simulateEngine(model, { precision: 'best' });
    const conv1 = e.layers.find((l) => l.nodes.some((n) => n.opType === 'Conv'))!;
    expect(conv1.compute).toBe('Int8');
    expect(conv1.outputs[0]).toMatchObject({ name: 'q1', precision: 'Int8' });
  });

  it('an INT8 conv layer is int32 accumulation + the float32 requantize epilogue, bit for bit', async () => {
    const r = await runEngineSim(model, { x }, { precision: 'best', capture: ['q1'] });
    const g = model.graph;
    const init = (n: string) => g.initializers.get(n)!;
    const scalar = (n: string) => (init(n).data as Float32Array)[0];
    const q = (t: ReturnType<typeof init>, s: ReturnType<typeof init>, axis?: number) =>
      quantizeTensor(t, s, undefined, { outputDtype: DataType.INT8, axis });
    // the model's own scales, read from its Q/DQ nodes
    const [qIn, , qW] = g.nodes;
    const xq = q(x, init(qIn.inputs[1]));
    const wq = q(init('w1'), init(qW.inputs[1]), 0);
    const wScale = init(qW.inputs[1]).data as Float32Array;
    const qOut = g.nodes.find((n) => n.outputs[0] === 'q1')!;
    const acc = conv2dInt32(xq.data as Int8Array, x.dims, 0, wq.data as Int8Array, wq.dims, 0, { pads: [1, 1, 1, 1] });
    const want = new Int8Array(acc.data.length);
    requantize(acc.data, want, {
      mode: 'float', qmin: -128, qmax: 127, xScale: scalar(qIn.inputs[1]), wScale, yScale: scalar(qOut.inputs[1]), yZeroPoint: 0,
      channels: 8, channelStride: 36, floatBias: init('b1').data as Float32Array, activation: { kind: 'relu' },
    });
    expect([...r.captured.q1.data as Int8Array]).toEqual([...want]);
  });

  it('differs from the Q/DQ float simulation only by rounding of fused intermediates (<= 1 LSB)', async () => {
    const qdq = runModel(model, { x }, { capture: ['q1'] });
    const r = await runEngineSim(model, { x }, { precision: 'best', capture: ['q1'] });
    const a = qdq.captured.q1.data as Int8Array, b = r.captured.q1.data as Int8Array;
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    expect(max).toBeLessThanOrEqual(1);
  });

  it('rounds tensors the engine keeps in FP16 to FP16, and keeps FP32 exact under --int8', async () => {
    const m = qdqConvModel();
    const best = await runEngineSim(m, { x }, { precision: 'best', capture: ['Relu_5_out0'] });
    const fp16Tensors = best.engine.layers.flatMap((l) => l.outputs).filter((t) => t.precision === 'FP16').map((t) => t.name);
    expect(fp16Tensors.length).toBeGreaterThan(0);
    for (const name of fp16Tensors) {
      const v = (best.captured[name] ?? (await runEngineSim(m, { x }, { precision: 'best', capture: [name] })).captured[name]).data as Float32Array;
      expect(v.every((e) => roundToFloat16(e) === e), name).toBe(true);
    }
    const int8 = await runEngineSim(m, { x }, { precision: 'int8' });
    expect(int8.engine.layers.flatMap((l) => l.outputs).some((t) => t.precision === 'FP16')).toBe(false);
  });

  it('names the missing feed', async () => {
    await expect(runEngineSim(model, {}, {})).rejects.toThrow(/graph input 'x' is not fed/);
    const wrong = makeTensor(DataType.FLOAT, [1, 4, 5, 5]);
    await expect(runEngineSim(model, { x: wrong }, {})).rejects.toThrow(/engine-sim/);
  });
});

describe('engine-sim WebGPU backend', async () => {
  const { acquireGpuOrSkip, releaseGpu } = await import('../../../src/kernels/device.ts');
  const probe = await acquireGpuOrSkip();
  if (probe.ctx) releaseGpu(probe.ctx);
  if (probe.skipReason) console.log(`engine-sim WebGPU backend: skipped — ${probe.skipReason}`);
  it.skipIf(!!probe.skipReason)('gives the same bits as the reference backend', async () => {
    const model = qdqConvModel({ exposeQ1: false, cin: 8, cout: 16, hw: 7 });
    const x = randomFeed(model.graph.inputs[0], 4);
    const ref = await runEngineSim(model, { x }, { backend: 'ref', capture: ['q1'] });
    const gpu = await runEngineSim(model, { x }, { backend: 'webgpu', capture: ['q1'] });
    expect(gpu.captured.q1.data).toEqual(ref.captured.q1.data);
    expect(gpu.outputs.y.data).toEqual(ref.outputs.y.data);
  });
});
