// SPDX-License-Identifier: Apache-2.0
/**
 * The dispatch shape of the element-wise kernels that walk vec4 words (wgsl/common/word-walk.wgsl, used by
 * fake-quant.wgsl and its benchmark twin fake-quant-native.wgsl): WG invocations per workgroup, UNROLL words per invocation, and
 * LANES, the order of the walk (see word-walk.wgsl). Only speed depends on it, never a result.
 *
 * Why two shapes: a GPU wants many short invocations whose neighbours touch neighbouring words (coalesced
 * loads, enough warps to hide latency). A CPU backend (lavapipe) runs 8 invocations as one AVX2 vector,
 * loads each lane's word separately, and pays per workgroup; there long invocations in small workgroups,
 * each group of 8 streaming one contiguous run, were measured 1.3-1.8x faster on a plain copy than the GPU
 * shape (bench/kernels.ts prints both shapes' copy ceilings).
 */
import { type GpuContext, isCpuAdapter } from './device.ts';

export interface ElementwiseShape {
  /** Invocations per workgroup (WGSL override WG). */
  readonly wg: number;
  /** vec4 words per invocation (override UNROLL). */
  readonly unroll: number;
  /** 0: word k of invocation i is k * WG + i; L: groups of L invocations sweep L * UNROLL words (override LANES). */
  readonly lanes: number;
}

export const GPU_SHAPE: ElementwiseShape = { wg: 256, unroll: 4, lanes: 0 };
export const CPU_SHAPE: ElementwiseShape = { wg: 64, unroll: 64, lanes: 8 };

export function elementwiseShape(ctx: GpuContext): ElementwiseShape {
  return isCpuAdapter(ctx.summary) ? CPU_SHAPE : GPU_SHAPE;
}

/** The shape's override constants. */
export function shapeOverrides(s: ElementwiseShape): Record<string, number> {
  return { WG: s.wg, UNROLL: s.unroll, LANES: s.lanes };
}

/** vec4 words one workgroup covers. */
export function wordsPerWorkgroup(s: ElementwiseShape): number { return s.wg * s.unroll; }
