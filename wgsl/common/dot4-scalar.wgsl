// Signed 8-bit dot product of 4 packed lanes with plain i32 arithmetic, for devices without the
// packed_4x8_integer_dot_product language feature. Bit-identical to dot4I8Packed: each lane is
// sign-extended by an arithmetic shift, products are at most 2^14, the sum at most 2^16.
fn dot4_i8(a: u32, b: u32) -> i32 {
  let ai = bitcast<i32>(a); let bi = bitcast<i32>(b);
  return ((ai << 24u) >> 24u) * ((bi << 24u) >> 24u)
       + ((ai << 16u) >> 24u) * ((bi << 16u) >> 24u)
       + ((ai << 8u) >> 24u) * ((bi << 8u) >> 24u)
       + (ai >> 24u) * (bi >> 24u);
}
