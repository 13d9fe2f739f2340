/**
 * `trtexec`: builds and runs the real engine, keeping every artifact in a run folder:
 *   RUN/inputs/<name>.bin     the feeds as raw binding files (--loadInputs)
 *   RUN/engine.plan           --saveEngine
 *   RUN/outputs.json          --exportOutput
 *   RUN/layers.json           --exportLayerInfo with --profilingVerbosity=detailed
 *   RUN/profile.json          --exportProfile (with --separateProfileRun)
 *   RUN/debug/<name>.bin      --markDebug / --saveDebugTensors, for marked layer boundaries (TRT >= 10.5)
 *   RUN/command.txt, RUN/trtexec.log
 * The folder is an `artifacts:` folder: `qdqsim compare M --against artifacts:RUN` re-reads it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Model } from '../../../sim/ir/graph.ts';
import type { Tensor } from '../../../sim/tensor.ts';
import { isFloatPrecision, parseTrtexecLayers, type EngineLayerList } from '../formats/trtexec-layers.ts';
import { parseTrtexecOutputs } from '../formats/trtexec-output.ts';
import { parseTrtexecProfile } from '../formats/trtexec-profile.ts';
import { DataType } from '../../../sim/data-type.ts';
import { decodeRawTensor, fileSafeName, writeRawTensor } from './tensor-files.ts';
import type { Backend, BackendRequest, BackendResult } from './types.ts';

export interface TrtVersion {
  major: number;
  minor: number;
  patch: number;
  /** As trtexec prints it, e.g. "v100500". */
  raw: string;
}

/** Build precision, as the simulator names it (src/trt/build-options.ts): how unquantized regions may run. */
export type TrtPrecision = 'best' | 'int8' | 'fp16' | 'fp32' | 'strongly-typed';

export class TrtexecError extends Error {
  constructor(message: string, readonly runDir?: string) {
    super(message);
    this.name = 'TrtexecError';
  }
}

/** `[TensorRT v8601]` -> 8.6.1 (major*1000+minor*100+patch); `[TensorRT v100500]` -> 10.5.0 (major*10000+...). */
export function parseTrtVersion(text: string): TrtVersion | null {
  const m = /\[TensorRT v(\d+)\]/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const major = n >= 10000 ? Math.floor(n / 10000) : Math.floor(n / 1000);
  const rest = n >= 10000 ? n % 10000 : n % 1000;
  return { major, minor: Math.floor(rest / 100), patch: rest % 100, raw: `v${m[1]}` };
}

export function versionAtLeast(v: TrtVersion, major: number, minor = 0): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** The trtexec binary: $TRTEXEC, else `trtexec` on PATH; null when there is none. */
export function findTrtexec(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.TRTEXEC ? [env.TRTEXEC] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'trtexec'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch { /* next */ }
  }
  return null;
}

export function detectTrtVersion(bin: string): TrtVersion {
  const r = spawnSync(bin, ['--help'], { encoding: 'utf8', timeout: 60_000 });
  const v = parseTrtVersion(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  if (!v) throw new TrtexecError(`could not read the TensorRT version from '${bin} --help' (exit ${r.status}): ${(r.stderr || r.stdout || '').slice(0, 300)}`);
  return v;
}

/** A name as trtexec's spec grammar wants it: single-quoted (names may hold ':' or ','). */
function q(name: string): string {
  return `'${name}'`;
}

export interface TrtexecPlan {
  modelPath: string;
  runDir: string;
  version: TrtVersion;
  precision: TrtPrecision;
  /** Inputs in graph order with the file each is loaded from. */
  inputs: { name: string; dims: readonly number[]; file: string; dynamic: boolean }[];
  /** Tensors to dump through debug tensors (layer boundaries). */
  debugTensors?: { name: string; file: string }[];
}

/** The precision flags for a TensorRT version (TRT 11 dropped --int8/--fp16/--best: always strongly typed). */
export function precisionFlags(v: TrtVersion, p: TrtPrecision): { flags: string[]; note?: string } {
  if (v.major >= 11) {
    return { flags: [], note: p === 'strongly-typed' ? undefined : `TensorRT ${v.major} builds strongly typed networks only: '${p}' has no flag there` };
  }
  switch (p) {
    case 'best': return { flags: ['--best'] };
    case 'int8': return { flags: ['--int8'] };
    case 'fp16': return { flags: ['--fp16'], note: 'a weakly typed Q/DQ network needs --int8: expect the build to fail without it' };
    case 'fp32': return { flags: [] };
    case 'strongly-typed':
      if (!versionAtLeast(v, 9)) throw new TrtexecError(`--stronglyTyped needs TensorRT >= 9 (found ${v.major}.${v.minor}.${v.patch})`);
      return { flags: ['--stronglyTyped'] };
  }
}

/**
 * Whether this trtexec can dump marked tensors without changing fusion (--markDebug/--saveDebugTensors).
 * The debug-tensor API exists since TensorRT 10.0; 10.5 is the earliest trtexec help text we checked
 * that lists both flags, so older 10.x builds are conservatively treated as lacking them.
 */
export function supportsDebugTensors(v: TrtVersion): boolean {
  return versionAtLeast(v, 10, 5);
}

export function buildTrtexecArgs(plan: TrtexecPlan): { args: string[]; notes: string[] } {
  const { runDir, version } = plan;
  const notes: string[] = [];
  const args = [`--onnx=${plan.modelPath}`, `--saveEngine=${join(runDir, 'engine.plan')}`];
  const prec = precisionFlags(version, plan.precision);
  args.push(...prec.flags);
  if (prec.note) notes.push(prec.note);
  const dyn = plan.inputs.filter((i) => i.dynamic);
  if (dyn.length) args.push(`--shapes=${dyn.map((i) => `${q(i.name)}:${i.dims.length ? i.dims.join('x') : 'scalar'}`).join(',')}`);
  if (plan.inputs.length) args.push(`--loadInputs=${plan.inputs.map((i) => `${q(i.name)}:${i.file}`).join(',')}`);
  args.push(`--exportOutput=${join(runDir, 'outputs.json')}`);
  if (versionAtLeast(version, 8, 2)) args.push('--profilingVerbosity=detailed');
  else args.push('--nvtxMode=verbose');
  args.push(`--exportLayerInfo=${join(runDir, 'layers.json')}`, `--exportProfile=${join(runDir, 'profile.json')}`, '--separateProfileRun');
  const dbg = plan.debugTensors ?? [];
  if (dbg.length) {
    if (supportsDebugTensors(version)) {
      args.push(`--markDebug=${dbg.map((d) => d.name).join(',')}`);
      args.push(`--saveDebugTensors=${dbg.map((d) => `${d.name}:${d.file}`).join(',')}`);
    } else {
      notes.push(`TensorRT ${version.major}.${version.minor} has no --markDebug: layer boundaries not recorded (use Polygraphy, see the printed command)`);
    }
  }
  return { args, notes };
}

/** Shell-quoted command line, for command.txt and the report. */
export function shellCommand(bin: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [bin, ...args].map(quote).join(' ');
}

export interface TrtexecOptions {
  precision?: TrtPrecision;
  /** Run folder; default `qdqsim-runs/trtexec-<timestamp>` under the current directory. */
  runDir?: string;
  /** Binary to use; default findTrtexec(). */
  bin?: string;
  /** Kill trtexec after this many ms (default 30 minutes). */
  timeoutMs?: number;
}

function inputDims(model: Model, name: string, t: Tensor): { dims: readonly number[]; dynamic: boolean } {
  const vi = model.graph.inputs.find((v) => v.name === name);
  const dynamic = !vi?.shape || vi.shape.some((d) => typeof d !== 'number');
  return { dims: t.dims, dynamic };
}

export async function runTrtexec(req: BackendRequest, opts: TrtexecOptions = {}): Promise<BackendResult> {
  const bin = opts.bin ?? findTrtexec();
  if (!bin) {
    throw new TrtexecError('trtexec was not found (set $TRTEXEC or put TensorRT\'s bin/ on PATH). Without a GPU, record a run ' +
      'elsewhere and compare with --against artifacts:DIR (see docs/validation.md).');
  }
  const version = detectTrtVersion(bin);
  const runDir = resolve(opts.runDir ?? join('qdqsim-runs', `trtexec-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  mkdirSync(join(runDir, 'inputs'), { recursive: true });
  const inputs = [...req.feeds].map(([name, t]) => {
    const file = join(runDir, 'inputs', `${fileSafeName(name)}.bin`);
    writeRawTensor(file, t);
    return { name, file, ...inputDims(req.model, name, t) };
  });
  const marked = (req.markTensors ?? []).filter((n) => !req.model.graph.outputs.some((o) => o.name === n));
  if (marked.length) mkdirSync(join(runDir, 'debug'), { recursive: true });
  const debugTensors = marked.map((name) => ({ name, file: join(runDir, 'debug', `${fileSafeName(name)}.bin`) }));
  const { args, notes } = buildTrtexecArgs({ modelPath: resolve(req.modelPath), runDir, version, precision: opts.precision ?? 'best', inputs, debugTensors });
  const cmd = shellCommand(bin, args);
  writeFileSync(join(runDir, 'command.txt'), `${cmd}\n`);
  const logPath = join(runDir, 'trtexec.log');
  const code = await new Promise<number>((res, rej) => {
    const log = createWriteStream(logPath);
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30 * 60_000);
    child.on('error', (e) => { clearTimeout(timer); log.end(); rej(new TrtexecError(`could not start ${bin}: ${e.message}`, runDir)); });
    child.on('close', (c, sig) => { clearTimeout(timer); log.end(() => res(c ?? (sig ? 128 : 1))); });
  });
  const logTail = readFileSync(logPath, 'utf8').split('\n').filter((l) => /error|fail/i.test(l)).slice(-8).join('\n');
  if (code !== 0 || !existsSync(join(runDir, 'outputs.json'))) {
    throw new TrtexecError(`trtexec failed (exit ${code}); every artifact and the log are kept in ${runDir}\n${logTail}`, runDir);
  }
  const files = [join(runDir, 'command.txt'), logPath, join(runDir, 'outputs.json')];
  const outputs = new Map(parseTrtexecOutputs(readFileSync(join(runDir, 'outputs.json'), 'utf8'), join(runDir, 'outputs.json')).map((o) => [o.name, o.tensor]));
  let layers: EngineLayerList | undefined;
  if (existsSync(join(runDir, 'layers.json'))) {
    layers = parseTrtexecLayers(readFileSync(join(runDir, 'layers.json'), 'utf8'), join(runDir, 'layers.json'));
    files.push(join(runDir, 'layers.json'));
  }
  const profile = existsSync(join(runDir, 'profile.json'))
    ? parseTrtexecProfile(readFileSync(join(runDir, 'profile.json'), 'utf8'), join(runDir, 'profile.json')) : undefined;
  for (const d of debugTensors) {
    if (!existsSync(d.file)) { notes.push(`debug tensor '${d.name}' was not written`); continue; }
    const t = readDebugTensor(d.file, d.name, layers);
    if (t) { outputs.set(d.name, t); files.push(d.file); } else notes.push(`debug tensor '${d.name}': type/shape unknown (no layer lists it)`);
  }
  notes.unshift(`TensorRT ${version.major}.${version.minor}.${version.patch} (${bin}); run folder ${runDir}`);
  return { backend: 'trtexec', outputs, layers, profile, files, notes };
}

/** A debug tensor file, decoded with the type and dims the layer list gives for that tensor. */
export function readDebugTensor(file: string, name: string, layers: EngineLayerList | undefined): Tensor | null {
  for (const l of layers?.layers ?? []) {
    const t = [...l.outputs, ...l.inputs].find((x) => x.name === name);
    if (!t?.dims) continue;
    const dtype = t.precision === 'Int8' ? DataType.INT8 : t.precision === 'FP16' ? DataType.FLOAT16 : t.precision === 'BF16' ? DataType.BFLOAT16
      : isFloatPrecision(t.precision) ? DataType.FLOAT : t.precision === 'Int32' ? DataType.INT32 : null;
    if (dtype === null) return null;
    return decodeRawTensor(new Uint8Array(readFileSync(file)), dtype, t.dims, file);
  }
  return null;
}

export function trtexecBackend(opts: TrtexecOptions = {}): Backend {
  return { name: 'trtexec', run: (req) => runTrtexec(req, opts) };
}
