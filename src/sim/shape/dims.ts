/** Dim arithmetic for shape inference: known numbers, symbolic names, unknown (null). */
import type { Dim } from '../ir/graph.ts';
import type { ShapeContext, TypeShape } from './rule.ts';
import { fmtDims } from '../interp/tensor-util.ts';

export const isKnown = (d: Dim): d is number => typeof d === 'number';
export const allKnown = (s: readonly Dim[] | undefined): s is number[] => !!s && s.every(isKnown);

/** Product of dims, or null when any is not a known number. */
export function dimProduct(s: readonly Dim[]): number | null {
  let p = 1;
  for (const d of s) {
    if (!isKnown(d)) return null;
    p *= d;
  }
  return p;
}

/** Product of dims; a lone symbolic dim among 1s is kept as itself; otherwise null when not all known. */
export function dimProductSym(s: readonly Dim[]): Dim {
  const p = dimProduct(s);
  if (p !== null) return p;
  const rest = s.filter((d) => d !== 1);
  return rest.length === 1 ? rest[0] : null;
}

/** Multidirectional broadcast of shapes that may be symbolic; throws when two known dims clash. */
export function broadcastDims(shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let j = 0; j < rank; j++) {
    const col: Dim[] = [];
    for (const s of shapes) {
      const i = j - (rank - s.length);
      if (i >= 0) col.push(s[i]);
    }
    const known = col.filter(isKnown).filter((d) => d !== 1);
    const uniq = [...new Set(known)];
    if (uniq.length > 1) {
      throw new Error(`shapes ${shapes.map((s) => fmtDims(s)).join(' and ')} cannot be broadcast (dim ${uniq[0]} vs ${uniq[1]})`);
    }
    if (uniq.length === 1) out.push(uniq[0]);
    else {
      const others = col.filter((d) => d !== 1);
      if (others.length === 0) out.push(1);
      else if (others.every((d) => typeof d === 'string' && d === others[0])) out.push(others[0]);
      else out.push(null);
    }
  }
  return out;
}

/** The input at `i`, which must be present. */
export function inp(ctx: ShapeContext, i: number, what = `input ${i}`): TypeShape {
  const t = ctx.inputs[i];
  if (!t) throw new Error(`${what} is required but missing`);
  return t;
}

export function normAxisDim(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Same dtype and shape as input i. */
export function sameAs(ctx: ShapeContext, i = 0): TypeShape {
  const t = inp(ctx, i);
  return { dtype: t.dtype, shape: t.shape ? [...t.shape] : undefined };
}
