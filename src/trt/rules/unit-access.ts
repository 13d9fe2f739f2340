/** Typed access to the fused unit a rule matched, and small shared edits. */
import type { ConvUnit, QWeightUnit } from '../fused-unit.ts';
import type { Net, SimNode } from '../net.ts';

export function conv(n: SimNode): ConvUnit {
  if (n.unit?.kind !== 'conv') throw new Error(`internal: '${n.name}' is not a convolution unit`);
  return n.unit;
}

export function qweight(n: SimNode): QWeightUnit {
  if (n.unit?.kind !== 'qweight') throw new Error(`internal: '${n.name}' is not a quantized weight`);
  return n.unit;
}

export function isConvUnit(n: SimNode | undefined): n is SimNode & { unit: ConvUnit } {
  return n !== undefined && n.unit?.kind === 'conv';
}

/** The ONNX node behind a SimNode that has not been fused yet. */
export function onnxOf(n: SimNode) {
  if (!n.onnx) throw new Error(`internal: '${n.name}' (${n.op}) has no ONNX node`);
  return n.onnx;
}

/**
 * `node` takes over the output tensor of `tail` (the last node it absorbed), so downstream readers and
 * graph outputs keep their names; `tail` is removed.
 */
export function takeOutput(net: Net, node: SimNode, tail: SimNode): void {
  const out = tail.outputs[0];
  net.remove(tail);
  net.setOutput(node, 0, out);
}

/** Removes a node when nothing reads any of its outputs any more. */
export function removeIfDead(net: Net, n: SimNode | undefined): void {
  if (!n || !net.alive(n)) return;
  if (n.outputs.every((o) => net.consumers(o).length === 0 && !net.graphOutputs.has(o))) net.remove(n);
}
