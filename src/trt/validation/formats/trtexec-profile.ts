/**
 * `trtexec --exportProfile=FILE` (sampleReporting.cpp `Profiler::exportJSONProfile`):
 * `[ { "count" : N }, { "name", "timeMs", "averageMs", "medianMs", "percentage" }, ... ]`.
 * `medianMs` appeared in TRT 8.x; older files lack it.
 */
import { formatCppFloat } from './cpp-float.ts';
import { parseRelaxedJson, relaxedNumber } from './relaxed-json.ts';

export interface ProfileEntry {
  name: string;
  timeMs: number;
  averageMs: number;
  medianMs?: number;
  percentage: number;
}

export interface EngineProfile {
  count: number;
  layers: ProfileEntry[];
}

export function parseTrtexecProfile(text: string, source = 'trtexec profile JSON'): EngineProfile {
  const doc = parseRelaxedJson(text, source);
  if (!Array.isArray(doc) || doc.length === 0 || typeof (doc[0] as { count?: unknown })?.count !== 'number') {
    throw new Error(`${source}: expected [{"count": N}, {"name", "timeMs", ...}, ...] (trtexec --exportProfile)`);
  }
  const count = (doc[0] as { count: number }).count;
  const layers = doc.slice(1).map((e, k) => {
    const o = e as Record<string, unknown>;
    const where = `${source}: entry ${k + 1}`;
    if (typeof o?.name !== 'string') throw new Error(`${where}: missing "name"`);
    return {
      name: o.name,
      timeMs: relaxedNumber(o.timeMs, `${where} timeMs`),
      averageMs: relaxedNumber(o.averageMs, `${where} averageMs`),
      medianMs: o.medianMs === undefined ? undefined : relaxedNumber(o.medianMs, `${where} medianMs`),
      percentage: relaxedNumber(o.percentage, `${where} percentage`),
    };
  });
  return { count, layers };
}

/** The exact layout trtexec writes. */
export function writeTrtexecProfile(p: EngineProfile): string {
  let s = `[\n  { "count" : ${p.count} }\n`;
  for (const l of p.layers) {
    s += `, { "name" : "${l.name}", "timeMs" : ${formatCppFloat(l.timeMs)}, "averageMs" : ${formatCppFloat(l.averageMs)}`;
    if (l.medianMs !== undefined) s += `, "medianMs" : ${formatCppFloat(l.medianMs)}`;
    s += `, "percentage" : ${formatCppFloat(l.percentage)} }\n`;
  }
  return `${s}]\n`;
}
