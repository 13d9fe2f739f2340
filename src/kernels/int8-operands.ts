// SPDX-License-Identifier: Apache-2.0
/**
 * Host-side preparation of 8-bit GEMM/conv operands: signedness, zero-point validation and packing
 * 4 bytes per u32 word. uint8 data is mapped to int8 by flipping bit 7 (v - 128) and its zero point is
 * lowered by 128, so every difference v - zp, and hence every product, is unchanged; the kernels then
 * need only the signed 4-lane dot product.
 */
import { DataType, dataTypeName } from '../sim/data-type.ts';
import { intRange } from '../sim/golden/dtype.ts';
import type { Dot4Path } from './kernel-spec.ts';
import { type GpuContext, isCpuAdapter } from './device.ts';

export type Int8Data = Int8Array | Uint8Array;

export function operandDtype(a: Int8Data, declared: DataType | undefined, name: string): DataType {
  const dt = declared ?? (a instanceof Int8Array ? DataType.INT8 : DataType.UINT8);
  if (dt !== DataType.INT8 && dt !== DataType.UINT8) {
    throw new TypeError(`${name}: dtype ${dataTypeName(dt)} is not supported by the int8 kernels (INT8 or UINT8)`);
  }
  if ((dt === DataType.INT8) !== (a instanceof Int8Array)) {
    throw new TypeError(`${name}: ${a.constructor.name} does not hold ${dataTypeName(dt)} data`);
  }
  return dt;
}

/** Zero points as i32 for the kernels (lowered by 128 for uint8), expanded to `len` entries. */
export function kernelZeroPoints(zp: number | ArrayLike<number> | undefined, len: number, dt: DataType, name: string): Int32Array {
  const r = intRange(dt);
  const src = zp === undefined ? [0] : typeof zp === 'number' ? [zp] : zp;
  if (src.length !== 1 && src.length !== len) throw new RangeError(`${name}: ${src.length} zero points, expected 1 or ${len}`);
  const out = new Int32Array(len);
  const shift = dt === DataType.UINT8 ? 128 : 0;
  for (let i = 0; i < len; i++) {
    const z = src.length === 1 ? src[0]! : src[i]!;
    if (!Number.isInteger(z) || z < r.min || z > r.max) throw new RangeError(`${name}: zero point ${z} outside [${r.min}, ${r.max}] of ${dataTypeName(dt)}`);
    out[i] = z - shift;
  }
  return out;
}

/** Byte of element i as a signed-int8 bit pattern (uint8 flipped by 0x80). */
export function signedByte(a: Int8Data, i: number, flip: number): number { return (a[i]! & 0xff) ^ flip; }

/**
 * Pack rows of K bytes into rows of K4 = ceil(K/4) words (lane l of word w = element 4w + l, the low
 * byte first); `get(r, k)` returns the element. Lanes past K are 0.
 */
export function packRows(rows: number, K: number, get: (r: number, k: number) => number): Uint32Array {
  const K4 = Math.ceil(K / 4);
  const out = new Uint32Array(rows * K4);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) out[r * K4 + (k >> 2)]! |= (get(r, k) & 0xff) << ((k & 3) * 8);
  }
  return out;
}

/**
 * The dot-product path: the caller's choice, else `packed` where the language feature exists, except on
 * a CPU adapter. There dot4I8Packed has no single instruction (lavapipe expands it to shifts and multiplies
 * per call) while the scalar path unpacks each word once and reuses it for every output channel:
 * bench/kernels.ts measured scalar 1.1-1.8x faster on all four ResNet-50 conv shapes and the 1024^3 matmul.
 */
export function chooseDot4(ctx: GpuContext, want: Dot4Path | undefined): Dot4Path {
  if (want === 'packed' && !ctx.hasDot4) {
    throw new Error('dot4 path "packed" needs the WGSL language feature packed_4x8_integer_dot_product, which this adapter lacks');
  }
  return want ?? (ctx.hasDot4 && !isCpuAdapter(ctx.summary) ? 'packed' : 'scalar');
}

export function checkDispatch(x: number, y: number, z: number, what: string): void {
  for (const v of [x, y, z]) {
    if (v > 65535) throw new RangeError(`${what}: needs ${x}x${y}x${z} workgroups, over the 65535-per-dimension limit; split the batch or the tensor`);
  }
}
