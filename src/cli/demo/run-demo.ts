/**
 * The README demo: the same float model quantized two ways, each predicted as a TensorRT engine.
 * TF-QAT puts Q/DQ on the *inputs* of weighted ops (what TensorRT's fusions expect); TFMOT puts them on
 * layer *outputs*, which leaves TensorRT stand-alone reformats and float layers. The lint runs on both.
 */
import { buildZooModel } from '../../sim/zoo/index.ts';
import { quantizeModel, type QuantizeOptions } from '../../quant/index.ts';
import { simulateEngine, formatEngineTable, type Engine } from '../../trt/index.ts';
import { lintModel, formatFindings } from '../../trt/lint.ts';
import type { Model } from '../../sim/ir/graph.ts';

interface Variant {
  label: string;
  options: QuantizeOptions;
  model: Model;
  engine: Engine;
}

function pct(x: number | undefined): string {
  return x === undefined ? 'n/a' : `${x.toFixed(1)}%`;
}

function sideBySide(a: Variant, b: Variant): string {
  const rows: [string, string, string][] = [
    ['', a.label, b.label],
    ['Q/DQ pairs inserted', String(countQ(a.model)), String(countQ(b.model))],
    ['engine layers', String(a.engine.summary.layers), String(b.engine.summary.layers)],
    ['INT8 compute layers', String(a.engine.summary.int8Layers), String(b.engine.summary.int8Layers)],
    ['MACs in INT8', pct(a.engine.summary.int8MacPercent), pct(b.engine.summary.int8MacPercent)],
    ['stand-alone Q/DQ (Reformat)', String(a.engine.summary.standaloneQdq), String(b.engine.summary.standaloneQdq)],
    ['float compute layers', String(floatCompute(a.engine)), String(floatCompute(b.engine))],
    ['float conv/FC layers', String(floatConvs(a.engine)), String(floatConvs(b.engine))],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  ${r[2].padStart(w[2])}`).join('\n');
}

function countQ(m: Model): number {
  return m.graph.nodes.filter((n) => n.opType === 'QuantizeLinear').length;
}

function floatCompute(e: Engine): number {
  return e.layers.filter((l) => l.kind !== 'reformat' && l.kind !== 'noop' && l.compute !== 'Int8').length;
}

/** The engine layers that implement one residual block, to show where the two placements part ways. */
function blockExcerpt(e: Engine, block: string): string {
  const rows = e.layers.filter((l) => l.name.includes(`/${block}_`));
  return rows
    .map((l) => {
      const prec = `${l.inputs.map((t) => t.precision).join(',')} -> ${l.outputs.map((t) => t.precision).join(',')}`;
      // keep both ends: the weight/conv at the start, the fused Add/Relu at the end
      const name = l.name.length > 100 ? `${l.name.slice(0, 38)} ... ${l.name.slice(-58)}` : l.name;
      return `  ${l.layerType.padEnd(16)} ${prec.padEnd(18)} ${name}`;
    })
    .join('\n');
}

function floatConvs(e: Engine): number {
  return e.layers.filter((l) => (l.kind === 'convolution' || l.kind === 'conv-act-pool') && l.compute !== 'Int8').length;
}

export function runDemo(opts: { model: string; size: number; layers?: boolean }): string {
  // keepPads: the spelling of a TF-QAT export (ZeroPadding2D as Pad, Dense as MatMul + BiasAdd), as in the public engine
  const float = buildZooModel(opts.model, { style: 'tf2onnx', size: opts.size, keepPads: true });
  const make = (label: string, options: QuantizeOptions): Variant => {
    const { model } = quantizeModel(float, options);
    return { label, options, model, engine: simulateEngine(model, { precision: 'best' }) };
  };
  const tfqat = make('TF-QAT resnet_v1', { preset: 'tf-qat', case: 'resnet_v1', toolkitVersion: '0.1.0' });
  const tfmot = make('TFMOT-style', { preset: 'tfmot' });
  const out: string[] = [];
  out.push(`qdqsim demo: ${opts.model} (Keras/tf2onnx style, ${opts.size}x${opts.size}, seeded weights) -> two Q/DQ placements -> predicted TensorRT 8.x engines (--best)\n`);
  out.push(sideBySide(tfqat, tfmot), '');
  const block = 'conv2_block2';
  for (const v of [tfqat, tfmot]) out.push(`\n== ${v.label}: engine layers of residual block ${block} ==`, blockExcerpt(v.engine, block));
  for (const v of [tfqat, tfmot]) {
    if (opts.layers) out.push(`\n== ${v.label}: predicted engine ==`, formatEngineTable(v.engine));
    const { findings } = lintModel(v.model, { precision: 'best' });
    out.push(`\n== lint: ${v.label} — ${findings.length} finding(s) ==`);
    const shown = findings.slice(0, 3);
    if (shown.length) out.push(formatFindings(shown).split('\n').filter((line) => !/^\d+ finding\(s\)/.test(line)).join('\n'));
    if (findings.length > shown.length) out.push(`  ... ${findings.length - shown.length} more: qdqsim lint MODEL.onnx lists them all`);
  }
  out.push('\nInput-side Q/DQ (TF-QAT) lets TensorRT fuse Q/DQ into INT8 conv kernels; output-side placement leaves stand-alone reformats and float layers.');
  return out.join('\n') + '\n';
}
