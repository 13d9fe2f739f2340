import { Command, Option } from 'commander';
import { saveModel } from '../../sim/onnx/model-io.ts';
import { buildZooModel, zooDescription, zooNames } from '../../sim/zoo/index.ts';
import type { ZooOptions } from '../../sim/zoo/options.ts';
import { CliError } from '../cli-error.ts';

interface ZooCliOptions {
  output?: string;
  batch: string;
  layout?: 'nchw' | 'nhwc';
  style: 'pytorch' | 'tf2onnx';
  size?: string;
  seed: string;
  layers?: string;
  embeddings: boolean;
  seqLen?: string;
  hidden?: string;
  heads?: string;
  classes?: string;
  keepPads?: boolean;
  list?: boolean;
}

function int(v: string | undefined, what: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${what} must be an integer >= ${min}, got "${v}"`, 2);
  return n;
}

export function register(program: Command): void {
  program
    .command('zoo')
    .description('generate a float32 model with a real architecture and seeded weights (no downloads): ResNet, MobileNetV2, EfficientNet, Inception-v3, BERT encoder; named like the legacy PyTorch exporter or like tf2onnx on Keras')
    .argument('[name]', `model: ${zooNames().join(', ')}`)
    .option('-o, --output <file>', 'write the ONNX model here')
    .option('--batch <n>', 'batch size', '1')
    .addOption(new Option('--layout <layout>', 'input layout (default: nchw for pytorch, nhwc for tf2onnx)').choices(['nchw', 'nhwc']))
    .addOption(new Option('--style <style>', 'naming/export conventions').choices(['pytorch', 'tf2onnx']).default('pytorch'))
    .option('--size <n>', 'input resolution (default: the architecture\'s own, e.g. 224)')
    .option('--seed <n>', 'weight seed; the same seed gives the same bytes', '0')
    .option('--layers <n>', 'bert: encoder layers (default 12)')
    .option('--no-embeddings', 'bert: start from hidden states instead of token ids')
    .option('--seq-len <n>', 'bert: sequence length (default 128)')
    .option('--hidden <n>', 'bert: hidden size (default 768)')
    .option('--heads <n>', 'bert: attention heads (default 12)')
    .option('--classes <n>', 'CNNs: classifier outputs (default 1000)')
    .option('--keep-pads', 'tf2onnx style: spell the graph as TF-QAT exports do — Keras ZeroPadding2D as Pad nodes (not merged into the next conv) and Dense as MatMul + BiasAdd (not one Gemm)')
    .option('--list', 'list the available models')
    .action((name: string | undefined, o: ZooCliOptions) => {
      if (o.list || !name) {
        if (!o.list && !name) throw new CliError(`missing model name; available: ${zooNames().join(', ')}`, 2);
        for (const n of zooNames()) process.stdout.write(`${n.padEnd(16)} ${zooDescription(n)}\n`);
        return;
      }
      if (!zooNames().includes(name)) throw new CliError(`unknown model '${name}'; available: ${zooNames().join(', ')}`, 2);
      if (!o.output) throw new CliError('missing -o/--output FILE.onnx', 2);
      const opts: ZooOptions = {
        batch: int(o.batch, '--batch', 1),
        layout: o.layout,
        style: o.style,
        size: int(o.size, '--size', 1),
        seed: int(o.seed, '--seed', 0),
        layers: int(o.layers, '--layers', 1),
        embeddings: o.embeddings,
        seqLen: int(o.seqLen, '--seq-len', 1),
        hidden: int(o.hidden, '--hidden', 1),
        heads: int(o.heads, '--heads', 1),
        classes: int(o.classes, '--classes', 1),
        keepPads: o.keepPads ?? false,
      };
      let model;
      try {
        model = buildZooModel(name, opts);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      saveModel(model, o.output);
      const params = [...model.graph.initializers.values()].reduce((s, t) => s + t.data.length, 0);
      const inputs = model.graph.inputs.map((i) => `${i.name}[${(i.shape ?? []).join(',')}]`).join(' ');
      process.stdout.write(`${name} (${o.style}): ${model.graph.nodes.length} nodes, ${params} parameters, inputs ${inputs} -> ${o.output}\n`);
    });
}
