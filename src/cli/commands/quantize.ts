import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadModel, saveModel } from '../../sim/onnx/model-io.ts';
import { CASE_NAMES, type CaseName } from '../../quant/cases/index.ts';
import { formatPlacementTable, placementTable } from '../../quant/placement.ts';
import { QuantError } from '../../quant/quant-error.ts';
import { quantizeModel, type PresetName, type QuantizeMode } from '../../quant/quantize-model.ts';
import { CliError } from '../cli-error.ts';

interface QuantizeCliOptions {
  output: string;
  preset?: PresetName;
  case?: CaseName;
  toolkitVersion: '0.1.0' | '0.2.0';
  quantizeResidual?: boolean;
  quantizeGap?: boolean;
  spec?: string;
  mode: QuantizeMode;
  weights: 'qdq' | 'int8';
  naming?: 'qdqsim' | 'tf2onnx';
  dedupe?: boolean;
  shareScales?: boolean;
  kerasWeights?: boolean;
  report?: string;
  table?: boolean;
}

export function register(program: Command): void {
  program
    .command('quantize')
    .description('Insert TensorRT-oriented Q/DQ nodes into an ONNX model: TF-QAT toolkit defaults and custom cases, or the pytorch-quantization / TFMOT placements; per-tensor symmetric activations, per-channel weights')
    .argument('<model>', 'input ONNX model (float)')
    .requiredOption('-o, --output <file>', 'output ONNX model with Q/DQ')
    .addOption(new Option('--preset <name>', 'whose placement to reproduce (default tf-qat)').choices(['tf-qat', 'pytorch-quantization', 'tfmot']))
    .addOption(new Option('--case <name>', 'TF-QAT custom Q/DQ case (implies --preset tf-qat)').choices(CASE_NAMES))
    .addOption(new Option('--toolkit-version <v>', 'TF-QAT residual-case behaviour: 0.2.0 leaves the first single-consumer conv branch of each Add float, 0.1.0 the last conv branch (the public TF-QAT ResNet-50 engine)').choices(['0.1.0', '0.2.0']).default('0.2.0'))
    .option('--quantize-residual', 'pytorch-quantization: residual quantizer on the identity input of each Add')
    .option('--quantize-gap', 'pytorch-quantization: quantizer before global average pooling')
    .option('--spec <file>', 'JSON spec: {"layers": [{"name"|"op_type"|"regex": ..., "quantize_input", "quantize_weight", "quantization_index"}]}; entries win over cases and defaults')
    .addOption(new Option('--mode <mode>', 'full: every supported op gets its default; partial: only what the spec/case names').choices(['full', 'partial']).default('full'))
    .addOption(new Option('--weights <format>', 'qdq: float weight + Q->DQ (what exporters emit); int8: pre-quantized int8 initializer + DQ').choices(['qdq', 'int8']).default('qdq'))
    .addOption(new Option('--naming <style>', 'Q/DQ node names: qdqsim (<node>_input<i>_QuantizeLinear) or tf2onnx (QuantLinearNode__N); default tf2onnx for tf-qat').choices(['qdqsim', 'tf2onnx']))
    .option('--dedupe', 'one Q/DQ pair per tensor for all its quantized consumers (default for tf-qat)')
    .option('--no-dedupe', 'one Q/DQ pair per quantized consumer (default for the other presets)')
    .option('--keras-weights', 'quantize weights in the Keras kernel layout (HWIO, axis 3) and Transpose them into the Conv, as tf2onnx exports TF-QAT models (default for tf-qat on tf2onnx models)')
    .option('--no-keras-weights', 'quantize weights in the ONNX layout the node reads')
    .option('--share-scales', 'share one scale across Concat inputs/output and MaxPool in/out (on for --case inception)')
    .option('--report <file>', 'write the placement report (decisions, quantizers, notes) as JSON')
    .option('--table', 'print the per-node placement table')
    .action((input: string, o: QuantizeCliOptions) => {
      let spec: unknown;
      if (o.spec) {
        let text: string;
        try { text = readFileSync(o.spec, 'utf8'); } catch (e) { throw new CliError(`cannot read spec ${o.spec}: ${(e as Error).message}`, 2); }
        try { spec = JSON.parse(text); } catch (e) { throw new CliError(`spec ${o.spec} is not valid JSON: ${(e as Error).message}`, 2); }
      }
      const preset = o.preset ?? 'tf-qat';
      const model = loadModel(input);
      let result;
      try {
        result = quantizeModel(model, {
          preset, case: o.case, toolkitVersion: o.toolkitVersion, mode: o.mode, spec, specSource: o.spec,
          quantizeResidual: o.quantizeResidual, quantizeGap: o.quantizeGap, weights: o.weights, naming: o.naming,
          dedupe: o.dedupe, shareScales: o.shareScales, kerasWeights: o.kerasWeights,
        });
      } catch (e) {
        if (e instanceof QuantError) throw new CliError(`${input}: ${e.message}`);
        throw e;
      }
      saveModel(result.model, o.output);
      const r = result.report;
      const s = r.summary;
      const what = [`preset ${r.preset}`, r.case ? `case ${r.case}` : '', r.case ? `toolkit ${r.toolkitVersion}` : '', `mode ${r.mode}`].filter(Boolean).join(', ');
      process.stdout.write(`quantize: ${what}\n`);
      process.stdout.write(`  ${s.nodesQuantized} nodes quantized: ${s.activationPairs} activation Q/DQ, ${s.weightPairs} weight ${o.weights === 'int8' ? 'DQ (int8)' : 'Q/DQ'}, ${s.outputPairs} output Q/DQ`);
      process.stdout.write(r.shareGroups.length ? `, ${r.shareGroups.length} shared-scale groups\n` : '\n');
      process.stdout.write('  activation scales are placeholders (amax 6): run `qdqsim calibrate` to set them\n');
      for (const n of r.notes) process.stdout.write(`  note: ${n}\n`);
      if (o.table) process.stdout.write(formatPlacementTable(placementTable(result.model)));
      if (o.report) writeFileSync(o.report, JSON.stringify(r, null, 2) + '\n');
      process.stdout.write(`wrote ${o.output}\n`);
    });
}
