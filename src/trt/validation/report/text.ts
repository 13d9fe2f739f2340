/** The console form of a compare report: Polygraphy-style lines, one per tensor, then the verdict. */
import type { CompareReport } from '../compare.ts';
import { precisionClass } from '../exec/engine-plan.ts';
import type { TensorComparison } from '../metrics/compare-tensors.ts';

function hist(c: TensorComparison): string {
  const h = c.histogram;
  if (!h) return '';
  const cells: string[] = [];
  if (h.below) cells.push(`<-${h.halfWidth}:${h.below}`);
  h.counts.forEach((n, k) => { if (n) cells.push(`${k - h.halfWidth > 0 ? '+' : ''}${k - h.halfWidth}:${n}`); });
  if (h.above) cells.push(`>+${h.halfWidth}:${h.above}`);
  return `      LSB histogram (actual - reference): ${cells.join('  ')}\n`;
}

function worst(c: TensorComparison, k = 3): string {
  const w = c.worst.filter((e) => e.absDiff > 0).slice(0, k);
  if (!w.length) return '';
  const v = (x: number) => String(Number(x.toPrecision(7)));
  return `      worst: ${w.map((e) => `[${e.index.join(',')}] ref ${v(e.reference)} got ${v(e.actual)}${e.lsb !== null ? ` (${Number(e.lsb.toPrecision(3))} LSB)` : ''}`).join('; ')}\n`;
}

export function formatReport(r: CompareReport): string {
  let s = `qdqsim compare ${r.model} against ${r.against} (reference: ${r.reference}, tolerance ${r.options.tolLsb} LSB)\n`;
  for (const i of r.inputs) s += `  input '${i.name}' [${i.dims.join(',')}] ${i.dtype}: ${i.source}\n`;
  for (const n of r.backend.notes) s += `  ${r.backend.name}: ${n}\n`;
  const plan = r.engine.predicted;
  if (plan) {
    const int8 = plan.layers.filter((l) => l.inputs.some((t) => precisionClass(t.precision) === 'int8')).length;
    s += `  predicted engine: ${plan.layers.length} layers (${int8} with INT8 input), ${r.boundaries.length + r.boundariesNotRecorded.length} boundary tensors\n`;
  }
  s += '\nOutputs:\n';
  for (const c of r.outputs) s += `  ${c.summary}\n${hist(c)}${worst(c)}`;
  if (r.boundaries.length || r.boundariesNotRecorded.length) {
    s += `\nEngine-layer boundaries (${r.boundaries.length} recorded${r.boundariesNotRecorded.length ? `, ${r.boundariesNotRecorded.length} not recorded by ${r.against}` : ''}):\n`;
    for (const c of r.boundaries) s += `  ${c.summary}\n${c.pass ? '' : worst(c)}`;
  }
  if (r.threeWay.some((t) => t.qdqVsEngine !== null || t.floatVsQdq !== null)) {
    s += '\nThree-way (float model | Q/DQ float simulation | simulated engine), max difference:\n';
    for (const t of r.threeWay) {
      const u = t.step ? ' LSB' : '';
      const v = (x: number | null) => (x === null ? '-' : `${Number(x.toPrecision(3))}${u}`);
      s += `  ${t.kind === 'output' ? 'output  ' : 'boundary'} '${t.tensor}': float~qdq ${v(t.floatVsQdq)}, qdq~engine ${v(t.qdqVsEngine)}, float~engine ${v(t.floatVsEngine)}\n`;
    }
  }
  if (r.mark && r.mark.tensors.length) {
    s += '\nRecord just the engine-layer boundaries (marking these does not change fusion):\n';
    s += `  ${r.mark.trtexecLine}\n  ${r.mark.polygraphyLine}\n`;
  }
  if (r.firstDivergence) {
    const d = r.firstDivergence;
    s += `\nFirst divergence: '${d.tensor}'${d.maxLsb !== null ? ` (max ${Number(d.maxLsb.toPrecision(3))} LSB)` : ''}, written by engine layer '${d.layer}'\n`;
  }
  if (r.engine.diff) s += `\nLayer list, predicted vs real: ${r.engine.diff.summary}\n`;
  s += `\n${r.verdict.line}\n`;
  return s;
}
