/**
 * Window geometry shared by Conv, ConvTranspose and the pools, for the interpreter and shape inference
 * alike: auto_pad, explicit pads, strides, dilations and ceil_mode, as the ONNX spec defines them.
 */
import type { Node } from '../ir/graph.ts';

export interface WindowAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** explicit pads [b0, b1, ..., e0, e1, ...] (ignored for SAME_* / VALID) */
  pads: number[];
  autoPad: string;
  ceilMode: boolean;
}

export interface WindowGeometry {
  out: number[];
  padBegin: number[];
  padEnd: number[];
}

function ints(node: Node, name: string): number[] | undefined {
  const a = node.attrs[name];
  if (!a) return undefined;
  if (a.type !== 'ints') throw new Error(`attribute '${name}' must be ints but is ${a.type}`);
  return a.value;
}

/** Reads kernel_shape/strides/dilations/pads/auto_pad/ceil_mode; `kernel` falls back to the weight's spatial dims. */
export function windowAttrs(node: Node, spatialRank: number, kernelFromWeight?: number[]): WindowAttrs {
  const kernel = ints(node, 'kernel_shape') ?? kernelFromWeight;
  if (!kernel) throw new Error('kernel_shape is required');
  if (kernel.length !== spatialRank) throw new Error(`kernel_shape has ${kernel.length} dims but the input has ${spatialRank} spatial dims`);
  const strides = ints(node, 'strides') ?? new Array(spatialRank).fill(1);
  const dilations = ints(node, 'dilations') ?? new Array(spatialRank).fill(1);
  const pads = ints(node, 'pads') ?? new Array(2 * spatialRank).fill(0);
  if (strides.length !== spatialRank) throw new Error(`strides has ${strides.length} values for ${spatialRank} spatial dims`);
  if (dilations.length !== spatialRank) throw new Error(`dilations has ${dilations.length} values for ${spatialRank} spatial dims`);
  if (pads.length !== 2 * spatialRank) throw new Error(`pads has ${pads.length} values for ${spatialRank} spatial dims (needs ${2 * spatialRank})`);
  for (const [name, v, min] of [['kernel_shape', kernel, 1], ['strides', strides, 1], ['dilations', dilations, 1], ['pads', pads, 0]] as const) {
    for (const x of v) if (!Number.isInteger(x) || x < min) throw new Error(`${name} value ${x} is invalid`);
  }
  const ap = node.attrs.auto_pad;
  const autoPad = ap && ap.type === 'string' ? ap.value : 'NOTSET';
  const cm = node.attrs.ceil_mode;
  const ceilMode = !!(cm && cm.type === 'int' && cm.value);
  return { kernel, strides, dilations, pads, autoPad, ceilMode };
}

/** Output spatial dims and effective pads of a Conv/pool window over input spatial dims `inp`. */
export function windowGeometry(inp: readonly number[], w: WindowAttrs): WindowGeometry {
  const r = inp.length;
  const out = new Array<number>(r);
  const padBegin = new Array<number>(r);
  const padEnd = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const ext = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const s = w.strides[i];
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      out[i] = Math.ceil(inp[i] / s);
      const total = Math.max(0, (out[i] - 1) * s + ext - inp[i]);
      const small = Math.floor(total / 2);
      padBegin[i] = w.autoPad === 'SAME_UPPER' ? small : total - small;
      padEnd[i] = total - padBegin[i];
    } else {
      if (w.autoPad === 'VALID') {
        padBegin[i] = 0;
        padEnd[i] = 0;
      } else if (w.autoPad === 'NOTSET' || w.autoPad === '') {
        padBegin[i] = w.pads[i];
        padEnd[i] = w.pads[i + r];
      } else {
        throw new Error(`auto_pad '${w.autoPad}' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER`);
      }
      const span = inp[i] + padBegin[i] + padEnd[i] - ext;
      let o: number;
      if (w.ceilMode) {
        o = Math.ceil(span / s) + 1;
        // the last window must start inside the input or the begin padding
        if ((o - 1) * s >= inp[i] + padBegin[i]) o--;
      } else {
        o = Math.floor(span / s) + 1;
      }
      // with ceil_mode a window may overhang the padded input (it pools over what it covers); a window
      // exactly one element too long gives an empty output (as ONNX VALID padding and onnxruntime do)
      if (o < 0) throw new Error(`the window (extent ${ext}) is larger than the padded input (${inp[i] + padBegin[i] + padEnd[i]}) on spatial axis ${i}`);
      out[i] = o;
    }
  }
  return { out, padBegin, padEnd };
}

export interface ConvTransposeGeometry extends WindowGeometry {
  outputPadding: number[];
}

/** ConvTranspose output dims and pads (output_shape, output_padding, auto_pad per the ONNX spec). */
export function convTransposeGeometry(node: Node, inp: readonly number[], w: WindowAttrs): ConvTransposeGeometry {
  const r = inp.length;
  const outputPadding = ints(node, 'output_padding') ?? new Array(r).fill(0);
  const outputShapeAttr = ints(node, 'output_shape');
  const outputShape = outputShapeAttr && outputShapeAttr.length > r ? outputShapeAttr.slice(-r) : outputShapeAttr;
  const out = new Array<number>(r);
  const padBegin = new Array<number>(r);
  const padEnd = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const ext = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const full = w.strides[i] * (inp[i] - 1) + outputPadding[i] + ext;
    if (outputShape || w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      const target = outputShape ? outputShape[i] : inp[i] * w.strides[i];
      const total = full - target;
      const half = Math.floor(total / 2);
      if (w.autoPad === 'SAME_UPPER') {
        padBegin[i] = half;
        padEnd[i] = total - half;
      } else {
        padBegin[i] = total - half;
        padEnd[i] = half;
      }
      out[i] = target;
    } else {
      padBegin[i] = w.autoPad === 'VALID' ? 0 : w.pads[i];
      padEnd[i] = w.autoPad === 'VALID' ? 0 : w.pads[i + r];
      out[i] = full - padBegin[i] - padEnd[i];
    }
    if (out[i] <= 0) throw new Error(`ConvTranspose output dim ${out[i]} on spatial axis ${i} is not positive`);
  }
  return { out, padBegin, padEnd, outputPadding };
}
