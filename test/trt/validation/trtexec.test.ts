import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { makeTensor } from '../../../src/sim/tensor.ts';
import {
  buildTrtexecArgs, findTrtexec, parseTrtVersion, precisionFlags, runTrtexec, shellCommand, TrtexecError, type TrtVersion,
} from '../../../src/trt/validation/backends/trtexec.ts';
import { decodeRawTensor } from '../../../src/trt/validation/backends/tensor-files.ts';
import { qdqConvModel, saveTemp } from './models.ts';

const v = (s: string) => parseTrtVersion(`&&&& RUNNING TensorRT.trtexec [TensorRT ${s}] # trtexec --help`) as TrtVersion;

describe('trtexec version and argument building', () => {
  it('reads the version from trtexec\'s banner (8.x and 10.x encodings)', () => {
    expect(v('v8601')).toMatchObject({ major: 8, minor: 6, patch: 1 });
    expect(v('v100500')).toMatchObject({ major: 10, minor: 5, patch: 0 });
    expect(v('v8205')).toMatchObject({ major: 8, minor: 2, patch: 5 });
    expect(parseTrtVersion('no banner')).toBeNull();
  });

  it('picks precision flags per TensorRT version', () => {
    expect(precisionFlags(v('v8601'), 'best').flags).toEqual(['--best']);
    expect(precisionFlags(v('v100500'), 'strongly-typed').flags).toEqual(['--stronglyTyped']);
    expect(() => precisionFlags(v('v8601'), 'strongly-typed')).toThrow(/--stronglyTyped needs TensorRT >= 9/);
    const t11 = precisionFlags(v('v110100'), 'best');
    expect(t11.flags).toEqual([]);
    expect(t11.note).toMatch(/strongly typed networks only/);
  });

  it('builds the full command: inputs, exports, detailed verbosity, debug tensors', () => {
    const plan = {
      modelPath: '/m/model.onnx', runDir: '/run', version: v('v100500'), precision: 'best' as const,
      inputs: [{ name: 'input:0', dims: [1, 3, 8, 8], file: '/run/inputs/input_0.bin', dynamic: true }],
      debugTensors: [{ name: 'q1', file: '/run/debug/q1.bin' }],
    };
    const { args, notes } = buildTrtexecArgs(plan);
    expect(args).toEqual([
      '--onnx=/m/model.onnx', '--saveEngine=/run/engine.plan', '--best',
      "--shapes='input:0':1x3x8x8", "--loadInputs='input:0':/run/inputs/input_0.bin",
      '--exportOutput=/run/outputs.json', '--profilingVerbosity=detailed',
      '--exportLayerInfo=/run/layers.json', '--exportProfile=/run/profile.json', '--separateProfileRun',
      '--markDebug=q1', '--saveDebugTensors=q1:/run/debug/q1.bin',
    ]);
    expect(notes).toEqual([]);
    const old = buildTrtexecArgs({ ...plan, version: v('v8401') });
    expect(old.args).not.toContain('--markDebug=q1');
    expect(old.notes[0]).toMatch(/no --markDebug/);
    expect(buildTrtexecArgs({ ...plan, version: v('v8003') }).args).toContain('--nvtxMode=verbose');
    expect(shellCommand('trtexec', ["--loadInputs='x':a b.bin"])).toBe(`trtexec '--loadInputs='\\''x'\\'':a b.bin'`);
  });
});

/** A stand-in trtexec: prints the real banner, writes files in trtexec's formats (copied from fixtures). */
function fakeTrtexec(dir: string, mode: 'ok' | 'fail'): string {
  const fix = resolve('test/fixtures/validation');
  const bin = join(dir, 'trtexec');
  writeFileSync(bin, `#!/usr/bin/env bash
echo "&&&& RUNNING TensorRT.trtexec [TensorRT v100500] [b18] # trtexec $*"
[ "$1" = "--help" ] && exit 0
for a in "$@"; do
  case "$a" in
    --exportOutput=*) out="\${a#--exportOutput=}" ;;
    --exportLayerInfo=*) layers="\${a#--exportLayerInfo=}" ;;
    --exportProfile=*) prof="\${a#--exportProfile=}" ;;
  esac
done
${mode === 'fail' ? 'echo "[E] Error[4]: [network.cpp::validate::3000] Error Code 4: Internal Error (could not find any implementation for node Conv_0)"; echo "&&&& FAILED TensorRT.trtexec"; exit 1' : ''}
cp "$FAKE_OUTPUTS" "$out"; cp "${fix}/gt/resnet-qat-residual.onnx.engine.graph.json" "$layers"; cp "${fix}/gt/resnet-qat-residual.onnx.engine.profile.json" "$prof"
echo "&&&& PASSED TensorRT.trtexec"
`);
  chmodSync(bin, 0o755);
  return bin;
}

describe('trtexec backend run (stand-in binary)', () => {
  const model = qdqConvModel();
  const modelPath = saveTemp(model);
  const x = makeTensor(DataType.FLOAT, [1, 4, 6, 6], new Float32Array(144).map((_, i) => (i % 7) / 7));

  it('keeps every artifact in the run folder and reads them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdqsim-trt-'));
    const outputs = join(dir, 'fake-outputs.json');
    copyFileSync('test/fixtures/validation/trtexec-outputs.json', outputs);
    process.env.FAKE_OUTPUTS = outputs;
    const runDir = join(dir, 'run');
    const r = await runTrtexec({ modelPath, model, feeds: new Map([['x', x]]) }, { bin: fakeTrtexec(dir, 'ok'), runDir });
    expect(r.backend).toBe('trtexec');
    expect([...r.outputs.keys()]).toEqual(['logits', 'q_out']);
    expect(r.layers?.layers).toHaveLength(26);
    expect(r.profile?.layers[0].name).toBe('QuantizeLinear_2');
    expect(r.notes[0]).toMatch(/TensorRT 10.5.0/);
    for (const f of ['command.txt', 'trtexec.log', 'outputs.json', 'layers.json', 'profile.json', 'inputs/x.bin']) expect(existsSync(join(runDir, f)), f).toBe(true);
    const fed = decodeRawTensor(new Uint8Array(readFileSync(join(runDir, 'inputs/x.bin'))), DataType.FLOAT, [1, 4, 6, 6], 'x.bin');
    expect(fed.data).toEqual(x.data);
    expect(readFileSync(join(runDir, 'command.txt'), 'utf8')).toMatch(/'--loadInputs='\\''x'\\'':\/.*inputs\/x\.bin'/);
  });

  it('fails with trtexec\'s error lines and keeps the run folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdqsim-trt-'));
    const runDir = join(dir, 'run');
    const p = runTrtexec({ modelPath, model, feeds: new Map([['x', x]]) }, { bin: fakeTrtexec(dir, 'fail'), runDir });
    await expect(p).rejects.toThrow(TrtexecError);
    await expect(p).rejects.toThrow(/trtexec failed \(exit 1\); every artifact and the log are kept in .*run[\s\S]*could not find any implementation/);
    expect(existsSync(join(runDir, 'trtexec.log'))).toBe(true);
  });

  it('says how to proceed when trtexec is missing', async () => {
    expect(findTrtexec({ PATH: '/nonexistent' })).toBeNull();
    const saved = { PATH: process.env.PATH, TRTEXEC: process.env.TRTEXEC };
    process.env.PATH = '/nonexistent';
    delete process.env.TRTEXEC;
    try {
      await expect(runTrtexec({ modelPath, model, feeds: new Map([['x', x]]) }, { runDir: join(tmpdir(), 'never') }))
        .rejects.toThrow(/trtexec was not found .* --against artifacts:DIR/);
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.TRTEXEC !== undefined) process.env.TRTEXEC = saved.TRTEXEC;
    }
  });
});

const real = findTrtexec();
describe.skipIf(!real)('trtexec backend, real TensorRT', () => {
  it('builds and runs the model with the real trtexec', async () => {
    const model = qdqConvModel();
    const modelPath = saveTemp(model);
    const x = makeTensor(DataType.FLOAT, [1, 4, 6, 6], new Float32Array(144).map((_, i) => (i % 7) / 7));
    const r = await runTrtexec({ modelPath, model, feeds: new Map([['x', x]]) }, { bin: real!, runDir: join(mkdtempSync(join(tmpdir(), 'qdqsim-real-')), 'run') });
    expect(r.outputs.has('y')).toBe(true);
    expect(r.layers?.verbosity).toBe('detailed');
  });
});
if (!real) console.log('trtexec backend, real TensorRT: skipped — no trtexec on PATH and $TRTEXEC unset (argument building, parsing and a stand-in binary are tested above)');
