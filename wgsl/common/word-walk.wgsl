// The walk of the element-wise kernels over vec4 words, in the dispatch shape the host chose
// (src/kernels/elementwise-shape.ts): WG invocations per workgroup, UNROLL words per invocation, and
// LANES = 0: word k of invocation i is k * WG + i (a GPU's consecutive lanes touch consecutive words);
// LANES = L > 0: groups of L consecutive invocations sweep one contiguous run of L * UNROLL words, L at a
// time (a CPU SIMD backend such as lavapipe runs L invocations as one vector, so each group streams).
// Only speed depends on the shape; every word is visited exactly once either way.
override WG: u32 = 256u;
override UNROLL: u32 = 4u;
override LANES: u32 = 0u;

// Word k of this invocation is first + k * stride (k < UNROLL).
struct WordWalk { first: u32, stride: u32 }

fn word_walk(wid: vec3u, lid: u32, nwg: vec3u) -> WordWalk {
  let base = (wid.x + wid.y * nwg.x) * WG * UNROLL;
  if (LANES == 0u) { return WordWalk(base + lid, WG); }
  let L = max(LANES, 1u);   // max: the division is compiled even when LANES is 0
  return WordWalk(base + (lid / L) * L * UNROLL + lid % L, L);
}
