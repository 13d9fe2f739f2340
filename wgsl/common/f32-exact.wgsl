// Exact IEEE-754 binary32 arithmetic on bit patterns, using only u32/i32 operations.
//
// Why: WGSL promises little about f32 (golden-semantics.md §7.1): `*` and `+` are only faithful (either
// neighbour of the exact result), `/` is 2.5 ULP, `fma` may be unfused, subnormals may be flushed and
// NaN/Inf may be assumed away. Integer operations are exact (two's complement, wrap modulo 2^32). So every
// function here takes and returns f32 BIT PATTERNS held in u32 and never performs a float operation; the
// results are the round-to-nearest-even results of IEEE-754 on any conforming device. Subnormal inputs
// and outputs are kept; NaN results are the canonical quiet NaN 0x7fc00000.

const F32_QNAN: u32 = 0x7fc00000u;
const F32_INF: u32 = 0x7f800000u;
const F32_SIGN: u32 = 0x80000000u;

fn f32_is_nan(b: u32) -> bool { return (b & 0x7fffffffu) > F32_INF; }

// A total-order key for non-NaN bit patterns: key(a) < key(b) iff a < b as reals, key(-0) = key(+0) = 0,
// key(+-Inf) = +-0x7f800000. Comparisons of keys are exact integer comparisons.
fn f32_key(b: u32) -> i32 {
  let m = i32(b & 0x7fffffffu);
  return select(m, -m, (b >> 31u) != 0u);
}

// sign | round_half_even(p * 2^e2) as binary32, for p > 0 (p == 0 gives a signed zero). Handles subnormal
// results and overflow to Inf. Exact because every step is a shift, mask, compare or small integer add.
fn f32_round_scaled(sign: u32, p: u32, e2: i32) -> u32 {
  if (p == 0u) { return sign; }
  let msb = 31 - i32(countLeadingZeros(p));
  let be = msb + e2 + 127;                  // biased exponent of the result if it is normal
  if (be >= 255) { return sign | F32_INF; } // rounding never lowers the exponent
  var sh: i32;                              // right shift that leaves the 24-bit (or subnormal) significand
  if (be >= 1) { sh = msb - 23; } else { sh = -149 - e2; }
  var m: u32;
  if (sh <= 0) {
    m = p << u32(-sh);                      // exact (the significand has at most 24 bits)
  } else if (sh >= 33) {
    m = 0u;                                 // below half of the smallest subnormal
  } else if (sh == 32) {
    m = select(0u, 1u, p > 0x80000000u);    // half of 2^-149 exactly is a tie to even (0)
  } else {
    m = p >> u32(sh);
    let rem = p & ((1u << u32(sh)) - 1u);
    let half = 1u << u32(sh - 1);
    if (rem > half || (rem == half && (m & 1u) == 1u)) { m = m + 1u; }
  }
  if (be >= 1) {
    // m is in [2^23, 2^24]; a rounding carry to 2^24 moves into the exponent field through the add
    let bits = (u32(be - 1) << 23u) + m;
    if (bits >= F32_INF) { return sign | F32_INF; }
    return sign | bits;
  }
  return sign | m;                          // subnormal (m == 2^23 encodes the smallest normal)
}

// Same for the 64-bit value (hi * 2^32 + lo) * 2^e2. The bits that do not fit 32 are folded into a sticky
// bit: the value then has 32 significant bits and rounding drops at least 8 of them, so a sticky bit in
// bit 0 decides "above the half" exactly as the dropped bits would.
fn f32_round_scaled64(sign: u32, hi: u32, lo: u32, e2: i32) -> u32 {
  if (hi == 0u) { return f32_round_scaled(sign, lo, e2); }
  let s = 32u - countLeadingZeros(hi);      // in [1, 32]
  var p: u32;
  var dropped: u32;
  if (s == 32u) { p = hi; dropped = lo; } else { p = (hi << (32u - s)) | (lo >> s); dropped = lo & ((1u << s) - 1u); }
  p = p | select(0u, 1u, dropped != 0u);
  return f32_round_scaled(sign, p, e2 + i32(s));
}

// Full 64-bit product of two u32 as (hi, lo), from 16-bit limbs; every partial sum fits 32 bits.
fn mul_u32_wide(a: u32, b: u32) -> vec2u {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let ll = al * bl; let lh = al * bh; let hl = ah * bl; let hh = ah * bh;
  let mid = lh + (ll >> 16u) + (hl & 0xffffu);
  return vec2u(hh + (hl >> 16u) + (mid >> 16u), (mid << 16u) | (ll & 0xffffu));
}

// Significand (with the implicit bit) and the exponent of its last bit: |x| = sig * 2^exp2.
fn f32_sig(b: u32) -> u32 { let e = (b >> 23u) & 0xffu; return select((b & 0x7fffffu) | 0x800000u, b & 0x7fffffu, e == 0u); }
fn f32_exp2(b: u32) -> i32 { return max(i32((b >> 23u) & 0xffu), 1) - 150; }

// a * b, binary32, round half to even.
fn f32_mul(a: u32, b: u32) -> u32 {
  let sign = (a ^ b) & F32_SIGN;
  if (f32_is_nan(a) || f32_is_nan(b)) { return F32_QNAN; }
  let az = (a & 0x7fffffffu) == 0u; let bz = (b & 0x7fffffffu) == 0u;
  if ((a & 0x7fffffffu) == F32_INF || (b & 0x7fffffffu) == F32_INF) {
    if (az || bz) { return F32_QNAN; }
    return sign | F32_INF;
  }
  if (az || bz) { return sign; }
  let w = mul_u32_wide(f32_sig(a), f32_sig(b));
  return f32_round_scaled64(sign, w.x, w.y, f32_exp2(a) + f32_exp2(b));
}

// a / b, binary32, round half to even (golden-semantics.md §7.4: 26-step restoring division of the
// significands, sticky bit from the remainder). Matched Math.fround(a / b) on 2.1 M pairs under Dawn.
fn f32_div(a: u32, b: u32) -> u32 {
  let sign = (a ^ b) & F32_SIGN;
  var ea = i32((a >> 23u) & 0xFFu);  var eb = i32((b >> 23u) & 0xFFu);
  var ma = a & 0x7FFFFFu;            var mb = b & 0x7FFFFFu;
  let a_nan = ea == 255 && ma != 0u;  let b_nan = eb == 255 && mb != 0u;
  let a_inf = ea == 255 && ma == 0u;  let b_inf = eb == 255 && mb == 0u;
  let a_zero = ea == 0 && ma == 0u;   let b_zero = eb == 0 && mb == 0u;
  if (a_nan || b_nan || (a_zero && b_zero) || (a_inf && b_inf)) { return F32_QNAN; }
  if (a_inf || b_zero) { return sign | F32_INF; }
  if (a_zero || b_inf) { return sign; }
  if (ea == 0) { let s = i32(countLeadingZeros(ma)) - 8; ma = ma << u32(s); ea = 1 - s; } else { ma = ma | 0x800000u; }
  if (eb == 0) { let s = i32(countLeadingZeros(mb)) - 8; mb = mb << u32(s); eb = 1 - s; } else { mb = mb | 0x800000u; }
  var e = ea - eb + 127;
  if (ma < mb) { ma = ma << 1u; e = e - 1; }        // quotient now in [1, 2)
  var r = ma; var q = 0u;
  for (var i = 0; i < 26; i++) {                     // 1 integer + 25 fraction bits; r < 2^25
    q = q << 1u;
    if (r >= mb) { r = r - mb; q = q | 1u; }
    r = r << 1u;
  }
  // q holds 26 quotient bits (value q * 2^-25 in [1,2)); the remainder is a sticky bit below them
  let p = (q << 1u) | select(0u, 1u, r != 0u);
  return f32_round_scaled(sign, p, e - 127 - 26);
}

// a + b, binary32, round half to even. The smaller operand is aligned to the larger one's exponent with
// 3 extra guard bits plus a sticky bit (the classic guard/round/sticky argument: with the significands in
// [2^26, 2^27) after the extra bits, one sticky bit below the round bit decides ties exactly).
fn f32_add(a: u32, b: u32) -> u32 {
  if (f32_is_nan(a) || f32_is_nan(b)) { return F32_QNAN; }
  let ai = (a & 0x7fffffffu) == F32_INF; let bi = (b & 0x7fffffffu) == F32_INF;
  if (ai && bi) { return select(F32_QNAN, a, a == b); }
  if (ai) { return a; }
  if (bi) { return b; }
  if ((a & 0x7fffffffu) == 0u && (b & 0x7fffffffu) == 0u) { return a & b; } // -0 + -0 = -0, else +0
  if ((a & 0x7fffffffu) == 0u) { return b; }
  if ((b & 0x7fffffffu) == 0u) { return a; }
  // order by magnitude: |x| >= |y|
  var x = a; var y = b;
  if ((b & 0x7fffffffu) > (a & 0x7fffffffu)) { x = b; y = a; }
  let ex = f32_exp2(x); let ey = f32_exp2(y);
  let mx = f32_sig(x) << 3u;                // < 2^27
  var my = f32_sig(y) << 3u;
  let d = u32(ex - ey);
  if (d >= 27u) { my = 1u; }                // entirely sticky (nonzero, below every kept bit)
  else if (d > 0u) { let lost = my & ((1u << d) - 1u); my = (my >> d) | select(0u, 1u, lost != 0u); }
  let sx = x & F32_SIGN;
  if ((x ^ y) & F32_SIGN) == 0u {
    return f32_round_scaled(sx, mx + my, ex - 3);
  }
  let diff = mx - my;
  if (diff == 0u) { return 0u; }            // exact cancellation gives +0 in round-to-nearest
  return f32_round_scaled(sx, diff, ex - 3);
}

// round_half_even(v) as an integer, saturated to +-2^30 (which covers +-Inf); NaN is the caller's business.
fn f32_rne_int(b: u32) -> i32 {
  let mag = b & 0x7fffffffu;
  let e = i32(mag >> 23u);
  var r: u32;
  if (e >= 157) { r = 0x40000000u; }               // |v| >= 2^30
  else if (e < 126) { r = 0u; }                    // |v| < 0.5
  else {
    let m = (mag & 0x7fffffu) | 0x800000u;         // |v| = m * 2^(e - 150), e in [126, 156]
    let sh = 150 - e;
    if (sh <= 0) { r = m << u32(-sh); }
    else {
      r = m >> u32(sh);
      let rem = m & ((1u << u32(sh)) - 1u);
      let half = 1u << u32(sh - 1);
      if (rem > half || (rem == half && (r & 1u) == 1u)) { r = r + 1u; }
    }
  }
  return select(i32(r), -i32(r), (b >> 31u) != 0u);
}

// f32(v) rounded half to even (WGSL's own f32(i32) may round either way above 2^24, §7.1).
fn i32_to_f32(v: i32) -> u32 {
  let neg = v < 0;
  let mag = select(bitcast<u32>(v), 0u - bitcast<u32>(v), neg);
  return f32_round_scaled(select(0u, F32_SIGN, neg), mag, 0);
}
