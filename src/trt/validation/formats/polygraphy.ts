/**
 * Polygraphy RunResults JSON (`polygraphy run ... --save-results FILE`; polygraphy/comparator/struct.py
 * and polygraphy/json/serde.py). Objects carry their class in `"polygraphy_class"`; an ndarray is
 * `{"array": "<base64 of np.save bytes>", "polygraphy_class": "ndarray"}`:
 *
 *   {"lst": [["trt-runner-N0-...", [{"outputs": {"y": {"values": {"array": ..., "polygraphy_class": "ndarray"},
 *             "polygraphy_class": "LazyNumpyArray"}}, "runtime": 0.0012, "runner_name": "...",
 *             "polygraphy_class": "IterationResult"}]]], "polygraphy_class": "RunResults"}
 *
 * Older files store outputs as plain ndarrays (no LazyNumpyArray) or use the legacy marker
 * `"__polygraphy_encoded_<Class>": "polygraphy_serialized_json_type"`; both are read.
 * `--save-inputs` files (a list of `{name: ndarray}` feeds) are read by `parsePolygraphyInputs`.
 */
import { decodeNpy, encodeNpy } from '../../../sim/io/npy.ts';
import type { Tensor } from '../../../sim/tensor.ts';

export interface PolygraphyIteration {
  runnerName: string;
  runtime: number | null;
  outputs: Map<string, Tensor>;
}

export interface PolygraphyRunner {
  name: string;
  iterations: PolygraphyIteration[];
}

const LEGACY_PREFIX = '__polygraphy_encoded_';
const LEGACY_MARKER = 'polygraphy_serialized_json_type';

function classOf(o: unknown): string | undefined {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const d = o as Record<string, unknown>;
  if (typeof d.polygraphy_class === 'string') return d.polygraphy_class;
  for (const [k, v] of Object.entries(d)) if (k.startsWith(LEGACY_PREFIX) && v === LEGACY_MARKER) return k.slice(LEGACY_PREFIX.length);
  return undefined;
}

function decodeArray(o: unknown, where: string): Tensor {
  const cls = classOf(o);
  if (cls === 'LazyNumpyArray') return decodeArray((o as { values: unknown }).values, where);
  if (cls !== 'ndarray') throw new Error(`${where}: expected a Polygraphy ndarray, found ${cls ?? JSON.stringify(o)?.slice(0, 60)}`);
  const b64 = (o as { array?: unknown }).array;
  if (typeof b64 !== 'string') throw new Error(`${where}: ndarray without "array"`);
  // base64 in current Polygraphy; older files (serde.py "latin-1" fallback) hold the np.save bytes as a latin-1 string
  let bytes = new Uint8Array(Buffer.from(b64, 'base64'));
  if (!(bytes[0] === 0x93 && bytes[1] === 0x4e)) bytes = new Uint8Array(Buffer.from(b64, 'latin1'));
  try {
    return decodeNpy(bytes);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

export function parsePolygraphyRunResults(text: string, source = 'Polygraphy RunResults JSON'): PolygraphyRunner[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/\bNaN\b/g, 'null'));
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (classOf(doc) !== 'RunResults' || !Array.isArray((doc as { lst?: unknown }).lst)) {
    throw new Error(`${source}: not a Polygraphy RunResults file (expected {"lst": [...], "polygraphy_class": "RunResults"}; ` +
      'save one with `polygraphy run ... --save-results FILE`)');
  }
  return ((doc as { lst: unknown[] }).lst).map((pair, k) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !Array.isArray(pair[1])) {
      throw new Error(`${source}: lst[${k}] must be [runner_name, [IterationResult...]]`);
    }
    const name = pair[0];
    const iterations = (pair[1] as unknown[]).map((it, j) => {
      const where = `${source}: runner "${name}" iteration ${j}`;
      if (classOf(it) !== 'IterationResult') throw new Error(`${where}: expected an IterationResult`);
      const r = it as { outputs?: Record<string, unknown>; runtime?: unknown; runner_name?: unknown };
      const outputs = new Map<string, Tensor>();
      for (const [oname, arr] of Object.entries(r.outputs ?? {})) {
        if (oname === 'polygraphy_class' || oname.startsWith(LEGACY_PREFIX)) continue;
        outputs.set(oname, decodeArray(arr, `${where} output "${oname}"`));
      }
      return { runnerName: typeof r.runner_name === 'string' ? r.runner_name : name, runtime: typeof r.runtime === 'number' ? r.runtime : null, outputs };
    });
    return { name, iterations };
  });
}

/** `--save-inputs` / `--load-inputs` data: a list of feeds `{name: ndarray}` (one per iteration). */
export function parsePolygraphyInputs(text: string, source = 'Polygraphy inputs JSON'): Map<string, Tensor>[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(doc)) throw new Error(`${source}: expected a list of {input name: ndarray} feeds`);
  return doc.map((feed, k) => {
    const m = new Map<string, Tensor>();
    for (const [name, arr] of Object.entries((feed ?? {}) as Record<string, unknown>)) {
      if (name === 'polygraphy_class') continue;
      m.set(name, decodeArray(arr, `${source}: feed ${k} input "${name}"`));
    }
    return m;
  });
}

function encodeArray(t: Tensor): Record<string, unknown> {
  return { array: Buffer.from(encodeNpy(t)).toString('base64'), polygraphy_class: 'ndarray' };
}

/** Writes RunResults JSON as Polygraphy does (json.dumps with indent=4, current class markers). */
export function writePolygraphyRunResults(runners: readonly PolygraphyRunner[]): string {
  const doc = {
    lst: runners.map((r) => [
      r.name,
      r.iterations.map((it) => ({
        outputs: Object.fromEntries([...it.outputs].map(([n, t]) => [n, { values: encodeArray(t), polygraphy_class: 'LazyNumpyArray' }])),
        runtime: it.runtime,
        runner_name: it.runnerName,
        polygraphy_class: 'IterationResult',
      })),
    ]),
    polygraphy_class: 'RunResults',
  };
  return JSON.stringify(doc, null, 4);
}

/** Writes a `--load-inputs` file: a list of feeds. */
export function writePolygraphyInputs(feeds: readonly Map<string, Tensor>[]): string {
  return JSON.stringify(feeds.map((f) => Object.fromEntries([...f].map(([n, t]) => [n, encodeArray(t)]))), null, 4);
}
