// SPDX-License-Identifier: Apache-2.0
/**
 * The typed description every kernel host file builds before a dispatch.
 *
 * Glossary:
 * - stem: `wgsl/<stem>.wgsl`, the same stem as the host file `src/kernels/<stem>.ts`.
 * - includes: choices for `#include <alias>` lines (e.g. `dot4` -> the packed or the scalar dot product).
 * - overrides: WGSL `override` constants (compile-time, part of the pipeline key: workgroup size,
 *   method, dtype range). Everything that changes per call (sizes, scales, zero points) goes in a
 *   uniform or storage buffer instead, so the pipeline cache stays small.
 */
/** How the kernel uses binding i of group 0. */
export type BindingKind = 'uniform' | 'read' | 'read_write';

export interface KernelDesc {
  readonly stem: string;
  /** Binding kinds in binding order; the pipeline layout is built from these (not 'auto'). */
  readonly bindings: readonly BindingKind[];
  readonly entryPoint?: string;
  readonly includes?: Readonly<Record<string, string>>;
  readonly overrides?: Readonly<Record<string, number>>;
}

/** How a kernel may compute an exact result. */
export type ExactMethod =
  /** All f32 arithmetic emulated with u32/i32 operations (wgsl/common/f32-exact.wgsl). */
  | 'integer'
  /**
   * Per-channel threshold tables: the result is a monotone step function of the input, so the kernel
   * finds the step by exact integer comparisons against thresholds computed on the host with the
   * reference arithmetic (`lut.ts`). Supports every named variant, including float64 ones.
   */
  | 'lut';

/** The integer dot-product implementation: the `dot4I8Packed` builtin or byte unpacking with i32 math. */
export type Dot4Path = 'packed' | 'scalar';

export function dot4Include(path: Dot4Path): Record<string, string> {
  return { dot4: `common/dot4-${path}.wgsl` };
}
