/**
 * JSON as trtexec writes it. trtexec prints floats with `std::ostream <<`, so a NaN or infinite
 * output value appears as a bare `nan`, `-nan`, `inf` or `-inf` token, which strict JSON rejects.
 * This reader turns those tokens (outside strings) into string sentinels before JSON.parse and
 * `relaxedNumber` turns them back into numbers.
 */

const SENTINEL = '\u0000qdqsim:';

export function parseRelaxedJson(text: string, what: string): unknown {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      // copy a string literal verbatim, honouring escapes
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^(-?)(nan|inf(?:inity)?)(?![A-Za-z0-9_])/i.exec(text.slice(i, i + 12));
    const prevWord = i > 0 && /[A-Za-z0-9_.]/.test(text[i - 1]);
    if (m && !prevWord) {
      const neg = m[1] === '-';
      const isNan = m[2].toLowerCase() === 'nan';
      out += JSON.stringify(SENTINEL + (isNan ? 'nan' : neg ? '-inf' : 'inf'));
      i += m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  try {
    return JSON.parse(out);
  } catch (e) {
    throw new Error(`${what}: not valid JSON (${(e as Error).message})`);
  }
}

/** A number from parseRelaxedJson's output: plain numbers, or the nan/inf sentinels. */
export function relaxedNumber(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.startsWith(SENTINEL)) {
    const t = v.slice(SENTINEL.length);
    return t === 'nan' ? NaN : t === 'inf' ? Infinity : -Infinity;
  }
  throw new Error(`${where}: expected a number, found ${JSON.stringify(v)}`);
}
