/**
 * The quantize hot loop in WebAssembly SIMD (128-bit), emitted as bytes here — no toolchain, no
 * binary blob. Bit-exact with the scalar definition `clamp(rne(fl32(x / s)) + zp, qmin, qmax)`:
 *   f32x4.div            IEEE binary32 division, correctly rounded (= Math.fround(x / s))
 *                        (or f32x4.mul by fl32(1/s) for the 'mul_inv' variant)
 *   f32x4.pmax, pmin     clamp the quotient to [qmin - zp, qmax - zp]: pmax(lo, v) = lo < v ? v : lo
 *                        first, so NaN lands on lo, i.e. qmin (as ORT's maxps); then pmin(hi, .)
 *   f32x4.nearest        roundTiesToEven (exact: |v| <= 65535 after the clamp)
 *   i32x4.trunc_sat      exact conversion of the integral value
 *   i32x4.add zp, then saturating narrows to int8/uint8/int16/uint16 (the values are already in range)
 * Data moves through the module's linear memory in chunks (copies run at memcpy speed).
 * `quantizeRunSimd` returns false when WebAssembly SIMD is unavailable; callers fall back to JS.
 */

type Kind = 'i8' | 'u8' | 'i16' | 'u16';
const KINDS: Kind[] = ['i8', 'u8', 'i16', 'u16'];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const simd = (op: number) => [0xfd, ...uleb(op)];
const OP = {
  load: 0x00, store: 0x0b, i32x4Splat: 0x11, f32x4Splat: 0x13, i8NarrowS: 0x65, i8NarrowU: 0x66, f32Nearest: 0x6a,
  i16NarrowS: 0x85, i16NarrowU: 0x86, i32Add: 0xae, f32Mul: 0xe6, f32Div: 0xe7, f32Pmin: 0xea, f32Pmax: 0xeb, truncSatS: 0xf8,
};
const memarg = (offset: number) => [0x04, ...uleb(offset)]; // align 2^4

// params: 0 xp(i32) 1 yp(i32) 2 n16(i32) 3 s(f32) 4 lo(f32) 5 hi(f32) 6 zp(i32) 7 mul(i32: 0 div, 1 multiply)
// locals: 8 S 9 LO 10 HI 11 ZP 12..15 v0..v3 (v128)
function body(kind: Kind): number[] {
  const lg = (i: number) => [0x20, i];
  const ls = (i: number) => [0x21, i];
  const b: number[] = [];
  // splats
  b.push(...lg(3), ...simd(OP.f32x4Splat), ...ls(8));
  b.push(...lg(4), ...simd(OP.f32x4Splat), ...ls(9));
  b.push(...lg(5), ...simd(OP.f32x4Splat), ...ls(10));
  b.push(...lg(6), ...simd(OP.i32x4Splat), ...ls(11));
  const vec = (j: number, scaleOp: number) => [
    ...lg(10), ...lg(9), ...lg(0), ...simd(OP.load), ...memarg(16 * j), ...lg(8), ...simd(scaleOp),
    ...simd(OP.f32Pmax), ...simd(OP.f32Pmin), ...simd(OP.f32Nearest), ...simd(OP.truncSatS), ...lg(11), ...simd(OP.i32Add), ...ls(12 + j),
  ];
  const loop = (scaleOp: number) => {
    const l: number[] = [];
    l.push(0x02, 0x40, 0x03, 0x40); // block, loop
    l.push(...lg(2), 0x45, 0x0d, 0x01); // n == 0 -> br 1
    for (let j = 0; j < 4; j++) l.push(...vec(j, scaleOp));
    if (kind === 'i8' || kind === 'u8') {
      l.push(...lg(1), ...lg(12), ...lg(13), ...simd(OP.i16NarrowS), ...lg(14), ...lg(15), ...simd(OP.i16NarrowS),
        ...simd(kind === 'i8' ? OP.i8NarrowS : OP.i8NarrowU), ...simd(OP.store), ...memarg(0));
      l.push(...lg(1), 0x41, 16, 0x6a, ...ls(1));
    } else {
      const nar = kind === 'i16' ? OP.i16NarrowS : OP.i16NarrowU;
      l.push(...lg(1), ...lg(12), ...lg(13), ...simd(nar), ...simd(OP.store), ...memarg(0));
      l.push(...lg(1), ...lg(14), ...lg(15), ...simd(nar), ...simd(OP.store), ...memarg(16));
      l.push(...lg(1), 0x41, 32, 0x6a, ...ls(1));
    }
    l.push(...lg(0), 0x41, ...[0xc0, 0x00], 0x6a, ...ls(0)); // xp += 64
    l.push(...lg(2), 0x41, 1, 0x6b, ...ls(2)); // n -= 1
    l.push(0x0c, 0x00, 0x0b, 0x0b); // br 0, end loop, end block
    return l;
  };
  // if (mul) { loop with f32x4.mul } else { loop with f32x4.div }
  b.push(...lg(7), 0x04, 0x40, ...loop(OP.f32Mul), 0x05, ...loop(OP.f32Div), 0x0b);
  b.push(0x0b); // end function
  const locals = [0x02, 0x04, 0x7b, 0x04, 0x7b]; // 2 groups: 4 v128 (S, LO, HI, ZP), 4 v128 (v0..v3)
  const fn = [...locals, ...b];
  return [...uleb(fn.length), ...fn];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}
const str = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

function buildModule(): Uint8Array<ArrayBuffer> {
  const type = section(1, [0x01, 0x60, 0x08, 0x7f, 0x7f, 0x7f, 0x7d, 0x7d, 0x7d, 0x7f, 0x7f, 0x00]);
  const funcs = section(3, [KINDS.length, ...KINDS.map(() => 0)]);
  const mem = section(5, [0x01, 0x00, 0x01]); // 1 memory, min 1 page
  const exp: number[] = [KINDS.length + 1, ...str('mem'), 0x02, 0x00];
  KINDS.forEach((k, i) => exp.push(...str(k), 0x00, i));
  const exports = section(7, exp);
  const code = section(10, [KINDS.length, ...KINDS.flatMap((k) => body(k))]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...funcs, ...mem, ...exports, ...code]);
}

interface SimdInstance {
  mem: WebAssembly.Memory;
  fns: Record<Kind, (xp: number, yp: number, n16: number, s: number, lo: number, hi: number, zp: number, mul: number) => void>;
}

let inst: SimdInstance | null | undefined;

function instance(): SimdInstance | null {
  if (inst !== undefined) return inst;
  try {
    if (process.env.QDQSIM_NO_SIMD) throw new Error('disabled');
    const m = new WebAssembly.Instance(new WebAssembly.Module(buildModule()));
    const e = m.exports as unknown as Record<string, unknown>;
    inst = { mem: e.mem as WebAssembly.Memory, fns: Object.fromEntries(KINDS.map((k) => [k, e[k]])) as SimdInstance['fns'] };
  } catch {
    inst = null;
  }
  return inst;
}

/** Whether the WebAssembly SIMD quantize path is available in this runtime. */
export function simdAvailable(): boolean {
  return instance() !== null;
}

const CHUNK = 1 << 18; // elements per pass: 1 MiB of float32 in, up to 512 KiB out

/**
 * Quantizes x[start, end) into y (Int8Array / Uint8Array / Int16Array / Uint16Array, chosen by `kind`)
 * with the SIMD kernel; the (end - start) % 16 tail is left for the caller and its start returned.
 * Returns -1 when SIMD is unavailable.
 */
export function quantizeRunSimd(
  x: Float32Array, start: number, end: number, s: number, zp: number, qmin: number, qmax: number,
  mul: boolean, kind: Kind, y: Int8Array | Uint8Array | Int16Array | Uint16Array,
): number {
  const w = instance();
  if (!w) return -1;
  const bytesOut = kind === 'i8' || kind === 'u8' ? 1 : 2;
  const need = CHUNK * 4 + CHUNK * bytesOut;
  if (w.mem.buffer.byteLength < need) w.mem.grow(Math.ceil((need - w.mem.buffer.byteLength) / 65536));
  const buf = w.mem.buffer;
  const xin = new Float32Array(buf, 0, CHUNK);
  const yOff = CHUNK * 4;
  const yview = bytesOut === 1 ? new (kind === 'i8' ? Int8Array : Uint8Array)(buf, yOff, CHUNK) : new (kind === 'i16' ? Int16Array : Uint16Array)(buf, yOff, CHUNK);
  const sv = mul ? Math.fround(1 / s) : s;
  const fn = w.fns[kind];
  const lo = qmin - zp, hi = qmax - zp;
  let i = start;
  while (end - i >= 16) {
    const n = Math.min(CHUNK, (end - i) & ~15);
    xin.set(x.subarray(i, i + n));
    fn(0, yOff, n >>> 4, sv, lo, hi, zp, mul ? 1 : 0);
    (y as Int8Array).set(yview.subarray(0, n) as Int8Array, i);
    i += n;
  }
  return i;
}
