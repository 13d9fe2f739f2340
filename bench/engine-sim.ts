/**
 * Simulated-engine execution of ResNet-50 v1 (batch 1, 224x224, pytorch-quantization placement with
 * residual quantizers) on the reference and the WebGPU backend, against onnxruntime-node running the
 * same Q/DQ model. Run: npx tsx bench/engine-sim.ts [--reps N] [--size S]
 * Prints a markdown table (bench/RESULTS-validation.md holds the recorded numbers).
 */
import os from 'node:os';
import ort from 'onnxruntime-node';
import { quantizeModel } from '../src/quant/index.ts';
import { encodeModel } from '../src/sim/onnx/model-io.ts';
import { buildZooModel } from '../src/sim/zoo/index.ts';
import { simulateEngine } from '../src/trt/simulate.ts';
import { runEngineSim } from '../src/trt/validation/exec/engine-sim.ts';
import { randomFeed } from '../src/trt/validation/inputs.ts';

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(k);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const reps = arg('--reps', 3);
const size = arg('--size', 224);
const backends = process.argv.includes('--no-webgpu') ? ['ref'] : ['ref', 'webgpu'];

function med(xs: number[]): { min: number; med: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], med: s[Math.floor(s.length / 2)] };
}

const t0 = performance.now();
const float = buildZooModel('resnet50_v1', { size, batch: 1 });
const { model } = quantizeModel(float, { preset: 'pytorch-quantization', quantizeResidual: true });
const tBuild = performance.now() - t0;
const t1 = performance.now();
const engine = simulateEngine(model, { precision: 'best' });
const tSim = performance.now() - t1;
const input = model.graph.inputs[0];
const x = randomFeed(input, 1);
console.error(`model built+quantized in ${tBuild.toFixed(0)} ms; simulateEngine ${tSim.toFixed(1)} ms; ${engine.layers.length} layers, ${engine.summary.int8Layers} INT8`);

const rows: [string, { min: number; med: number }, string][] = [];
for (const backend of backends) {
  const times: number[] = [];
  let layersMs: { name: string; mode: string; ms: number }[] = [];
  for (let i = 0; i < reps + 1; i++) {
    const s = performance.now();
    const r = await runEngineSim(model, { [input.name]: x }, { engine, backend: backend as 'ref' | 'webgpu' });
    const ms = performance.now() - s;
    if (i > 0) times.push(ms);
    layersMs = r.layers;
    console.error(`engine-sim ${backend} run ${i}: ${ms.toFixed(0)} ms${i === 0 ? ' (warm-up)' : ''}`);
  }
  const fused = layersMs.filter((l) => l.mode === 'int8-fused').reduce((a, l) => a + l.ms, 0);
  rows.push([`engine-sim ${backend}`, med(times), `fused INT8 layers ${fused.toFixed(0)} ms of the last run`]);
}

const bytes = encodeModel(model);
for (const threads of [1, 2]) {
  const sess = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const feeds = { [input.name]: new ort.Tensor('float32', x.data as Float32Array, x.dims) };
  const times: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const s = performance.now();
    await sess.run(feeds);
    if (i >= 2) times.push(performance.now() - s);
  }
  await sess.release();
  rows.push([`onnxruntime-node ${threads} thread${threads > 1 ? 's' : ''} (Q/DQ model, opt 'all')`, med(times), 'sess.run wall']);
}

const ortRef = rows.find((r) => r[0].startsWith('onnxruntime-node 1'))![1].med;
console.log(`ResNet-50 v1 ${size}x${size} batch 1, ${engine.layers.length} engine layers (${engine.summary.int8Layers} INT8); ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? ''}), node ${process.version}, ${new Date().toISOString()}`);
console.log('');
console.log('| execution | min ms | median ms | ratio to ORT 1 thread (median) | note |');
console.log('|---|---|---|---|---|');
for (const [name, t, note] of rows) console.log(`| ${name} | ${t.min.toFixed(0)} | ${t.med.toFixed(0)} | ${(t.med / ortRef).toFixed(1)}x | ${note} |`);
