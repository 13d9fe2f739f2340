/**
 * Integer GEMM in WebAssembly SIMD for the conv / matmul accumulators, emitted as bytes here.
 *
 *   C[m][n] = Σ_k A[m][k] · B[n][k]   (int16 operands, int32 accumulation with wrap-around)
 *
 * i32x4.dot_i16x8_s forms exact 32-bit products of int16 pairs and adds adjacent pairs; i32x4.add and
 * i32.add wrap modulo 2^32. Integer addition modulo 2^32 is associative, so any summation order gives
 * exactly the int32 wrap-around result MatMulInteger/ConvInteger define. Operands must fit int16
 * (8-bit values minus an 8-bit zero point do: [-255, 255]).
 *
 * Layouts (packed by the caller, zero padded): A as [M/4][K/8][4 rows][8] int16, B as
 * [N/2][K/8][2 rows][8] int16, C as [M][ldc] int32. A 4x2 register block of eight i32x4 accumulators.
 * Two loop orders: 'nm' keeps B's row pair in L1 while all of A streams (A small), 'mn' the reverse.
 */

function uleb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}
const simd = (op: number) => [0xfd, ...uleb(op)];
const lg = (i: number) => [0x20, ...uleb(i)];
const ls = (i: number) => [0x21, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const ADD = 0x6a, SUB = 0x6b, MUL = 0x6c, GE_U = 0x4f, EQZ = 0x45;
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = 0x0b;
const brIf = (d: number) => [0x0d, d];
const br = (d: number) => [0x0c, d];
const load = (off: number) => [...simd(0x00), 0x04, ...uleb(off)];
const DOT = simd(186), I32X4_ADD = simd(174);
const lane = (l: number) => [...simd(27), l];
const i32store = (off: number) => [0x36, 0x02, ...uleb(off)];
const V128_ZERO = [...simd(12), ...new Array(16).fill(0)];

// params: 0 pa 1 pb 2 pc 3 M4 4 N2 5 K8 6 ldcBytes
// i32 locals: 7 mi 8 ni 9 k 10 a 11 b 12 c
// v128 locals: 13..20 acc(i*2+j), 21..24 a0..a3, 25..26 b0..b1
const MI = 7, NI = 8, K = 9, A = 10, B = 11, C = 12, ACC = 13, AV = 21, BV = 25;

function block4x2(): number[] {
  const o: number[] = [];
  // a = pa + mi*K8*64 ; b = pb + ni*K8*32
  o.push(...lg(0), ...lg(MI), ...lg(5), MUL, ...i32c(64), MUL, ADD, ...ls(A));
  o.push(...lg(1), ...lg(NI), ...lg(5), MUL, ...i32c(32), MUL, ADD, ...ls(B));
  for (let i = 0; i < 8; i++) o.push(...V128_ZERO, ...ls(ACC + i));
  o.push(...lg(5), ...ls(K));
  o.push(...BLOCK, ...LOOP, ...lg(K), EQZ, ...brIf(1));
  for (let i = 0; i < 4; i++) o.push(...lg(A), ...load(16 * i), ...ls(AV + i));
  for (let j = 0; j < 2; j++) o.push(...lg(B), ...load(16 * j), ...ls(BV + j));
  for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) {
    o.push(...lg(ACC + i * 2 + j), ...lg(AV + i), ...lg(BV + j), ...DOT, ...I32X4_ADD, ...ls(ACC + i * 2 + j));
  }
  o.push(...lg(A), ...i32c(64), ADD, ...ls(A), ...lg(B), ...i32c(32), ADD, ...ls(B), ...lg(K), ...i32c(1), SUB, ...ls(K));
  o.push(...br(0), END, END);
  // c = pc + (mi*4)*ldc + ni*8 ; row i at c + i*ldc
  o.push(...lg(2), ...lg(MI), ...i32c(4), MUL, ...lg(6), MUL, ADD, ...lg(NI), ...i32c(8), MUL, ADD, ...ls(C));
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 2; j++) {
      const acc = ACC + i * 2 + j;
      o.push(...lg(C), ...lg(acc), ...lane(0), ...lg(acc), ...lane(1), ADD, ...lg(acc), ...lane(2), ADD, ...lg(acc), ...lane(3), ADD, ...i32store(4 * j));
    }
    if (i < 3) o.push(...lg(C), ...lg(6), ADD, ...ls(C));
  }
  return o;
}

function nest(order: 'nm' | 'mn'): number[] {
  const [outer, outerN, inner, innerN] = order === 'mn' ? [MI, 3, NI, 4] : [NI, 4, MI, 3];
  const o: number[] = [];
  o.push(...i32c(0), ...ls(outer));
  o.push(...BLOCK, ...LOOP, ...lg(outer), ...lg(outerN), GE_U, ...brIf(1));
  o.push(...i32c(0), ...ls(inner));
  o.push(...BLOCK, ...LOOP, ...lg(inner), ...lg(innerN), GE_U, ...brIf(1));
  o.push(...block4x2());
  o.push(...lg(inner), ...i32c(1), ADD, ...ls(inner), ...br(0), END, END);
  o.push(...lg(outer), ...i32c(1), ADD, ...ls(outer), ...br(0), END, END);
  o.push(END);
  const locals = [0x02, 0x06, 0x7f, 14, 0x7b];
  const fn = [...locals, ...o];
  return [...uleb(fn.length), ...fn];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}
const str = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

function buildModule(): Uint8Array<ArrayBuffer> {
  const type = section(1, [0x01, 0x60, 0x07, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]);
  const funcs = section(3, [2, 0, 0]);
  const mem = section(5, [0x01, 0x00, 0x01]);
  const exports = section(7, [3, ...str('mem'), 0x02, 0x00, ...str('nm'), 0x00, 0, ...str('mn'), 0x00, 1]);
  const code = section(10, [2, ...nest('nm'), ...nest('mn')]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...funcs, ...mem, ...exports, ...code]);
}

type GemmFn = (pa: number, pb: number, pc: number, M4: number, N2: number, K8: number, ldc: number) => void;
let inst: { mem: WebAssembly.Memory; nm: GemmFn; mn: GemmFn } | null | undefined;

function instance() {
  if (inst !== undefined) return inst;
  try {
    if (process.env.QDQSIM_NO_SIMD) throw new Error('disabled');
    const e = new WebAssembly.Instance(new WebAssembly.Module(buildModule())).exports as unknown as { mem: WebAssembly.Memory; nm: GemmFn; mn: GemmFn };
    inst = { mem: e.mem, nm: e.nm, mn: e.mn };
  } catch {
    inst = null;
  }
  return inst;
}

export function gemmSimdAvailable(): boolean {
  return instance() !== null;
}

export interface PackedGemm {
  /** packed A ([M/4][K/8][4][8] int16), B ([N/2][K/8][2][8] int16) and C ([Mpad][Npad] int32) views into wasm memory */
  a: Int16Array; b: Int16Array; c: Int32Array;
  M: number; N: number; K: number; Mpad: number; Npad: number; Kpad: number;
  run(): void;
}

/** Index of A[m][k] in the packed A layout. */
export function packedAIndex(m: number, k: number, K8: number): number {
  return (((m >> 2) * K8 + (k >> 3)) * 4 + (m & 3)) * 8 + (k & 7);
}
/** Index of B[n][k] in the packed B layout. */
export function packedBIndex(n: number, k: number, K8: number): number {
  return (((n >> 1) * K8 + (k >> 3)) * 2 + (n & 1)) * 8 + (k & 7);
}

/**
 * Allocates (zeroed) packed operand buffers in wasm memory for an M x N x K product; the caller fills
 * `a` and `b` through packedAIndex / packedBIndex and calls run(); results are in c[m * Npad + n].
 * Returns null when WebAssembly SIMD is unavailable. The buffers are reused by the next call.
 */
export function prepareGemm(M: number, N: number, K: number): PackedGemm | null {
  const w = instance();
  if (!w) return null;
  const Mpad = Math.ceil(M / 4) * 4, Npad = Math.ceil(N / 2) * 2, Kpad = Math.ceil(K / 8) * 8;
  const aBytes = Mpad * Kpad * 2, bBytes = Npad * Kpad * 2, cBytes = Mpad * Npad * 4;
  const need = aBytes + bBytes + cBytes;
  if (w.mem.buffer.byteLength < need) w.mem.grow(Math.ceil((need - w.mem.buffer.byteLength) / 65536));
  const buf = w.mem.buffer;
  const a = new Int16Array(buf, 0, aBytes / 2);
  const b = new Int16Array(buf, aBytes, bBytes / 2);
  const c = new Int32Array(buf, aBytes + bBytes, cBytes / 4);
  a.fill(0);
  b.fill(0);
  const fn = aBytes <= bBytes ? w.nm : w.mn;
  return { a, b, c, M, N, K, Mpad, Npad, Kpad, run: () => fn(0, aBytes, aBytes + bBytes, Mpad / 4, Npad / 2, Kpad / 8, Npad * 4) };
}
