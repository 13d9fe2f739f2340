/** The `qdqsim/testing` entry point, used exactly as docs/golden.md shows another project using it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataType, GOLDEN_VECTOR_FILES, arb, assertBitExact, hexToF32, loadGoldenVectors, onnxOps, oracle } from 'qdqsim/testing';

// --- the example from docs/golden.md: a kernel under test -------------------------------------
function myQuantizeInt8(x: Float32Array, s: number, zp: number): Int8Array {
  const y = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.fround(x[i] / s);
    if (Number.isNaN(v)) { y[i] = -128; continue; }
    let r = Math.round(v);
    if (r - v === 0.5 && r % 2 !== 0) r -= 1; // Math.round rounds ties up; make it half-to-even
    y[i] = Math.min(127, Math.max(-128, r + zp));
  }
  return y;
}

describe('qdqsim/testing', () => {
  it('example: a kernel checked bit-exactly against the oracle with the arbitraries', () => {
    fc.assert(fc.property(fc.array(arb.float32({ specials: true }), { minLength: 1, maxLength: 50 }), arb.scale(), arb.zeroPoint(DataType.INT8),
      (xs, s, zp) => {
        const x = arb.tensorOf(DataType.FLOAT, [xs.length], xs);
        const want = oracle.quantizeTensor(x, arb.tensorOf(DataType.FLOAT, [], [s]), arb.tensorOf(DataType.INT8, [], [zp]), { outputDtype: DataType.INT8 });
        const got = arb.tensorOf(DataType.INT8, [xs.length], myQuantizeInt8(x.data as Float32Array, s, zp));
        assertBitExact(got, want, 'myQuantizeInt8');
      }), { seed: 42, numRuns: 300 });
  });

  it('the example kernel also replays the committed tie vectors', () => {
    const v = loadGoldenVectors('quantize.json');
    for (const c of v.cases as { x_bits: string; scale_bits: string; zero_point: number; dtype: string; expected: { spec: number } }[]) {
      if (c.dtype !== 'INT8') continue;
      const y = myQuantizeInt8(Float32Array.of(hexToF32(c.x_bits)), hexToF32(c.scale_bits), c.zero_point);
      expect(y[0]).toBe(c.expected.spec);
    }
  });

  it('assertBitExact reports the first differing element', () => {
    const a = arb.tensorOf(DataType.FLOAT, [3], [1, 2, 3]);
    const b = arb.tensorOf(DataType.FLOAT, [3], [1, 2, 4]);
    expect(() => assertBitExact(a, b, 'k')).toThrow(/k: 1\/3 elements differ; first at flat index 2: got 3, expected 4/);
    expect(() => assertBitExact(arb.tensorOf(DataType.FLOAT, [1], [0]), arb.tensorOf(DataType.FLOAT, [1], [-0]))).toThrow(/differ/);
  });

  it('quantParams produces valid parameter sets for every granularity', () => {
    fc.assert(fc.property(arb.quantParams(), (c) => {
      const y = onnxOps.quantizeLinear(c.x, c.scale, c.zeroPoint, { axis: c.axis, blockSize: c.blockSize });
      expect(y.dtype).toBe(c.outputDtype);
      expect(y.dims).toEqual(c.x.dims);
    }), { seed: 7, numRuns: 200 });
  });

  it('lists every golden-vector file', () => {
    for (const f of GOLDEN_VECTOR_FILES) expect(loadGoldenVectors(f).schema).toBe('qdqsim.golden-vectors/1');
  });
});
