// SPDX-License-Identifier: Apache-2.0
/**
 * Loads `wgsl/<stem>.wgsl` and resolves its `#include` lines, so the text reviewed is the text that runs.
 *
 * `#include "common/f32-bits.wgsl"` pastes that file (once per module, recursively).
 * `#include <name>` pastes the file the kernel's host code chose for the alias `name`: this is how one
 * kernel source gets the `dot4I8Packed` fast path or the scalar path (`wgsl/common/dot4-*.wgsl`), since a
 * module that mentions `dot4I8Packed` does not compile where the language feature is missing.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WGSL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'wgsl');

const fileCache = new Map<string, string>();

function readWgsl(rel: string): string {
  let text = fileCache.get(rel);
  if (text === undefined) {
    try {
      text = readFileSync(join(WGSL_DIR, rel), 'utf8');
    } catch (e) {
      throw new Error(`WGSL source wgsl/${rel} cannot be read: ${(e as Error).message}`);
    }
    fileCache.set(rel, text);
  }
  return text;
}

/** The assembled source of `wgsl/<stem>.wgsl` with its includes resolved. */
export function loadWgsl(stem: string, aliases: Readonly<Record<string, string>> = {}): string {
  const seen = new Set<string>();
  const expand = (rel: string, from: string): string => {
    if (seen.has(rel)) return `// (already included: ${rel})`;
    seen.add(rel);
    return readWgsl(rel).split('\n').map((line) => {
      const m = /^\s*#include\s+(?:"([^"]+)"|<([^>]+)>)\s*$/.exec(line);
      if (!m) return line;
      let target = m[1];
      if (target === undefined) {
        target = aliases[m[2]!];
        if (target === undefined) throw new Error(`wgsl/${from}: no file chosen for #include <${m[2]}>`);
      }
      return `// ---- begin ${target}\n${expand(target, rel)}\n// ---- end ${target}`;
    }).join('\n');
  };
  return expand(`${stem}.wgsl`, `${stem}.wgsl`);
}
