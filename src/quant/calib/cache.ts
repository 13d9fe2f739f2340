/**
 * TensorRT calibration cache (text): a header `TRT-<version>-<Algorithm>` (e.g. `TRT-8601-EntropyCalibration2`)
 * then one `tensor_name: <hex>` line per tensor, the hex being the big-endian bits of the float32 *scale*
 * (amax / 127) — what TensorRT writes and ONNX Runtime's TensorRT EP reads back (`ReadDynamicRange`).
 * And a JSON amax table: {"format": "qdqsim-amax", "version": 1, "method": ..., "amax": {tensor: amax}}.
 */
import { bitsToF32, f32ToBits } from '../../sim/golden/dtype.ts';
import { INT8_MAX_BOUND } from '../insert.ts';
import { QuantError } from '../quant-error.ts';

export const DEFAULT_CACHE_HEADER = 'TRT-8601-EntropyCalibration2';

export interface CalibrationCache {
  header: string;
  /** tensor -> float32 scale */
  scales: Map<string, number>;
}

export function scaleToHex(scale: number): string {
  return f32ToBits(scale).toString(16).padStart(8, '0');
}

export function hexToScale(hex: string): number {
  return bitsToF32(parseInt(hex, 16));
}

/** amax -> scale as written in the cache (float32 amax / 127). */
export function cacheScale(amax: number): number {
  return Math.fround(amax / INT8_MAX_BOUND);
}

export function formatCalibrationCache(amax: ReadonlyMap<string, number>, header = DEFAULT_CACHE_HEADER): string {
  if (!/^TRT-\d+-\w+$/.test(header)) throw new QuantError(`calibration cache header "${header}" is not of the form TRT-<version>-<Algorithm>`);
  const lines = [header];
  for (const [t, a] of amax) {
    if (t.includes('\n')) throw new QuantError(`tensor name ${JSON.stringify(t)} cannot be written to a calibration cache`);
    lines.push(`${t}: ${scaleToHex(cacheScale(a))}`);
  }
  return lines.join('\n') + '\n';
}

export function parseCalibrationCache(text: string, file = 'calibration cache'): CalibrationCache {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim();
  if (!/^TRT-\d+-\w+$/.test(header)) throw new QuantError(`${file}: line 1 "${header.slice(0, 60)}" is not a TensorRT calibration cache header (TRT-<version>-<Algorithm>)`);
  const scales = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const cut = line.lastIndexOf(':');
    const hex = line.slice(cut + 1).trim();
    if (cut <= 0 || !/^[0-9a-fA-F]{1,8}$/.test(hex)) throw new QuantError(`${file}: line ${i + 1} "${line.slice(0, 80)}" is not "<tensor>: <hex float32>"`);
    const s = hexToScale(hex);
    if (!(s > 0) || !Number.isFinite(s)) throw new QuantError(`${file}: line ${i + 1}: scale ${s} for tensor "${line.slice(0, cut)}" is not positive and finite`);
    scales.set(line.slice(0, cut), s);
  }
  return { header, scales };
}

export interface AmaxTable {
  format: 'qdqsim-amax';
  version: 1;
  method?: string;
  numBits: 8;
  amax: Record<string, number>;
}

export function formatAmaxTable(amax: ReadonlyMap<string, number>, method?: string): string {
  const t: AmaxTable = { format: 'qdqsim-amax', version: 1, method, numBits: 8, amax: Object.fromEntries(amax) };
  return JSON.stringify(t, null, 2) + '\n';
}

export function parseAmaxTable(text: string, file = 'amax table'): Map<string, number> {
  let j: unknown;
  try { j = JSON.parse(text); } catch (e) { throw new QuantError(`${file}: not JSON: ${(e as Error).message}`); }
  const amax = (j as { amax?: unknown })?.amax;
  if (!amax || typeof amax !== 'object' || Array.isArray(amax)) throw new QuantError(`${file}: expected {"amax": {tensor: number}}`);
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(amax as Record<string, unknown>)) {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new QuantError(`${file}: amax of tensor "${k}" is ${JSON.stringify(v)}; expected a finite number >= 0`);
    out.set(k, v);
  }
  return out;
}
