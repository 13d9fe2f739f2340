// float8 encode / decode on bit patterns (the golden dtype.ts encodeMiniFloat / decodeMiniFloat for the
// four float8 formats, golden-semantics.md §2.4): one round-half-even from float32, carries flowing into
// the exponent, saturation or Inf/NaN on overflow per the ONNX Cast rules. Integer operations only.
// The format comes from override constants set by the host (src/kernels/float8.ts).
override F8_E: u32 = 4u;
override F8_M: u32 = 3u;
override F8_BIAS: i32 = 7;
override F8_MAX_CODE: u32 = 0x7eu;
override F8_INF_CODE: u32 = 0xffffu;   // 0xffff: the format has no infinity
override F8_NAN_CODE: u32 = 0x7fu;
override F8_FNUZ: bool = false;
override F8_IEEE: bool = false;         // Inf and NaN by exponent pattern (e5m2)
override F8_SATURATE: bool = true;

fn f8_encode(bits: u32) -> u32 {
  let a = bits & 0x7fffffffu;
  let sign = bits >> 31u;
  let S = sign << (F8_E + F8_M);
  let over = select(select(F8_NAN_CODE, F8_INF_CODE, F8_INF_CODE != 0xffffu), F8_MAX_CODE, F8_SATURATE);
  if (a > 0x7f800000u) {
    if (F8_FNUZ) { return 0x80u; }
    return F8_NAN_CODE | S;
  }
  if (a == 0x7f800000u) {
    if (F8_FNUZ && !F8_SATURATE) { return 0x80u; }
    return over | S;
  }
  let e = a >> 23u;
  let mant = select(a & 0x7fffffu, (a & 0x7fffffu) | 0x800000u, e != 0u);
  let ex = select(-126, i32(e) - 127, e != 0u);
  let s = u32(min(25, 23 - i32(F8_M) + max(0, 1 - F8_BIAS - ex)));
  let r = (mant + ((mant >> s) & 1u) + (1u << (s - 1u)) - 1u) >> s;
  var code = r;
  if (e != 0u) { code = r + (u32(max(0, ex + F8_BIAS - 1)) << F8_M); }
  if (code > F8_MAX_CODE) {
    if (F8_FNUZ && !F8_SATURATE) { return 0x80u; }
    return over | S;
  }
  if (F8_FNUZ && code == 0u) { return 0u; }
  return code | S;
}

// The f32 bits of a float8 code (exact: every float8 value is a float32 value).
fn f8_decode(code: u32) -> u32 {
  let sh = F8_E + F8_M;
  let sign = ((code >> sh) & 1u) << 31u;
  let mag = code & ((1u << sh) - 1u);
  if (F8_FNUZ) {
    if (code == (1u << sh)) { return F32_QNAN; }
  } else {
    if (F8_IEEE) {
      if ((mag >> F8_M) == (1u << F8_E) - 1u) {
        if ((mag & ((1u << F8_M) - 1u)) == 0u) { return sign | F32_INF; }
        return F32_QNAN;
      }
    } else if (mag == F8_NAN_CODE) { return F32_QNAN; }
  }
  let e = mag >> F8_M;
  let m = mag & ((1u << F8_M) - 1u);
  if (e == 0u) { return f32_round_scaled(sign, m, 1 - F8_BIAS - i32(F8_M)); }
  return f32_round_scaled(sign, m | (1u << F8_M), i32(e) - F8_BIAS - i32(F8_M));
}
