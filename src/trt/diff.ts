/**
 * Structural comparison of two engine layer lists (any trtexec layer JSON, names-only or detailed):
 * per layer, the ONNX op types named in the fused layer name, the layer family (ParameterType), and the
 * Int8-vs-float class of each input and output. FP16 vs FP32 is a tactic choice and is not compared.
 *
 * Layout-only layers ("Reformatting CopyNode ..." / Origin REFORMAT) depend on the tactics TensorRT
 * timed on its GPU; they are counted and listed but not part of the match. Stand-alone Q/DQ reformats
 * (Origin QDQ) are compared like any layer.
 *
 * Pairing: layers with the same name are paired first (order-free); the rest are aligned in order by
 * edit distance over their signatures (similar layers pair up and show what differs).
 */
import type { EngineLayerInfo, EngineLayerList } from './validation/formats/trtexec-layers.ts';

/** ONNX op types, to read legacy exporter names like `Conv_34` and path names like `/layer1/Conv`. */
const ONNX_OPS = new Set([
  'Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh', 'MaxPool',
  'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'ReduceMean', 'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Pad',
  'Slice', 'Split', 'Concat', 'Softmax', 'BatchNormalization', 'QuantizeLinear', 'DequantizeLinear', 'Identity', 'Resize', 'Gather',
  'Pow', 'Sqrt', 'Erf', 'Max', 'Min', 'Exp', 'Log', 'Neg', 'Abs', 'HardSigmoid', 'HardSwish', 'Elu', 'Softplus', 'LayerNormalization',
]);

/** TensorFlow op names as tf2onnx keeps them in node names (last path segment). */
const TF_OPS: Record<string, string> = {
  Conv2D: 'Conv', DepthwiseConv2dNative: 'Conv', MatMul: 'MatMul', add: 'Add', AddV2: 'Add', Relu: 'Relu', Relu6: 'Clip', Pad: 'Pad',
  MaxPool: 'MaxPool', Mean: 'ReduceMean', Softmax: 'Softmax', AvgPool: 'AveragePool', Sigmoid: 'Sigmoid', mul: 'Mul', concat: 'Concat',
};

const PARSER_INTERNAL = [/^\(Unnamed Layer\* \d+\)/, /^unsqueeze_node_after_/, /^transpose_before_/, /^copied_squeeze_after_/, /^reshape_after_/];

/** Splits a fused name on " + " outside parentheses and unwraps PWN(...) groups. */
export function nameTokens(name: string): string[] {
  const out: string[] = [];
  const split = (s: string, sep: string): string[] => {
    const parts: string[] = [];
    let depth = 0, start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (depth === 0 && s.startsWith(sep, i)) { parts.push(s.slice(start, i)); start = i + sep.length; i += sep.length - 1; }
    }
    parts.push(s.slice(start));
    return parts;
  };
  const visit = (tok: string) => {
    const t = tok.trim();
    const pwn = /^PWN\((.*)\)$/.exec(t);
    if (pwn) { for (const inner of split(pwn[1], ', ')) visit(inner); return; }
    if (t) out.push(t);
  };
  for (const part of split(name, ' + ')) visit(part);
  return out;
}

/** The ONNX op type a name token stands for; undefined for initializers and the parser's own layers. */
export function tokenOpType(token: string, nodeOpTypes: Record<string, string> = {}): string | undefined {
  const known = nodeOpTypes[token];
  if (known) return known;
  if (PARSER_INTERNAL.some((r) => r.test(token))) return undefined;
  // legacy PyTorch `Conv_34`, tf2onnx optimizer nodes `Conv__435`
  const legacy = /^([A-Za-z]+)__?\d+(_clone_\d+)?$/.exec(token);
  if (legacy && ONNX_OPS.has(legacy[1])) return legacy[1];
  if (/^QuantLinearNode__\d+/.test(token)) return 'QuantizeLinear';
  if (/^DequantLinearNode__\d+/.test(token)) return 'DequantizeLinear';
  const seg = token.split('/').at(-1)!.replace(/:\d+$/, '').replace(/_\d+$/, '');
  if (ONNX_OPS.has(seg)) return seg;
  if (TF_OPS[seg]) return TF_OPS[seg];
  return undefined;
}

export interface LayerSignature {
  ops: string[];
  /** Name tokens that look like node names but could not be read (they match any op). */
  unknown: number;
  family?: string;
  io?: string;
}

function precisionClass(p: string): string {
  return p === 'Int8' ? 'I8' : p === 'unknown' ? '?' : 'F';
}

export function isLayoutLayer(l: EngineLayerInfo): boolean {
  return l.origin === 'REFORMAT' || l.name.startsWith('Reformatting CopyNode');
}

/** Initializer / tensor names inside fused names: `fc.weight`, `.../ReadVariableOp:0`. */
function looksLikeInitializer(token: string): boolean {
  return /\.(weight|bias)$/.test(token) || /:\d+$/.test(token);
}

export function signature(l: EngineLayerInfo, nodeOpTypes: Record<string, string>, detailed: boolean): LayerSignature {
  let ops: string[];
  let unknown = 0;
  if (l.origin === 'QDQ') {
    ops = [nodeOpTypes[l.name] ?? tokenOpType(l.name, nodeOpTypes) ?? 'Q/DQ'];
  } else {
    ops = [];
    for (const t of nameTokens(l.name)) {
      const op = tokenOpType(t, nodeOpTypes);
      if (op) ops.push(op);
      else if (!looksLikeInitializer(t) && !PARSER_INTERNAL.some((r) => r.test(t))) unknown++;
    }
  }
  ops.sort();
  if (!detailed) return { ops, unknown };
  const family = l.parameterType ?? l.layerType;
  const io = `${l.inputs.map((t) => precisionClass(t.precision)).join(',')}->${l.outputs.map((t) => precisionClass(t.precision)).join(',')}`;
  return { ops, unknown, family, io };
}

/**
 * Op multisets agree when what is left on each side after cancelling equal ops can be covered by the
 * other side's unreadable names (a real dump's `Conv__435` or `.../Conv2D__6` may be any op).
 */
export function opsAgree(p: LayerSignature, r: LayerSignature): boolean {
  const left = new Map<string, number>();
  for (const o of p.ops) left.set(o, (left.get(o) ?? 0) + 1);
  let onlyReal = 0;
  for (const o of r.ops) {
    const c = left.get(o) ?? 0;
    if (c > 0) left.set(o, c - 1);
    else onlyReal++;
  }
  let onlyPredicted = 0;
  for (const c of left.values()) onlyPredicted += c;
  return onlyPredicted <= r.unknown && onlyReal <= p.unknown;
}

function sameSignature(p: LayerSignature, r: LayerSignature): boolean {
  return compare(p, r).length === 0;
}

export function describeSignature(s: LayerSignature): string {
  return `[${s.ops.join(', ')}${s.unknown ? `${s.ops.length ? ', ' : ''}${s.unknown} unread name(s)` : ''}]${s.family ? ` ${s.family}` : ''}${s.io ? ` ${s.io}` : ''}`;
}

export interface LayerPair {
  predicted?: { layer: EngineLayerInfo; sig: LayerSignature };
  real?: { layer: EngineLayerInfo; sig: LayerSignature };
  match: boolean;
  /** What differs: 'ops' | 'family' | 'io' | 'missing' | 'extra'. */
  differences: string[];
}

export interface DiffResult {
  pairs: LayerPair[];
  matched: number;
  /** max(predicted, real) layers compared (layout layers excluded). */
  total: number;
  layoutSkipped: { predicted: number; real: number };
}

function compare(p: LayerSignature, r: LayerSignature): string[] {
  const d: string[] = [];
  if (!opsAgree(p, r)) d.push('ops');
  if (p.family !== undefined && r.family !== undefined && p.family !== r.family) d.push('family');
  if (p.io !== undefined && r.io !== undefined && p.io !== r.io) d.push('io');
  return d;
}

export function diffEngines(predicted: EngineLayerList, real: EngineLayerList, nodeOpTypes: Record<string, string> = {}): DiffResult {
  const detailed = predicted.verbosity === 'detailed' && real.verbosity === 'detailed';
  const P = predicted.layers.filter((l) => !isLayoutLayer(l)).map((layer) => ({ layer, sig: signature(layer, nodeOpTypes, detailed) }));
  const R = real.layers.filter((l) => !isLayoutLayer(l)).map((layer) => ({ layer, sig: signature(layer, nodeOpTypes, detailed) }));
  const pairOfReal = new Map<number, number>();
  const byName = new Map<string, number>();
  P.forEach((p, i) => { if (!byName.has(p.layer.name)) byName.set(p.layer.name, i); });
  const usedP = new Set<number>();
  R.forEach((r, j) => {
    const i = byName.get(r.layer.name);
    if (i !== undefined && !usedP.has(i)) { pairOfReal.set(j, i); usedP.add(i); }
  });
  // Align the unpaired layers in order (edit distance): equal signatures pair at no cost, a layer with the
  // same ops or family may pair as a substitution (reported with its differences), anything else is a gap.
  const restP = P.map((_, i) => i).filter((i) => !usedP.has(i));
  const restR = R.map((_, j) => j).filter((j) => !pairOfReal.has(j));
  const cost = (a: number, b: number): number => {
    const ps = P[restP[a]].sig, rs = R[restR[b]].sig;
    if (sameSignature(ps, rs)) return 0;
    return opsAgree(ps, rs) || (ps.family !== undefined && ps.family === rs.family) ? 1 : 2.5;
  };
  const n = restP.length, m = restR.length;
  const dp = Array.from({ length: n + 1 }, () => new Float64Array(m + 1));
  for (let a = n; a >= 0; a--) {
    for (let b = m; b >= 0; b--) {
      if (a === n) dp[a][b] = m - b;
      else if (b === m) dp[a][b] = n - a;
      else dp[a][b] = Math.min(dp[a + 1][b + 1] + cost(a, b), dp[a + 1][b] + 1, dp[a][b + 1] + 1);
    }
  }
  for (let a = 0, b = 0; a < n && b < m;) {
    const c = cost(a, b);
    if (c <= 1 && dp[a][b] === dp[a + 1][b + 1] + c) { pairOfReal.set(restR[b], restP[a]); usedP.add(restP[a]); a++; b++; }
    else if (dp[a][b] === dp[a + 1][b] + 1) a++;
    else b++;
  }
  const pairs: LayerPair[] = [];
  R.forEach((r, j) => {
    const i = pairOfReal.get(j);
    if (i === undefined) { pairs.push({ real: r, match: false, differences: ['missing'] }); return; }
    const differences = compare(P[i].sig, r.sig);
    pairs.push({ predicted: P[i], real: r, match: differences.length === 0, differences });
  });
  P.forEach((p, i) => { if (!usedP.has(i)) pairs.push({ predicted: p, match: false, differences: ['extra'] }); });
  const skipped = (l: EngineLayerList) => l.layers.filter(isLayoutLayer).length;
  return {
    pairs,
    matched: pairs.filter((p) => p.match).length,
    total: Math.max(P.length, R.length),
    layoutSkipped: { predicted: skipped(predicted), real: skipped(real) },
  };
}

export function formatDiff(d: DiffResult): string {
  const lines: string[] = [];
  for (const p of d.pairs) {
    const name = p.real?.layer.name ?? p.predicted!.layer.name;
    if (p.match) { lines.push(`  ok  ${name}`); continue; }
    lines.push(`  XX  ${name}  (${p.differences.join(', ')})`);
    if (p.real) lines.push(`        real:      ${describeSignature(p.real.sig)}`);
    if (p.predicted) lines.push(`        predicted: ${p.predicted.layer.name} ${describeSignature(p.predicted.sig)}`);
  }
  lines.push(`layout reformats not compared (tactic-dependent): predicted ${d.layoutSkipped.predicted}, real ${d.layoutSkipped.real}`);
  lines.push(`match: ${d.matched}/${d.total} layers`);
  return lines.join('\n');
}
