/**
 * `std::ostream << float` with default flags (precision 6, neither fixed nor scientific), i.e. C's
 * `%g`: 6 significant digits, trailing zeros removed, scientific when the exponent is < -4 or >= 6,
 * exponent with a sign and at least two digits; `nan`/`-nan`, `inf`/`-inf`. This is how trtexec
 * writes `--exportOutput` values and `--exportProfile` times.
 */
export function formatCppFloat(v: number, precision = 6): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = Number(v.toExponential(precision - 1).split('e')[1]);
  if (exp < -4 || exp >= precision) {
    const [mant, e] = v.toExponential(precision - 1).split('e');
    const en = Number(e);
    const digits = String(Math.abs(en)).padStart(2, '0');
    return `${stripZeros(mant)}e${en < 0 ? '-' : '+'}${digits}`;
  }
  return stripZeros(v.toFixed(Math.max(0, precision - 1 - exp)));
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/\.?0+$/, '');
}
