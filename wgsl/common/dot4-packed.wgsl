// Signed 8-bit dot product of 4 packed lanes with the WGSL builtin (language feature
// packed_4x8_integer_dot_product). Exact: |result| <= 4 * 128 * 128 = 65536, no overflow.
requires packed_4x8_integer_dot_product;

fn dot4_i8(a: u32, b: u32) -> i32 { return dot4I8Packed(a, b); }
