// Signed 8-bit dot products with the WGSL builtin (language feature packed_4x8_integer_dot_product).
// Kernels see four lanes through `Lanes`: here the packed u32 itself, fed to dot4I8Packed.
// Exact: |result| <= 4 * 128 * 128 = 65536, no overflow.
requires packed_4x8_integer_dot_product;

alias Lanes = u32;
fn lanes(a: u32) -> Lanes { return a; }
fn dot_lanes(a: Lanes, b: Lanes) -> i32 { return dot4I8Packed(a, b); }
fn dot4_i8(a: u32, b: u32) -> i32 { return dot4I8Packed(a, b); }
