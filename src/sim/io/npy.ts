/**
 * numpy .npy read/write, byte-compatible with numpy.save / numpy.load (format versions 1.0, 2.0, 3.0).
 *
 * Written files are what numpy writes: magic `\x93NUMPY`, version 1.0 (2.0 when the header needs more
 * than 65535 bytes), the header dict `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` with
 * sorted keys, padded with spaces and a final newline so the data starts at a multiple of 64, then the
 * C-order little-endian data. Read: little/big endian, C or Fortran order, any of the dtypes below.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DataType, dataTypeName } from '../data-type.ts';
import { storageFor, type Tensor } from '../tensor.ts';

/** A malformed, truncated or unsupported .npy/.npz; the message names the file (and the array). */
export class NpyError extends Error {
  constructor(message: string, readonly file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
/** Largest element count a .npy may declare before we refuse it (matches the interpreter's limit). */
const MAX_ELEMENTS = 2 ** 30;

interface DescrInfo { dtype: DataType; size: number }

const DESCR: Record<string, DescrInfo> = {
  f4: { dtype: DataType.FLOAT, size: 4 },
  f8: { dtype: DataType.DOUBLE, size: 8 },
  f2: { dtype: DataType.FLOAT16, size: 2 },
  i1: { dtype: DataType.INT8, size: 1 },
  u1: { dtype: DataType.UINT8, size: 1 },
  i2: { dtype: DataType.INT16, size: 2 },
  u2: { dtype: DataType.UINT16, size: 2 },
  i4: { dtype: DataType.INT32, size: 4 },
  u4: { dtype: DataType.UINT32, size: 4 },
  i8: { dtype: DataType.INT64, size: 8 },
  u8: { dtype: DataType.UINT64, size: 8 },
  b1: { dtype: DataType.BOOL, size: 1 },
};

/** numpy's descr string for a dtype ('<f4', '|i1', '|b1', ...). */
export function npyDescr(dtype: DataType): string {
  for (const [k, v] of Object.entries(DESCR)) {
    if (v.dtype === dtype) return `${v.size === 1 ? '|' : '<'}${k}`;
  }
  throw new NpyError(`dtype ${dataTypeName(dtype)} has no .npy equivalent (supported: float32, float64, float16, int8/16/32/64, uint8/16/32/64, bool)`);
}

function shapeRepr(dims: readonly number[]): string {
  if (dims.length === 0) return '()';
  if (dims.length === 1) return `(${dims[0]},)`;
  return `(${dims.join(', ')})`;
}

/** The exact bytes numpy.save writes for `t` (C order, little endian). */
export function encodeNpy(t: Tensor): Uint8Array {
  const descr = npyDescr(t.dtype);
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new NpyError(`tensor data has ${t.data.length} elements but dims [${t.dims.join(',')}] need ${n}`);
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(t.dims)}, }`;
  let version = 1;
  let prefix = MAGIC.length + 2 + 2;
  let hlen = dict.length + 1;
  let pad = (ALIGN - ((prefix + hlen) % ALIGN)) % ALIGN;
  if (hlen + pad > 0xffff) {
    version = 2;
    prefix = MAGIC.length + 2 + 4;
    pad = (ALIGN - ((prefix + hlen) % ALIGN)) % ALIGN;
  }
  hlen += pad;
  const header = dict + ' '.repeat(pad) + '\n';
  const data = t.data as unknown as ArrayBufferView;
  if (Array.isArray(t.data)) throw new NpyError('string tensors cannot be written as .npy');
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(prefix + hlen + body.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hlen, true);
  else dv.setUint32(8, hlen, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(body, prefix + hlen);
  return out;
}

interface Header { descr: string; fortran: boolean; shape: number[] }

function parseHeader(h: string, where?: string): Header {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(h);
  const fo = /'fortran_order'\s*:\s*(True|False)/.exec(h);
  const sh = /'shape'\s*:\s*\(([^)]*)\)/.exec(h);
  if (!descr || !fo || !sh) throw new NpyError(`malformed .npy header ${JSON.stringify(h.trim().slice(0, 120))}`, where);
  const parts = sh[1].split(',').map((s) => s.trim()).filter((s) => s !== '');
  const shape = parts.map((p) => {
    const v = Number(p.replace(/L$/, ''));
    if (!Number.isSafeInteger(v) || v < 0) throw new NpyError(`malformed .npy shape (${sh[1]})`, where);
    return v;
  });
  return { descr: descr[1], fortran: fo[1] === 'True', shape };
}

/** Parses .npy bytes into a Tensor (C order). `where` names the file in errors. */
export function decodeNpy(bytes: Uint8Array, where?: string): Tensor {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new NpyError('not a .npy file (bad magic)', where);
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError('truncated .npy header', where);
    hlen = dv.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyError(`unsupported .npy format version ${major}.${bytes[7]}`, where);
  }
  if (start + hlen > bytes.length) throw new NpyError(`truncated .npy header (declares ${hlen} bytes, file has ${bytes.length - start})`, where);
  const headerBytes = bytes.subarray(start, start + hlen);
  const header = major === 3 ? new TextDecoder().decode(headerBytes) : String.fromCharCode(...headerBytes);
  const { descr, fortran, shape } = parseHeader(header, where);
  const order = descr[0];
  const info = DESCR[descr.slice(1)] ?? (descr === '?' || descr === '|?' ? DESCR.b1 : undefined);
  if (!info || !['<', '>', '|', '='].includes(order) && descr !== '?') {
    throw new NpyError(`unsupported .npy dtype '${descr}' (supported: float32, float64, float16, int8/16/32/64, uint8/16/32/64, bool)`, where);
  }
  let n = 1;
  for (const d of shape) n *= d;
  if (!Number.isSafeInteger(n) || n > MAX_ELEMENTS) throw new NpyError(`.npy shape (${shape.join(', ')}) declares ${n} elements, more than the ${MAX_ELEMENTS} allowed`, where);
  const off = start + hlen;
  const need = n * info.size;
  if (bytes.length - off < need) {
    throw new NpyError(`truncated .npy data: shape (${shape.join(', ')}) of '${descr}' needs ${need} bytes but the file has ${bytes.length - off}`, where);
  }
  // copy into a fresh, aligned buffer
  const raw = new Uint8Array(need);
  raw.set(bytes.subarray(off, off + need)); // Buffer.slice would be a view into a shared pool
  if (order === '>' && info.size > 1) {
    for (let i = 0; i < need; i += info.size) raw.subarray(i, i + info.size).reverse();
  }
  const Ctor = (storageFor(info.dtype, 0) as unknown as { constructor: new (b: ArrayBuffer, o: number, l: number) => Tensor['data'] }).constructor;
  let data = new Ctor(raw.buffer, 0, n);
  if (info.dtype === DataType.BOOL) {
    const b = data as Uint8Array;
    for (let i = 0; i < n; i++) if (b[i] > 1) b[i] = 1;
  }
  if (fortran && shape.length > 1) data = fortranToC(data, shape, info.dtype);
  return { dtype: info.dtype, dims: shape, data };
}

function fortranToC(data: Tensor['data'], shape: number[], dtype: DataType): Tensor['data'] {
  const n = data.length;
  const out = storageFor(dtype, n) as unknown as unknown[];
  const src = data as unknown as unknown[];
  const r = shape.length;
  const fStrides = new Array<number>(r);
  let acc = 1;
  for (let i = 0; i < r; i++) {
    fStrides[i] = acc;
    acc *= shape[i];
  }
  const idx = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let a = 0; a < r; a++) off += idx[a] * fStrides[a];
    out[i] = src[off];
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
  return out as unknown as Tensor['data'];
}

export function readNpy(path: string): Tensor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new NpyError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
  return decodeNpy(bytes, path);
}

export function writeNpy(path: string, t: Tensor): void {
  writeFileSync(path, encodeNpy(t));
}
