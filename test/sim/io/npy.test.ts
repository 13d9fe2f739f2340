import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { readNumbers } from '../../../src/sim/interp/tensor-util.ts';
import { NpyError, decodeNpy, encodeNpy, readNpy, writeNpy } from '../../../src/sim/io/npy.ts';
import { decodeNpz, encodeNpz, readNpz, writeNpz } from '../../../src/sim/io/npz.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';

// Files written by numpy 2.4 (np.save / np.savez / np.savez_compressed); see the generator values below.
const FIX = 'test/fixtures/interp/npy';
const tmp = mkdtempSync(join(tmpdir(), 'qdqsim-npy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cases: [string, DataType, number[], (number | bigint)[]][] = [
  ['f32_2x3', DataType.FLOAT, [2, 3], [1.5, -2.25, Math.fround(3.0e-8), Infinity, -0, 65504]],
  ['i8_2x2x2', DataType.INT8, [2, 2, 2], [-4, -3, -2, -1, 0, 1, 2, 3]],
  ['u8_5', DataType.UINT8, [5], [0, 1, 127, 128, 255]],
  ['i32_3', DataType.INT32, [3], [-2147483648, 0, 2147483647]],
  ['i64_2x2', DataType.INT64, [2, 2], [-9007199254740993n, 1n, 2n, 9007199254740993n]],
  ['bool_6', DataType.BOOL, [6], [1, 0, 1, 1, 0, 0]],
  ['scalar_f32', DataType.FLOAT, [], [3.5]],
  ['empty_f32_0x3', DataType.FLOAT, [0, 3], []],
  ['f64_2', DataType.DOUBLE, [2], [0.1, -1e300]],
  ['rank6_u8', DataType.UINT8, [2, 2, 2, 2, 2, 2], Array.from({ length: 64 }, (_, i) => i)],
];

describe('.npy', () => {
  for (const [name, dtype, dims, values] of cases) {
    it(`reads numpy's ${name}.npy and writes the identical bytes`, () => {
      const bytes = readFileSync(join(FIX, `${name}.npy`));
      const t = decodeNpy(bytes, name);
      expect(t.dtype).toBe(dtype);
      expect(t.dims).toEqual(dims);
      expect(Array.from(t.data as ArrayLike<number | bigint>)).toEqual(values);
      expect(Buffer.from(encodeNpy(t)).equals(bytes)).toBe(true);
    });
  }

  it('reads float16 bits exactly', () => {
    const t = readNpy(join(FIX, 'f16_4.npy'));
    expect(t.dtype).toBe(DataType.FLOAT16);
    expect(Array.from(t.data as Uint16Array)).toEqual([0x2e66, 0xc100, 0x7bff, 0x0001]);
    expect(Buffer.from(encodeNpy(t)).equals(readFileSync(join(FIX, 'f16_4.npy')))).toBe(true);
  });

  it('converts Fortran order and big endian to C order little endian', () => {
    const f = readNpy(join(FIX, 'fortran_f32_2x3.npy'));
    expect(f.dims).toEqual([2, 3]);
    expect(Array.from(f.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
    const b = readNpy(join(FIX, 'bigendian_i32_3.npy'));
    expect(b.dtype).toBe(DataType.INT32);
    expect(Array.from(b.data as Int32Array)).toEqual([1, -2, 300]);
  });

  it('round-trips through a file, data 64-byte aligned', () => {
    const t: Tensor = { dtype: DataType.INT64, dims: [3], data: BigInt64Array.from([1n, -2n, 3n]) };
    const p = join(tmp, 'x.npy');
    writeNpy(p, t);
    const bytes = readFileSync(p);
    const hlen = bytes.readUInt16LE(8);
    expect((10 + hlen) % 64).toBe(0);
    expect(readNpy(p)).toEqual(t);
  });

  it('refuses bad magic, truncation, huge shapes and unsupported dtypes with the file named', () => {
    const good = readFileSync(join(FIX, 'f32_2x3.npy'));
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]), 'a.npy')).toThrow(/a\.npy: not a \.npy file/);
    expect(() => decodeNpy(good.subarray(0, good.length - 3), 'b.npy')).toThrow(/b\.npy: truncated \.npy data: shape \(2, 3\) of '<f4' needs 24 bytes but the file has 21/);
    expect(() => decodeNpy(good.subarray(0, 40), 'c.npy')).toThrow(/c\.npy: truncated \.npy header/);
    const huge = Buffer.from(good);
    huge.write("(99999, 99999, 9)", good.indexOf('(2, 3)'), 'latin1');
    expect(() => decodeNpy(huge, 'd.npy')).toThrow(NpyError);
    const cplx = Buffer.from(good);
    cplx.write("<c8", good.indexOf('<f4'), 'latin1');
    expect(() => decodeNpy(cplx, 'e.npy')).toThrow(/e\.npy: unsupported \.npy dtype '<c8'/);
    expect(() => readNpy(join(tmp, 'missing.npy'))).toThrow(/missing\.npy: cannot read: ENOENT/);
  });
});

describe('.npz', () => {
  it('reads numpy savez (stored) and savez_compressed (deflate)', () => {
    const s = readNpz(join(FIX, 'stored.npz'));
    expect(Object.keys(s).sort()).toEqual(['a', 'b']);
    expect(Array.from(s.a.data as Float32Array)).toEqual([1.5, -2.25, Math.fround(3.0e-8), Infinity, -0, 65504]);
    expect(s.b.dtype).toBe(DataType.INT64);
    const c = readNpz(join(FIX, 'compressed.npz'));
    expect(Array.from(c.x.data as Uint8Array)).toEqual([0, 1, 127, 128, 255]);
    expect(c.y.dtype).toBe(DataType.BOOL);
  });

  it('round-trips stored and compressed archives', () => {
    const arrays: Record<string, Tensor> = {
      x: { dtype: DataType.FLOAT, dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
      'layer/out:0': { dtype: DataType.INT8, dims: [3], data: Int8Array.from([-1, 0, 1]) },
    };
    for (const compress of [false, true]) {
      const p = join(tmp, `a${compress}.npz`);
      writeNpz(p, arrays, { compress });
      const back = readNpz(p);
      expect(Object.keys(back).sort()).toEqual(Object.keys(arrays).sort());
      for (const k of Object.keys(arrays)) expect(Array.from(readNumbers(back[k]))).toEqual(Array.from(readNumbers(arrays[k])));
    }
    expect(decodeNpz(encodeNpz(arrays)).x.dims).toEqual([2, 2]);
  });

  it('refuses a corrupt archive with the file named', () => {
    expect(() => decodeNpz(new Uint8Array(30), 'z.npz')).toThrow(/z\.npz: not a valid \.npz/);
  });
});
