/**
 * A self-contained HTML page for a compare report: the predicted engine graph coloured by
 * precision (inline SVG), the tables, and one LSB histogram per tensor (inline SVG bar charts).
 * No scripts, no external resources: it opens from disk in any browser.
 */
import type { CompareReport } from '../compare.ts';
import { precisionClass, type EnginePlan, type PlanLayer } from '../exec/engine-plan.ts';
import type { TensorComparison } from '../metrics/compare-tensors.ts';

const COLOURS = { int8: '#2e7d32', fp16: '#1565c0', fp32: '#e65100', other: '#616161' } as const;

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function n(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined) return '–';
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(digits))) : x.toExponential(2);
}

/** Layer of each layer = longest path from the inputs; rows in plan order within a layer. */
function layout(plan: EnginePlan): { layer: PlanLayer; col: number; row: number }[] {
  const producer = new Map<string, number>();
  plan.layers.forEach((l, i) => l.outputs.forEach((t) => producer.set(t.name, i)));
  const depth: number[] = [];
  plan.layers.forEach((l, i) => {
    let d = 0;
    for (const t of l.inputs) {
      const p = producer.get(t.name);
      if (p !== undefined && p < i) d = Math.max(d, depth[p] + 1);
    }
    depth[i] = d;
  });
  const rows = new Map<number, number>();
  return plan.layers.map((layer, i) => {
    const r = rows.get(depth[i]) ?? 0;
    rows.set(depth[i], r + 1);
    return { layer, col: r, row: depth[i] };
  });
}

export function engineGraphSvg(plan: EnginePlan): string {
  const W = 230, H = 38, GX = 30, GY = 26;
  const nodes = layout(plan);
  const at = new Map<string, { x: number; y: number }>();
  const cols = Math.max(1, ...nodes.map((p) => p.col + 1));
  const rows = Math.max(1, ...nodes.map((p) => p.row + 1));
  const width = cols * (W + GX) + GX, height = rows * (H + GY) + GY;
  let edges = '', boxes = '';
  for (const p of nodes) {
    const x = GX + p.col * (W + GX), y = GY + p.row * (H + GY);
    for (const t of p.layer.outputs) at.set(t.name, { x: x + W / 2, y: y + H });
  }
  for (const p of nodes) {
    const x = GX + p.col * (W + GX), y = GY + p.row * (H + GY);
    for (const t of p.layer.inputs) {
      const from = at.get(t.name);
      if (from) edges += `<line x1="${from.x}" y1="${from.y}" x2="${x + W / 2}" y2="${y}" stroke="${COLOURS[precisionClass(t.precision)]}" stroke-width="1.5"><title>${esc(t.name)} (${esc(t.precision)})</title></line>`;
    }
    const out = p.layer.outputs[0]?.precision ?? 'unknown';
    const inp = p.layer.inputs[0]?.precision ?? 'unknown';
    const c = COLOURS[precisionClass(out)];
    const label = p.layer.name.length > 34 ? `${p.layer.name.slice(0, 33)}…` : p.layer.name;
    boxes += `<g class="layer" data-precision="${esc(out)}"><title>${esc(p.layer.name)}\n${esc(p.layer.layerType)}: ${esc(inp)} → ${esc(out)}</title>` +
      `<rect x="${x}" y="${y}" width="${W}" height="${H}" rx="5" fill="${c}" fill-opacity="0.15" stroke="${c}" stroke-width="1.5"/>` +
      `<text x="${x + 6}" y="${y + 15}" font-size="11" font-family="monospace">${esc(label)}</text>` +
      `<text x="${x + 6}" y="${y + 30}" font-size="10" fill="#444">${esc(p.layer.layerType)} · ${esc(inp)}→${esc(out)}</text></g>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" class="engine-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${edges}${boxes}</svg>`;
}

export function histogramSvg(c: TensorComparison): string {
  const h = c.histogram;
  if (!h) return '<span class="muted">no quantization step: abs/rel metrics only</span>';
  const bins = [h.below, ...h.counts, h.above];
  const labels = [`<${-h.halfWidth}`, ...h.counts.map((_, k) => String(k - h.halfWidth)), `>${h.halfWidth}`];
  const max = Math.max(1, ...bins);
  const bw = 16, ph = 70, W = bins.length * bw + 40, Hh = ph + 30;
  let bars = '';
  bins.forEach((v, k) => {
    const hgt = v === 0 ? 0 : Math.max(1, Math.log10(v + 1) / Math.log10(max + 1) * ph);
    const x = 30 + k * bw, y = 5 + ph - hgt;
    const zero = labels[k] === '0';
    bars += `<rect class="bin" x="${x}" y="${y}" width="${bw - 2}" height="${hgt}" fill="${zero ? '#2e7d32' : '#c62828'}"><title>${esc(labels[k])} LSB: ${v}</title></rect>`;
    if (k % 2 === 1 || bins.length < 12) bars += `<text x="${x + bw / 2 - 1}" y="${ph + 18}" font-size="9" text-anchor="middle">${esc(labels[k])}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="${W}" height="${Hh}" viewBox="0 0 ${W} ${Hh}">` +
    `<line x1="28" y1="${ph + 5}" x2="${W - 5}" y2="${ph + 5}" stroke="#999"/>${bars}` +
    `<text x="2" y="12" font-size="9" fill="#666">log</text></svg>`;
}

function tensorTable(title: string, rows: TensorComparison[]): string {
  if (!rows.length) return '';
  let s = `<h2>${esc(title)}</h2><table><thead><tr><th>tensor</th><th>verdict</th><th>step</th><th>max LSB</th><th>mean LSB</th><th>within tol</th><th>max abs</th><th>cosine</th><th>worst element</th><th>LSB histogram</th></tr></thead><tbody>`;
  for (const c of rows) {
    const w = c.worst.find((e) => e.absDiff > 0);
    s += `<tr class="${c.pass ? 'pass' : 'fail'}"><td><code>${esc(c.name)}</code></td><td>${c.pass ? 'PASSED' : 'FAILED'}</td>` +
      `<td>${c.step ? `${n(c.step.step)} (${esc(c.step.via)} <code>${esc(c.step.node)}</code>)` : '–'}</td>` +
      `<td>${n(c.maxLsb)}</td><td>${n(c.meanLsb)}</td><td>${(c.withinTol * 100).toFixed(2)}%</td><td>${n(c.maxAbs)}</td><td>${n(c.cosine, 6)}</td>` +
      `<td>${w ? `[${w.index.join(',')}] ${n(w.reference)} vs ${n(w.actual)}` : '–'}</td><td>${histogramSvg(c)}</td></tr>`;
  }
  return `${s}</tbody></table>`;
}

export function renderHtmlReport(r: CompareReport): string {
  const plan = r.engine.predicted;
  let body = `<h1>qdqsim compare: <code>${esc(r.model)}</code></h1>`;
  body += `<p class="verdict ${r.verdict.pass ? 'pass' : 'fail'}">${esc(r.verdict.line)}</p>`;
  body += `<p>Against <b>${esc(r.against)}</b>, reference <b>${esc(r.reference)}</b>, tolerance ${r.options.tolLsb} LSB (atol ${r.options.atol}, rtol ${r.options.rtol} for tensors without a step).</p>`;
  body += `<ul>${r.inputs.map((i) => `<li>input <code>${esc(i.name)}</code> [${i.dims.join(',')}] ${esc(i.dtype)}: ${esc(i.source)}</li>`).join('')}${r.backend.notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`;
  if (r.firstDivergence) {
    const d = r.firstDivergence;
    body += `<p class="verdict fail">First divergence: <code>${esc(d.tensor)}</code>${d.maxLsb !== null ? ` (max ${n(d.maxLsb)} LSB)` : ''}, written by engine layer <code>${esc(d.layer)}</code></p>`;
  }
  body += tensorTable('Outputs', r.outputs);
  body += tensorTable('Engine-layer boundaries', r.boundaries);
  if (r.boundariesNotRecorded.length) body += `<p class="muted">Not recorded by ${esc(r.against)}: ${r.boundariesNotRecorded.map((b) => `<code>${esc(b)}</code>`).join(', ')}</p>`;
  if (r.threeWay.length) {
    body += '<h2>Three-way: float model, Q/DQ float simulation, simulated engine</h2><table><thead><tr><th>tensor</th><th>kind</th><th>float ~ Q/DQ</th><th>Q/DQ ~ engine</th><th>float ~ engine</th><th>why</th></tr></thead><tbody>';
    for (const t of r.threeWay) {
      const u = t.step ? ' LSB' : '';
      const v = (x: number | null) => (x === null ? '–' : `${n(x)}${u}`);
      body += `<tr><td><code>${esc(t.tensor)}</code></td><td>${t.kind}</td><td>${v(t.floatVsQdq)}</td><td>${v(t.qdqVsEngine)}</td><td>${v(t.floatVsEngine)}</td><td>${esc(t.explanation)}</td></tr>`;
    }
    body += '</tbody></table>';
  }
  if (plan) {
    body += `<h2>Predicted engine (${plan.layers.length} layers)</h2><p class="legend">${Object.entries(COLOURS).map(([k, c]) => `<span style="color:${c}">■ ${k}</span>`).join(' ')} (box colour = output precision, edge colour = tensor precision)</p>`;
    body += `<div class="graph">${engineGraphSvg(plan)}</div>`;
  }
  if (r.engine.diff) {
    body += `<h2>Layer list: predicted vs real</h2><p>${esc(r.engine.diff.summary)}</p><table><thead><tr><th>predicted</th><th>real</th><th>status</th><th>detail</th></tr></thead><tbody>`;
    for (const row of r.engine.diff.rows) body += `<tr class="${row.status === 'match' ? 'pass' : 'fail'}"><td>${esc(row.predicted ?? '')}</td><td>${esc(row.real ?? '')}</td><td>${row.status}</td><td>${esc(row.detail ?? '')}</td></tr>`;
    body += '</tbody></table>';
  } else if (r.engine.real) {
    body += `<h2>Real engine layers (${r.engine.real.layers.length})</h2><table><thead><tr><th>layer</th><th>type</th><th>in</th><th>out</th></tr></thead><tbody>`;
    for (const l of r.engine.real.layers) body += `<tr><td>${esc(l.name)}</td><td>${esc(l.layerType ?? '')}</td><td>${esc(l.inputs.map((t) => t.precision).join(','))}</td><td>${esc(l.outputs.map((t) => t.precision).join(','))}</td></tr>`;
    body += '</tbody></table>';
  }
  if (r.engine.profile?.length) {
    body += '<h2>Profile</h2><table><thead><tr><th>layer</th><th>average ms</th><th>%</th></tr></thead><tbody>';
    for (const p of r.engine.profile) body += `<tr><td>${esc(p.name)}</td><td>${n(p.averageMs)}</td><td>${n(p.percentage)}</td></tr>`;
    body += '</tbody></table>';
  }
  if (r.mark?.tensors.length) {
    body += `<h2>Record just the engine-layer boundaries</h2><p>These tensors exist in the engine, so marking them does not change fusion.</p><pre>${esc(r.mark.trtexecLine)}\n${esc(r.mark.polygraphyLine)}</pre>`;
  }
  const css = 'body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;vertical-align:middle}'
    + 'th{background:#f5f5f5}tr.fail td{background:#fff3f3}.verdict{font:bold 15px monospace;padding:8px}.verdict.pass{color:#2e7d32}.verdict.fail{color:#c62828}'
    + '.muted{color:#777}.graph{overflow:auto;border:1px solid #eee}pre{background:#f7f7f7;padding:8px;overflow:auto}';
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>qdqsim compare: ${esc(r.model)}</title><style>${css}</style></head><body>${body}</body></html>\n`;
}
