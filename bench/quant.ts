/**
 * Q/DQ insertion and calibration timings. Run: npx tsx bench/quant.ts
 * - quantizeModel on ResNet-50 v1 (pytorch style, pytorch-quantization preset; tf2onnx style, TF-QAT
 *   resnet_v1 case with Keras-layout weights);
 * - amax from one 2048-bin histogram per method;
 * - calibrateModel on ResNet-18 (64 px, 4 synthetic batches): interpreter + statistics per method.
 * Prints a markdown table (recorded in docs/quantize.md).
 */
import { buildZooModel } from '../src/sim/zoo/index.ts';
import { calibrateModel, entropyAmax, Histogram, mseAmax, percentileAmax, quantizeModel, syntheticBatches } from '../src/quant/index.ts';

function time<T>(f: () => T, reps = 3): { ms: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    value = f();
    best = Math.min(best, performance.now() - t);
  }
  return { ms: best, value };
}

const rows: [string, string][] = [];
const r50 = buildZooModel('resnet50_v1', { size: 64 });
rows.push(['quantize ResNet-50 v1 (pytorch-quantization --quantize-residual), fresh weights each time', `${time(() => quantizeModel(buildZooModel('resnet50_v1', { size: 64 }), { preset: 'pytorch-quantization', quantizeResidual: true }), 1).ms.toFixed(0)} ms incl. zoo build`]);
rows.push(['quantize ResNet-50 v1 (pytorch-quantization), weights amax cached', `${time(() => quantizeModel(r50, { preset: 'pytorch-quantization' })).ms.toFixed(1)} ms`]);
const r50tf = buildZooModel('resnet50_v1', { size: 64, style: 'tf2onnx' });
rows.push(['quantize Keras ResNet-50 (tf-qat resnet_v1, Keras-layout weights), first run', `${time(() => quantizeModel(r50tf, { case: 'resnet_v1', toolkitVersion: '0.1.0' }), 1).ms.toFixed(0)} ms`]);

const h = new Histogram();
const x = Float32Array.from({ length: 1 << 20 }, (_, i) => Math.fround(Math.log(1 + (i % 9973)) * Math.sin(i)));
rows.push(['histogram collect, 1M values', `${time(() => { const k = new Histogram(); k.collect(x); return k; }).ms.toFixed(1)} ms`]);
h.collect(x);
rows.push(['entropy amax, 2048 bins', `${time(() => entropyAmax(h.counts!, h.edges!)).ms.toFixed(1)} ms`]);
rows.push(['mse amax, 2048 bins', `${time(() => mseAmax(h.counts!, h.edges!)).ms.toFixed(1)} ms`]);
rows.push(['percentile amax, 2048 bins', `${time(() => percentileAmax(h.counts!, h.edges!)).ms.toFixed(3)} ms`]);

const { model: q18 } = quantizeModel(buildZooModel('resnet18', { size: 64 }), { preset: 'pytorch-quantization', quantizeResidual: true });
const batches = syntheticBatches(q18, 4, 0);
for (const method of ['max', 'percentile', 'mse', 'entropy'] as const) {
  rows.push([`calibrate ResNet-18 64px, 4 batches, ${method}`, `${time(() => calibrateModel(q18, batches, { method }), 1).ms.toFixed(0)} ms`]);
}

console.log('| step | time |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
