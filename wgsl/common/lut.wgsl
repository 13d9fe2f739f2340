// Exact step lookup in a per-channel threshold table (the 'lut' method, src/kernels/lut.ts).
//
// The kernel's result is a monotone non-decreasing step function of an exactly comparable integer key
// (an f32 order key from f32_key, or an int32 accumulator). The host stores, per channel, T[j] = the
// smallest key whose result is step j (T[0] = i32 min). The answer is the unique j with
// T[j] <= key < T[j+1] (T[L] = +infinity). We start the walk at any guess and move down while key < T[j],
// then up while key >= T[j+1]: comparisons of integers are exact, so the result does not depend on the
// guess being right. The guess (from native float math, which WGSL lets be inexact) only decides how many
// steps the walk takes: zero in the common case, at most R - 1 in any case.
fn lut_find(base: u32, key: i32, guess: i32) -> u32 {
  let R = u32(lut[base]);
  var j = u32(clamp(guess, 0, i32(R) - 1));
  loop {
    if (j == 0u || key >= lut[base + j]) { break; }
    j = j - 1u;
  }
  loop {
    if (j + 1u >= R || key < lut[base + j + 1u]) { break; }
    j = j + 1u;
  }
  return j;
}
