/**
 * Seeded random window ops — Conv, ConvTranspose, MaxPool, AveragePool with random kernel, stride,
 * dilation, pads, auto_pad, group, ceil_mode and count_include_pad — against onnxruntime-node: dims equal
 * (and predicted by shape inference), values within 1e-6 of the output's scale (MaxPool exact).
 */
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder } from '../../../src/sim/ir/builder.ts';
import { GraphError } from '../../../src/sim/ir/graph-error.ts';
import type { AttrValue } from '../../../src/sim/ir/builder.ts';
import { diffTensors } from '../../../src/sim/interp/compare.ts';
import { runOrt } from '../../../src/sim/interp/ort-bridge.ts';
import { mulberry32, randomTensor } from '../../../src/sim/interp/random-inputs.ts';
import { runModel } from '../../../src/sim/interp/run-model.ts';
import { inferShapes } from '../../../src/sim/shape/infer-shapes.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';

const F = DataType.FLOAT;
const COUNT = Number(process.env.QDQSIM_RANDOM_WINDOWS ?? 150);

function build(seed: number) {
  const rand = mulberry32(seed);
  const ri = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const op = pick(['Conv', 'Conv', 'ConvTranspose', 'MaxPool', 'AveragePool']);
  const sp = ri(1, 2);
  const group = op.startsWith('Conv') ? pick([1, 1, 2, 3]) : 1;
  const C = group * ri(1, 3);
  const N = ri(1, 2);
  const spatial = Array.from({ length: sp }, () => ri(3, 9));
  const kernel = spatial.map(() => ri(1, 3));
  const strides = spatial.map(() => ri(1, 3));
  const autoPad = pick(['NOTSET', 'NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER']);
  // onnxruntime sizes SAME padding of a dilated MaxPool from the undilated kernel (the ONNX spec, which
  // the interpreter follows, uses the dilated extent), so that one combination is not compared
  const dil = op === 'AveragePool' || op === 'ConvTranspose' || (op === 'MaxPool' && autoPad.startsWith('SAME'))
    ? spatial.map(() => 1) : spatial.map(() => ri(1, 2));
  const attrs: Record<string, AttrValue> = { strides };
  if (op !== 'ConvTranspose' || autoPad === 'NOTSET' || autoPad === 'VALID') attrs.auto_pad = autoPad;
  if (autoPad === 'NOTSET') attrs.pads = [...kernel.map((k) => ri(0, k - 1)), ...kernel.map((k) => ri(0, k - 1))];
  if (dil.some((d) => d !== 1)) attrs.dilations = dil;
  const b = new GraphBuilder('w');
  const feeds: Record<string, Tensor> = {};
  const xDims = [N, C, ...spatial];
  feeds.x = randomTensor(F, xDims, rand);
  const x = b.input('x', F, xDims);
  let y: string;
  if (op === 'Conv' || op === 'ConvTranspose') {
    const M = group * ri(1, 3);
    const wDims = op === 'Conv' ? [M, C / group, ...kernel] : [C, M / group, ...kernel];
    feeds.w = randomTensor(F, wDims, rand);
    if (group > 1) attrs.group = group;
    const inputs = [x, b.input('w', F, wDims)];
    if (rand() < 0.5) {
      feeds.bias = randomTensor(F, [M], rand);
      inputs.push(b.input('bias', F, [M]));
    }
    if (op === 'ConvTranspose' && autoPad === 'NOTSET' && rand() < 0.5) attrs.output_padding = strides.map((s) => ri(0, s - 1));
    y = b.op(op, inputs, attrs);
  } else {
    attrs.kernel_shape = kernel;
    if (autoPad === 'NOTSET' && rand() < 0.5) attrs.ceil_mode = 1;
    if (op === 'AveragePool' && rand() < 0.5) attrs.count_include_pad = 1;
    y = b.op(op, [x], attrs);
  }
  b.output(y, F);
  // a dilated window longer than the (explicitly or VALID-) padded input: onnxruntime sizes such outputs
  // with C++ truncating division of a negative number (e.g. 1 where the ONNX formula gives 0), so they
  // are not compared
  const pads = (attrs.pads as number[] | undefined) ?? new Array(2 * sp).fill(0);
  const degenerate = op !== 'ConvTranspose' && !autoPad.startsWith('SAME')
    && spatial.some((d, i) => (kernel[i] - 1) * dil[i] + 1 > d + (autoPad === 'VALID' ? 0 : pads[i] + pads[i + sp]));
  return { model: b.model({ opset: 13 }), feeds, y, degenerate, what: `${op} x[${xDims}] ${JSON.stringify(attrs)}` };
}

describe('random window ops: interpreter vs onnxruntime-node', () => {
  it(`${COUNT} seeded Conv/ConvTranspose/MaxPool/AveragePool configurations`, { timeout: 300_000 }, async () => {
    let ran = 0;
    for (let seed = 1; seed <= COUNT; seed++) {
      const { model, feeds, y, what, degenerate } = build(seed);
      if (degenerate) continue;
      let ref: Tensor;
      try {
        ref = (await runOrt(model, feeds))[y];
      } catch {
        // ORT refuses the configuration (a window larger than the padded input; or its legacy pool SAME
        // padding going negative, where the spec's clamped padding is well defined): we run it or
        // refuse it with a located error, nothing else
        try { runModel(model, feeds); } catch (e) { expect(e, `seed ${seed}: ${what}`).toBeInstanceOf(GraphError); }
        continue;
      }
      ran++;
      let ours: Tensor;
      try {
        ours = runModel(model, feeds).outputs[y];
      } catch (e) {
        throw new Error(`seed ${seed}: ${what}: ${(e as Error).message}`);
      }
      expect(ours.dims, `seed ${seed}: ${what}`).toEqual(ref.dims);
      expect(inferShapes(model).get(y)?.shape, `seed ${seed}: ${what}`).toEqual(ref.dims);
      const d = diffTensors(ours, ref);
      if (what.startsWith('MaxPool')) expect(d.mismatches, `seed ${seed}: ${what}`).toBe(0);
      else expect(d.maxAbsOverScale, `seed ${seed}: ${what} ${JSON.stringify(d)}`).toBeLessThanOrEqual(1e-6);
    }
    expect(ran).toBeGreaterThan(COUNT / 2);
  });
});
