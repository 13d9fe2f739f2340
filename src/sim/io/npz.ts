/**
 * numpy .npz (numpy.savez / savez_compressed): a zip archive of `<name>.npy` members, stored or
 * deflated. Reading accepts both; writing stores (as numpy.savez) unless `compress` is set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { Tensor } from '../tensor.ts';
import { NpyError, decodeNpy, encodeNpy } from './npy.ts';

export function encodeNpz(arrays: Record<string, Tensor>, opts: { compress?: boolean } = {}): Uint8Array {
  const files: Zippable = {};
  for (const [name, t] of Object.entries(arrays)) {
    files[`${name}.npy`] = [encodeNpy(t), { level: opts.compress ? 6 : 0 }];
  }
  return zipSync(files, { mtime: new Date('1980-01-01T00:00:00Z') });
}

/** Members of an .npz as tensors keyed by name (the `.npy` suffix removed). */
export function decodeNpz(bytes: Uint8Array, where?: string): Record<string, Tensor> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new NpyError(`not a valid .npz (zip) archive: ${(e as Error).message}`, where);
  }
  const out: Record<string, Tensor> = {};
  for (const [member, data] of Object.entries(files)) {
    if (member.endsWith('/')) continue;
    const name = member.endsWith('.npy') ? member.slice(0, -4) : member;
    out[name] = decodeNpy(data, where ? `${where}[${member}]` : member);
  }
  return out;
}

export function readNpz(path: string): Record<string, Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new NpyError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
  return decodeNpz(bytes, path);
}

export function writeNpz(path: string, arrays: Record<string, Tensor>, opts: { compress?: boolean } = {}): void {
  writeFileSync(path, encodeNpz(arrays, opts));
}
