/**
 * Simulator speed: ResNet-50 (TF-QAT, tf2onnx layout) warm, and BERT-style encoders of growing depth
 * (time should grow linearly with the node count; the rewrite work does, exactly: test/trt/linear-work.test.ts).
 * No other tool predicts TensorRT engines, so the reference measured in the same run is a plain topological
 * sort of the same ONNX graph (src/sim/ir/graph-index.ts topoOrder): `ratio` = simulate time / one topological sort. Ratios stay
 * meaningful when the machine is busy; absolute times do not (the load average is printed).
 *
 *   npx tsx bench/simulate.ts
 */
import { loadavg } from 'node:os';
import type { Model } from '../src/sim/ir/graph.ts';
import { topoOrder } from '../src/sim/ir/graph-index.ts';
import { simulateEngine } from '../src/trt/simulate.ts';
import { bertEncoder } from '../test/trt/fixtures/bert-encoder.ts';
import { resnet18Pytorch } from '../test/trt/fixtures/resnet18-pytorch.ts';
import { resnet50Tf } from '../test/trt/fixtures/resnet50-tf.ts';

interface Timing { wallMs: number; cpuMs: number }

function measure(fn: () => void, runs: number): Timing {
  const walls: number[] = [], cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { wallMs: med(walls), cpuMs: med(cpus) };
}

function bench(name: string, model: Model, runs: number): { nodes: number; sim: Timing; ratio: number } {
  // warm-up: let the JIT optimize (at least 3 runs, up to 40 or 1.5 s)
  const warmUntil = performance.now() + 1500;
  for (let i = 0; i < 40 && (i < 3 || performance.now() < warmUntil); i++) simulateEngine(model);
  const sim = measure(() => simulateEngine(model), runs);
  const topo = measure(() => topoOrder(model.graph), runs);
  const ratio = sim.wallMs / topo.wallMs;
  const nodes = model.graph.nodes.length;
  console.log(`${name.padEnd(24)} ${String(nodes).padStart(6)} nodes  simulate ${sim.wallMs.toFixed(2).padStart(8)} ms wall ${sim.cpuMs.toFixed(2).padStart(8)} ms cpu  ` +
    `${((1000 * sim.wallMs) / nodes).toFixed(1).padStart(6)} us/node  ratio to topoOrder ${ratio.toFixed(1)}x`);
  return { nodes, sim, ratio };
}

console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}  node ${process.version}`);
bench('resnet50 tf-qat --best', resnet50Tf('qat'), 30);
bench('resnet50 fp32', resnet50Tf('fp32'), 30);
bench('resnet18 pytorch qat', resnet18Pytorch('qat'), 30);
const depth: { layers: number; nodes: number; us: number }[] = [];
for (const layers of [12, 48, 96, 172]) {
  const r = bench(`bert ${layers} layers`, bertEncoder({ layers }), 15);
  depth.push({ layers, nodes: r.nodes, us: (1000 * r.sim.wallMs) / r.nodes });
}
const per = depth.map((d) => d.us);
console.log(`linearity: us/node from ${depth[0].nodes} to ${depth.at(-1)!.nodes} nodes: ${per.map((x) => x.toFixed(1)).join(' -> ')} (max/min ${(Math.max(...per) / Math.min(...per)).toFixed(2)})`);
// The same rewrite work as the deepest encoder (the counts are affine in depth: test/trt/linear-work.test.ts),
// done as separate 12-layer simulations: what one run costs per node when its working set stays small. The gap
// to the deepest encoder's us/node is the memory system (caches, objects surviving young-generation GCs).
const pieces = Array.from({ length: Math.round(depth.at(-1)!.nodes / depth[0].nodes) }, () => bertEncoder({ layers: 12 }));
const pieceNodes = pieces.reduce((a, m) => a + m.graph.nodes.length, 0);
for (let i = 0; i < 3; i++) for (const m of pieces) simulateEngine(m);
const split = measure(() => { for (const m of pieces) simulateEngine(m); }, 15);
console.log(`same work as ${pieces.length} separate bert 12 layers (${pieceNodes} nodes): ${split.wallMs.toFixed(2)} ms wall ${split.cpuMs.toFixed(2)} ms cpu  ` +
  `${((1000 * split.wallMs) / pieceNodes).toFixed(1)} us/node`);
