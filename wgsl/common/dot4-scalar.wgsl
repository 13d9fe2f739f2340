// Signed 8-bit dot products with plain i32 arithmetic, for devices without the
// packed_4x8_integer_dot_product language feature. `Lanes` is the sign-extended vec4i, unpacked once
// per loaded word (arithmetic shifts), so a dot product is one i32 `dot`. Bit-identical to
// dot4I8Packed: products are at most 2^14 in magnitude, the sum at most 2^16.
alias Lanes = vec4i;
fn lanes(a: u32) -> Lanes {
  let ai = bitcast<i32>(a);
  return vec4i((ai << 24u) >> 24u, (ai << 16u) >> 24u, (ai << 8u) >> 24u, ai >> 24u);
}
fn dot_lanes(a: Lanes, b: Lanes) -> i32 { return dot(a, b); }
fn dot4_i8(a: u32, b: u32) -> i32 { return dot(lanes(a), lanes(b)); }
