/**
 * Element-wise ops. Float results are computed in double from float32 inputs and rounded to float32
 * once per op (the store into a Float32Array is the Math.fround): for + - * / and sqrt that is exactly
 * IEEE float32 arithmetic; for transcendental functions it is the correctly rounded (or within 1 ULP)
 * float32 value of the double-precision function.
 */
import { DataType, dataTypeName } from '../../data-type.ts';
import type { Tensor, TensorData } from '../../tensor.ts';
import { attrFloat, attrString, need, registerOp, type OpContext } from '../registry.ts';
import {
  alloc, broadcastOffsets, broadcastShapes, fromNumbers, isDirectNumeric, isFloatType, isIntegerType, numel, readNumbers,
  sameDims, scalarOf, scratchF64,
} from '../tensor-util.ts';
import { erf } from './math.ts';

type F1 = (x: number) => number;
type F2 = (a: number, b: number) => number;

/** Result storage for `n` elements of `dtype`: the real typed array when stores convert correctly, else a double scratch. */
function scratch(dtype: DataType, n: number): { data: Float32Array | Float64Array | TensorData; direct: boolean } {
  if (isDirectNumeric(dtype) && dtype !== DataType.BOOL) return { data: alloc(dtype, n), direct: true };
  return { data: scratchF64(n), direct: false };
}

function finish(dtype: DataType, dims: number[], s: { data: unknown; direct: boolean }): Tensor {
  if (s.direct) return { dtype, dims, data: s.data as TensorData };
  return fromNumbers(dtype, dims, s.data as Float64Array);
}

export function mapUnary(x: Tensor, f: F1, dtype = x.dtype): Tensor {
  const v = readNumbers(x);
  const n = v.length;
  const s = scratch(dtype, n);
  const o = s.data as Float64Array;
  for (let i = 0; i < n; i++) o[i] = f(v[i]);
  return finish(dtype, [...x.dims], s);
}

/** Numpy-broadcast binary op over numbers; the result has dtype `dtype`. */
export function mapBinary(a: Tensor, b: Tensor, f: F2, dtype: DataType): Tensor {
  const dims = broadcastShapes([a.dims, b.dims]);
  const n = numel(dims);
  const av = readNumbers(a);
  const bv = readNumbers(b);
  const s = scratch(dtype, n);
  const o = s.data as Float64Array;
  let inner = 0;
  if (sameDims(a.dims, b.dims)) {
    for (let i = 0; i < n; i++) o[i] = f(av[i], bv[i]);
  } else if (bv.length === 1) {
    const y = bv[0];
    for (let i = 0; i < n; i++) o[i] = f(av[i], y);
  } else if (av.length === 1) {
    const x = av[0];
    for (let i = 0; i < n; i++) o[i] = f(x, bv[i]);
  } else if (sameDims(a.dims, dims) && isSuffix(b.dims, dims)) {
    const m = bv.length; // b repeats along the leading axes (e.g. a bias [H] over [B,S,H])
    for (let i = 0, j = 0; i < n; i++) {
      o[i] = f(av[i], bv[j]);
      if (++j === m) j = 0;
    }
  } else if (sameDims(a.dims, dims) && (inner = trailingBroadcast(b.dims, dims)) > 0) {
    // b constant along the trailing axes (a per-channel scale [C,1,1] over [N,C,H,W])
    for (let j = 0, i = 0; j < bv.length; j++) {
      const y = bv[j];
      for (const e = i + inner; i < e; i++) o[i] = f(av[i], y);
    }
  } else {
    const ia = broadcastOffsets(a.dims, dims);
    const ib = broadcastOffsets(b.dims, dims);
    for (let i = 0; i < n; i++) o[i] = f(av[ia[i]], bv[ib[i]]);
  }
  return finish(dtype, dims, s);
}

/**
 * When `b` (aligned right to `dims`) equals `dims` up to some axis t and is 1 from t on, each of b's
 * elements covers a run of prod(dims[t:]) consecutive outputs: that run length, else 0.
 */
function trailingBroadcast(b: readonly number[], dims: readonly number[]): number {
  const r = dims.length;
  const bb = [...new Array(r - b.length).fill(1), ...b];
  let t = r;
  while (t > 0 && bb[t - 1] === 1) t--;
  if (t === r || t === 0) return 0;
  for (let i = 0; i < t; i++) if (bb[i] !== dims[i]) return 0; // then b has exactly n / inner elements
  let inner = 1;
  for (let i = t; i < r; i++) inner *= dims[i];
  return inner;
}

/** b's dims (leading 1s stripped) are a suffix of `dims`. */
function isSuffix(b: readonly number[], dims: readonly number[]): boolean {
  let k = 0;
  while (k < b.length && b[k] === 1) k++;
  const tail = b.slice(k);
  if (tail.length > dims.length) return false;
  return tail.every((d, i) => d === dims[dims.length - tail.length + i]);
}

function sameType(...ts: Tensor[]): DataType {
  const t = ts[0].dtype;
  for (const x of ts) {
    if (x.dtype !== t) throw new Error(`inputs have different dtypes ${dataTypeName(t)} and ${dataTypeName(x.dtype)}`);
  }
  return t;
}

function unary(opType: string, make: (ctx: OpContext) => F1, opts: { floatOnly?: boolean } = {}): void {
  registerOp(opType, (ctx) => {
    const x = need(ctx, 0);
    if (opts.floatOnly && !isFloatType(x.dtype)) throw new Error(`${opType} needs a float input, got ${dataTypeName(x.dtype)}`);
    return [mapUnary(x, make(ctx))];
  });
}

// ---- unary ------------------------------------------------------------------------------------------

unary('Relu', () => (x) => (x > 0 ? x : x <= 0 ? 0 : x)); // NaN stays NaN
unary('LeakyRelu', (ctx) => {
  const alpha = attrFloat(ctx.node, 'alpha', 0.01);
  return (x) => (x >= 0 ? x : Math.fround(alpha * x));
}, { floatOnly: true });
unary('Sigmoid', () => (x) => 1 / (1 + Math.exp(-x)), { floatOnly: true });
unary('Tanh', () => Math.tanh, { floatOnly: true });
unary('HardSigmoid', (ctx) => {
  const alpha = attrFloat(ctx.node, 'alpha', 0.2);
  const beta = attrFloat(ctx.node, 'beta', 0.5);
  return (x) => Math.max(0, Math.min(1, Math.fround(Math.fround(alpha * x) + beta)));
}, { floatOnly: true });
unary('HardSwish', () => {
  const alpha = Math.fround(1 / 6);
  return (x) => x * Math.max(0, Math.min(1, Math.fround(Math.fround(alpha * x) + 0.5)));
}, { floatOnly: true });
unary('Erf', () => erf, { floatOnly: true });
unary('Gelu', (ctx) => {
  const approx = attrString(ctx.node, 'approximate', 'none');
  if (approx === 'tanh') {
    const c = Math.sqrt(2 / Math.PI);
    return (x) => 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x)));
  }
  if (approx !== 'none') throw new Error(`Gelu approximate='${approx}' is not 'none' or 'tanh'`);
  return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
}, { floatOnly: true });
unary('Sqrt', () => Math.sqrt, { floatOnly: true });
unary('Reciprocal', () => (x) => 1 / x, { floatOnly: true });
unary('Exp', () => Math.exp, { floatOnly: true });
unary('Log', () => Math.log, { floatOnly: true });
unary('Abs', () => Math.abs);
unary('Neg', () => (x) => -x);
unary('Floor', () => Math.floor, { floatOnly: true });
unary('Ceil', () => Math.ceil, { floatOnly: true });
unary('Round', () => (x) => {
  // half to even (ONNX Round)
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}, { floatOnly: true });
unary('Sign', () => Math.sign);

registerOp('Clip', (ctx) => {
  const x = need(ctx, 0);
  let lo = -Infinity;
  let hi = Infinity;
  if (ctx.opset < 11) {
    lo = attrFloat(ctx.node, 'min', -3.4028234663852886e38);
    hi = attrFloat(ctx.node, 'max', 3.4028234663852886e38);
  } else {
    if (ctx.inputs[1]) lo = scalarOf(ctx.inputs[1]);
    if (ctx.inputs[2]) hi = scalarOf(ctx.inputs[2]);
  }
  // NaN stays NaN (as std::min/max in ORT keep the first operand when it compares false)
  return [mapUnary(x, (v) => (v < lo ? lo : v > hi ? hi : v))];
});

// ---- binary -------------------------------------------------------------------------------------------

function binary(opType: string, fFloat: F2, fInt?: F2, fInt32?: F2): void {
  registerOp(opType, (ctx) => {
    const a = need(ctx, 0);
    const b = need(ctx, 1);
    const t = sameType(a, b);
    const f = t === DataType.INT32 && fInt32 ? fInt32 : isIntegerType(t) && fInt ? fInt : fFloat;
    return [mapBinary(a, b, f, t)];
  });
}

binary('Add', (a, b) => a + b);
binary('Sub', (a, b) => a - b);
binary('Mul', (a, b) => a * b, (a, b) => (Math.abs(a * b) < 2 ** 53 ? a * b : Number(BigInt.asIntN(64, BigInt(a) * BigInt(b)))), Math.imul);
binary('Div', (a, b) => a / b, (a, b) => (b === 0 ? 0 : Math.trunc(a / b)));

registerOp('Pow', (ctx) => {
  const a = need(ctx, 0);
  const b = need(ctx, 1);
  const f: F2 = isIntegerType(a.dtype) ? (x, y) => Math.trunc(Math.pow(x, y)) : (x, y) => Math.pow(x, y);
  return [mapBinary(a, b, f, a.dtype)];
});

function compare(opType: string, f: (a: number, b: number) => boolean): void {
  registerOp(opType, (ctx) => {
    const a = need(ctx, 0);
    const b = need(ctx, 1);
    sameType(a, b);
    return [mapBinary(a, b, (x, y) => (f(x, y) ? 1 : 0), DataType.BOOL)];
  });
}
compare('Equal', (a, b) => a === b);
compare('Greater', (a, b) => a > b);
compare('Less', (a, b) => a < b);
compare('GreaterOrEqual', (a, b) => a >= b);
compare('LessOrEqual', (a, b) => a <= b);

registerOp('Not', (ctx) => [mapUnary(need(ctx, 0), (x) => (x ? 0 : 1), DataType.BOOL)]);

function variadic(opType: string, f: F2): void {
  registerOp(opType, (ctx) => {
    const xs = ctx.inputs.filter((t): t is Tensor => t !== undefined);
    if (xs.length === 0) throw new Error(`${opType} needs at least one input`);
    const t = sameType(...xs);
    let acc = xs[0];
    if (xs.length === 1) return [mapUnary(acc, (v) => v)];
    for (let i = 1; i < xs.length; i++) acc = mapBinary(acc, xs[i], f, t);
    return [acc];
  });
}
variadic('Min', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)));
variadic('Max', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)));
variadic('Sum', (a, b) => a + b);

registerOp('Where', (ctx) => {
  const c = need(ctx, 0);
  const x = need(ctx, 1);
  const y = need(ctx, 2);
  if (c.dtype !== DataType.BOOL) throw new Error(`Where condition must be bool, got ${dataTypeName(c.dtype)}`);
  sameType(x, y);
  const dims = broadcastShapes([c.dims, x.dims, y.dims]);
  const n = numel(dims);
  const ic = broadcastOffsets(c.dims, dims);
  const ix = broadcastOffsets(x.dims, dims);
  const iy = broadcastOffsets(y.dims, dims);
  const out = alloc(x.dtype, n) as unknown as unknown[];
  const cd = c.data as Uint8Array;
  const xd = x.data as unknown as unknown[];
  const yd = y.data as unknown as unknown[];
  for (let i = 0; i < n; i++) out[i] = cd[ic[i]] ? xd[ix[i]] : yd[iy[i]];
  return [{ dtype: x.dtype, dims, data: out as unknown as TensorData }];
});

