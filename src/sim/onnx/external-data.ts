import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync, writeSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep, win32 } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as pb } from 'onnx-proto';
import { int64ToSize } from './proto-int.ts';

const { onnx } = onnxProto;

/** The external_data entries of one tensor (location, offset, length; checksum is not verified). */
export interface ExternalRef {
  location: string;
  offset: number;
  /** undefined: up to the end of the file */
  length?: number;
}

export function parseExternalRef(tp: pb.ITensorProto): ExternalRef {
  const entries = new Map<string, string>();
  for (const e of tp.externalData ?? []) entries.set(e.key ?? '', e.value ?? '');
  const location = entries.get('location');
  if (!location) throw new Error('external data has no location');
  const num = (key: string): number | undefined => {
    const v = entries.get(key);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`external data ${key} '${v}' is not a non-negative integer`);
    return int64ToSize(Number(v), `external data ${key}`);
  };
  return { location, offset: num('offset') ?? 0, length: num('length') };
}

/**
 * A location is accepted only when it names a file inside the model's folder: no absolute path
 * (POSIX or Windows, drive or UNC), no `..` segment, and after resolving symlinks still inside.
 * This is what keeps a hostile model from reading arbitrary files.
 */
export function resolveExternalPath(baseDir: string, location: string): string {
  if (location.includes('\0')) throw new Error(`external data location '${location}' contains a NUL byte`);
  if (isAbsolute(location) || posix.isAbsolute(location) || win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) {
    throw new Error(`external data location '${location}' is absolute; only paths relative to the model's folder are allowed`);
  }
  const segments = location.split(/[\\/]+/);
  if (segments.includes('..')) {
    throw new Error(`external data location '${location}' contains '..'; only paths inside the model's folder are allowed`);
  }
  const full = resolve(baseDir, ...segments.filter((s) => s !== '' && s !== '.'));
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new Error(`external data file '${location}' not found (looked for ${full})`);
  }
  const base = realpathSync(baseDir);
  const rel = relative(base, real);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new Error(`external data location '${location}' resolves outside the model's folder (${real})`);
  }
  if (!statSync(real).isFile()) throw new Error(`external data location '${location}' is not a regular file`);
  return real;
}

/** Reads the bytes a tensor's external reference names, checking offset and length against the file. */
export function readExternalBytes(baseDir: string, ref: ExternalRef): Uint8Array {
  const file = resolveExternalPath(baseDir, ref.location);
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (ref.offset > size) throw new Error(`external data offset ${ref.offset} is past the end of '${ref.location}' (${size} bytes)`);
    const length = ref.length ?? size - ref.offset;
    if (ref.offset + length > size) {
      throw new Error(`external data range [${ref.offset}, ${ref.offset + length}) runs past the end of '${ref.location}' (${size} bytes)`);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, ref.offset + done);
      if (n === 0) throw new Error(`external data file '${ref.location}' ended early`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Appends tensors' raw bytes to one data file and rewrites each proto to point at its range. */
export class ExternalDataWriter {
  private fd: number;
  private offset = 0;

  constructor(readonly baseDir: string, readonly location: string) {
    if (isAbsolute(location) || win32.isAbsolute(location) || location.split(/[\\/]+/).includes('..')) {
      throw new Error(`external data file '${location}' must be a plain path relative to the model's folder`);
    }
    this.fd = openSync(join(baseDir, location), 'w');
  }

  /** Moves `tp.rawData` into the file (offsets aligned to 64 bytes so readers can map them). */
  move(tp: pb.ITensorProto): void {
    const raw = tp.rawData;
    if (!raw) throw new Error(`tensor '${tp.name}' has no raw data to move to external storage`);
    const pad = (64 - (this.offset % 64)) % 64;
    if (pad) {
      writeSync(this.fd, new Uint8Array(pad));
      this.offset += pad;
    }
    let done = 0;
    while (done < raw.length) done += writeSync(this.fd, raw, done, raw.length - done);
    tp.externalData = [
      { key: 'location', value: this.location },
      { key: 'offset', value: String(this.offset) },
      { key: 'length', value: String(raw.length) },
    ];
    tp.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    delete tp.rawData;
    this.offset += raw.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}
