/** The text table `qdqsim simulate` prints: one line per layer, then the summary. */
import type { Engine, EngineLayer } from './engine.ts';

function io(l: EngineLayer): string {
  return `${l.inputs.map((t) => t.precision).join(',') || '-'} -> ${l.outputs.map((t) => t.precision).join(',') || '-'}`;
}

export function formatEngineTable(e: Engine, opts: { trace?: boolean } = {}): string {
  const rows = e.layers.map((l, i) => ({ i: String(i), type: l.eliminated ? `(${l.layerType})` : l.layerType, io: io(l), nodes: l.nodes.map((n) => n.opType).join(' '), name: l.name }));
  const w = (k: 'i' | 'type' | 'io') => Math.max(k.length, ...rows.map((r) => r[k].length));
  const wi = w('i'), wt = w('type'), wio = w('io');
  const lines = [`${'#'.padEnd(wi)}  ${'type'.padEnd(wt)}  ${'precision'.padEnd(wio)}  layer  [fused ONNX ops]`];
  for (const r of rows) lines.push(`${r.i.padEnd(wi)}  ${r.type.padEnd(wt)}  ${r.io.padEnd(wio)}  ${r.name}  [${r.nodes}]`);
  const s = e.summary;
  lines.push('');
  lines.push(`rule set TensorRT ${e.options.version.id}, build --${e.options.precision}`);
  lines.push(`layers: ${s.layers} (${s.computeLayers} compute, ${s.int8Layers} INT8)`);
  lines.push(`MACs in INT8: ${s.int8MacPercent === undefined ? 'unknown (no shapes)' : `${s.int8MacPercent.toFixed(1)}%`} of ${s.totalMacs.toExponential(3)}`);
  lines.push(`stand-alone Q/DQ (Reformat layers): ${s.standaloneQdq}`);
  if (s.opaqueLayers.length > 0) lines.push(`opaque float layers (op not modelled): ${s.opaqueLayers.join(', ')}`);
  for (const n of e.parserNotes) lines.push(`parser: ${n.node}: ${n.note}`);
  if (opts.trace) {
    lines.push('', 'trace (pass rule: matched => created):');
    for (const t of e.trace) lines.push(`  ${t.pass} ${t.rule}: ${t.matched.join(', ')}${t.created.length ? ` => ${t.created.join(', ')}` : ''}${t.detail ? `  (${t.detail})` : ''}`);
  }
  return lines.join('\n');
}
