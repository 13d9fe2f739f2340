/**
 * Tensor names as file names — one rule for every place that writes or finds `<name>.npy`
 * (`qdqsim run --output-dir`, artifact folders, calibration folders, trtexec debug tensors):
 * [A-Za-z0-9._-] kept, anything else '_'; never '.', '..' or empty.
 */
export function fileSafeName(name: string): string {
  let s = name.replace(/[^A-Za-z0-9._-]/g, '_');
  if (s === '' || /^\.+$/.test(s)) s = s.replace(/\./g, '_') || '_';
  return s;
}

/** File-safe names for a list of value names, made unique (case-insensitively) with `_1`, `_2`, ... */
export function fileSafeNames(names: string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const n of names) {
    const base = fileSafeName(n);
    let s = base;
    for (let k = 1; used.has(s.toLowerCase()); k++) s = `${base}_${k}`;
    used.add(s.toLowerCase());
    out.set(n, s);
  }
  return out;
}
