import { describe, expect, it } from 'vitest';
import { fakeQuantBackward, fakeQuantForward, fakeQuantLsqGradients } from '../../../src/sim/golden/fake-quant.ts';
import { PYTORCH } from '../../../src/sim/golden/rounding.ts';

const fq = (v: number[]) => Float32Array.from(v);

describe('fake quantization', () => {
  it('STE mask is computed on the rounded value and includes the clip bounds (PyTorch verified)', () => {
    const f = fakeQuantForward(fq([-12.85, 12.75, 12.7, -12.9]), [4], { scale: [Math.fround(0.1)], qmin: -128, qmax: 127 });
    expect(Array.from(f.mask)).toEqual([1, 0, 1, 0]); // -128.5 -> -128 (tie to even) is inside; 127.5 -> 128 is not
    expect(Array.from(fakeQuantBackward(fq([1, 2, 3, 4]), f.mask))).toEqual([1, 0, 3, 0]);
    expect(f.y[0]).toBe(Math.fround(Math.fround(-128) * Math.fround(0.1)));
  });

  it("'input' mask: the unrounded input within [(qmin-zp)s, (qmax-zp)s], inclusive", () => {
    const s = 0.5;
    const f = fakeQuantForward(fq([-64, -64.25, 63.5, 63.75]), [4], { scale: [s], qmin: -128, qmax: 127, mask: 'input' });
    expect(Array.from(f.mask)).toEqual([1, 0, 1, 0]);
  });

  it('LSQ gradients match PyTorch _fake_quantize_learnable_per_tensor_affine (golden-semantics §5.1)', () => {
    const g = fakeQuantLsqGradients(fq([-20, -1.26, 0.34, 5, 20]), [5], fq([1, 1, 1, 1, 1]),
      { scale: [Math.fround(0.1)], zeroPoint: [0], qmin: -128, qmax: 127, variant: { ...PYTORCH, zeroPoint: 'before_round' } });
    expect(Array.from(g.dx)).toEqual([0, 1, 1, 1, 0]);
    expect(g.dScale[0]).toBeCloseTo(-1.8, 5);
    expect(g.dZeroPoint[0]).toBeCloseTo(-0.2, 6);
  });

  it('per channel: each channel uses its own scale and zero point', () => {
    const x = fq([1, 2, 3, 100, 200, 300]);
    const f = fakeQuantForward(x, [2, 3], { scale: [1, 100], zeroPoint: [0, 1], qmin: 0, qmax: 3, axis: 0 });
    expect(Array.from(f.y)).toEqual([1, 2, 3, 100, 200, 200]);
    expect(Array.from(f.mask)).toEqual([1, 1, 1, 1, 1, 0]);
    const g = fakeQuantLsqGradients(x, [2, 3], fq([1, 1, 1, 1, 1, 1]), { scale: [1, 100], zeroPoint: [0, 1], qmin: 0, qmax: 3, axis: 0 });
    expect(Array.from(g.dScale)).toEqual([0, 2]); // channel 1: 300 clipped above -> qmax - zp = 2
    expect(Array.from(g.dZeroPoint)).toEqual([0, -100]);
    expect(() => fakeQuantForward(x, [2, 3], { scale: [1, 1], qmin: 0, qmax: 3 })).toThrow(/need an axis/);
    expect(() => fakeQuantForward(x, [2, 3], { scale: [0], qmin: 0, qmax: 3 })).toThrow(/scale\[0\] is 0/);
  });
});
