/**
 * Comparison of one tensor from two executions, in quantization steps (LSB) where the graph gives a
 * step, plus the usual float metrics. `reference` is qdqsim's execution, `actual` the recording.
 */
import type { QuantStep } from './quant-step.ts';

export interface CompareOptions {
  /** Pass when every element is within this many LSB (default 1). */
  tolLsb: number;
  /** For tensors without a step: Polygraphy's elementwise rule, an element fails only if it exceeds both. */
  atol: number;
  rtol: number;
  /** Worst elements kept (default 10). */
  worstCount?: number;
  /** Histogram half-width in LSB; differences beyond go to the overflow bins (default 8). */
  histogramHalfWidth?: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { tolLsb: 1, atol: 1e-5, rtol: 1e-5 };

/**
 * Slack added to the LSB tolerance: recordings written as text (trtexec prints 6 significant digits)
 * carry a relative error up to 5e-6, i.e. up to 6.4e-4 LSB at the largest int8 code (127/128 * 5e-6
 * * 128). 1e-3 LSB covers it while staying far below any real one-step disagreement.
 */
export const LSB_SLACK = 1e-3;

export interface LsbHistogram {
  /** counts[k] is the number of elements whose rounded signed difference (actual - reference) is `k - halfWidth` LSB. */
  halfWidth: number;
  counts: number[];
  below: number;
  above: number;
}

export interface WorstElement {
  index: number[];
  flat: number;
  reference: number;
  actual: number;
  absDiff: number;
  /** |diff| / step; null without a step. */
  lsb: number | null;
}

export interface TensorComparison {
  name: string;
  dims: number[];
  count: number;
  step: QuantStep | null;
  maxAbs: number;
  meanAbs: number;
  maxRel: number;
  /** Cosine similarity of the two tensors as vectors (1 when both are all zero). */
  cosine: number;
  maxLsb: number | null;
  meanLsb: number | null;
  /** Fraction of elements within tolLsb (with a step) or within atol/rtol (without). */
  withinTol: number;
  histogram: LsbHistogram | null;
  worst: WorstElement[];
  /** Elements where exactly one side is NaN, or infinities differ. */
  nanMismatch: number;
  pass: boolean;
  /** One line: why it passed or failed. */
  summary: string;
}

export function compareTensor(
  name: string,
  dims: readonly number[],
  reference: ArrayLike<number>,
  actual: ArrayLike<number>,
  step: QuantStep | null,
  opts: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): TensorComparison {
  const n = reference.length;
  if (actual.length !== n) throw new Error(`tensor "${name}": ${actual.length} recorded values vs ${n} expected`);
  const half = opts.histogramHalfWidth ?? 8;
  const hist: LsbHistogram | null = step ? { halfWidth: half, counts: new Array(2 * half + 1).fill(0), below: 0, above: 0 } : null;
  const worstN = opts.worstCount ?? 10;
  let maxAbs = 0, sumAbs = 0, maxRel = 0, dot = 0, nr = 0, na = 0, within = 0, nanMismatch = 0, finite = 0;
  const worst: { flat: number; absDiff: number }[] = [];
  let worstMin = -1;
  for (let i = 0; i < n; i++) {
    const r = reference[i], a = actual[i];
    if (!Number.isFinite(r) || !Number.isFinite(a)) {
      if (!(Object.is(r, a) || (Number.isNaN(r) && Number.isNaN(a)))) nanMismatch++;
      else within++;
      continue;
    }
    finite++;
    const d = a - r;
    const ad = Math.abs(d);
    sumAbs += ad;
    if (ad > maxAbs) maxAbs = ad;
    const rel = ad === 0 ? 0 : ad / Math.max(Math.abs(r), Number.MIN_VALUE);
    if (rel > maxRel) maxRel = rel;
    dot += r * a; nr += r * r; na += a * a;
    if (step) {
      const l = d / step.step;
      if (Math.abs(l) <= opts.tolLsb + LSB_SLACK) within++;
      const b = Math.round(l);
      if (b < -half) hist!.below++;
      else if (b > half) hist!.above++;
      else hist!.counts[b + half]++;
    } else if (ad <= opts.atol || ad <= opts.rtol * Math.abs(r)) {
      within++;
    }
    if (worst.length < worstN || ad > worstMin) {
      worst.push({ flat: i, absDiff: ad });
      worst.sort((x, y) => y.absDiff - x.absDiff || x.flat - y.flat);
      if (worst.length > worstN) worst.pop();
      worstMin = worst[worst.length - 1].absDiff;
    }
  }
  const cosine = nr === 0 && na === 0 ? 1 : nr === 0 || na === 0 ? 0 : dot / Math.sqrt(nr * na);
  const maxLsb = step ? maxAbs / step.step : null;
  const meanLsb = step ? (finite ? sumAbs / finite : 0) / step.step : null;
  const withinTol = n === 0 ? 1 : within / n;
  const pass = nanMismatch === 0 && within === n;
  const worstEls = worst.filter((w) => w.absDiff > 0 || n <= worstN).map((w) => ({
    index: unravel(w.flat, dims),
    flat: w.flat,
    reference: reference[w.flat],
    actual: actual[w.flat],
    absDiff: w.absDiff,
    lsb: step ? w.absDiff / step.step : null,
  }));
  const summary = summarize(name, step, opts, { maxAbs, meanAbs: finite ? sumAbs / finite : 0, maxLsb, meanLsb, withinTol, nanMismatch, pass });
  return {
    name, dims: [...dims], count: n, step, maxAbs, meanAbs: finite ? sumAbs / finite : 0, maxRel, cosine,
    maxLsb, meanLsb, withinTol, histogram: hist, worst: worstEls, nanMismatch, pass, summary,
  };
}

export function unravel(flat: number, dims: readonly number[]): number[] {
  const idx = new Array<number>(dims.length);
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k] || 1;
    idx[k] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

function fmt(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? x.toFixed(a >= 100 ? 1 : 4).replace(/\.?0+$/, '') : x.toExponential(3);
}

function summarize(
  name: string, step: QuantStep | null, opts: CompareOptions,
  m: { maxAbs: number; meanAbs: number; maxLsb: number | null; meanLsb: number | null; withinTol: number; nanMismatch: number; pass: boolean },
): string {
  const tag = m.pass ? 'PASSED' : 'FAILED';
  const pct = `${(m.withinTol * 100).toFixed(2)}%`;
  const nan = m.nanMismatch ? `, ${m.nanMismatch} NaN/Inf mismatch(es)` : '';
  if (step) {
    const unit = step.unit === 'code' ? 'int8 codes' : `step ${fmt(step.step)} from ${step.via} '${step.node}'`;
    return `${tag} | '${name}': max ${fmt(m.maxLsb!)} LSB, mean ${fmt(m.meanLsb!)} LSB, ${pct} within ${opts.tolLsb} LSB (${unit})${nan}`;
  }
  return `${tag} | '${name}': max abs ${fmt(m.maxAbs)}, mean abs ${fmt(m.meanAbs)}, ${pct} within atol=${opts.atol}/rtol=${opts.rtol} (no quantization step: float tensor)${nan}`;
}
