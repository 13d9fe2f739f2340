import type { Model } from '../ir/graph.ts';
import type { ZooOptions } from './options.ts';
import { bert } from './bert.ts';
import { efficientnetB0, efficientnetB3 } from './efficientnet.ts';
import { inceptionV3 } from './inception-v3.ts';
import { mobilenetV2 } from './mobilenet-v2.ts';
import { resnet101V1, resnet101V2, resnet18, resnet50V1, resnet50V2 } from './resnet.ts';

export type { ZooOptions, ZooStyle, ZooLayout } from './options.ts';

interface ZooEntry {
  build: (opts: ZooOptions) => Model;
  description: string;
}

const ZOO: Record<string, ZooEntry> = {
  resnet18: { build: resnet18, description: 'torchvision ResNet-18 (BasicBlock)' },
  resnet50_v1: { build: resnet50V1, description: 'ResNet-50 v1: torchvision resnet50 (pytorch style) / Keras ResNet50 (tf2onnx style)' },
  resnet50_v2: { build: resnet50V2, description: 'Keras ResNet50V2 (pre-activation)' },
  resnet101_v1: { build: resnet101V1, description: 'ResNet-101 v1: torchvision resnet101 / Keras ResNet101' },
  resnet101_v2: { build: resnet101V2, description: 'Keras ResNet101V2 (pre-activation)' },
  mobilenet_v2: { build: mobilenetV2, description: 'MobileNetV2 1.0: torchvision mobilenet_v2 / Keras MobileNetV2' },
  efficientnet_b0: { build: efficientnetB0, description: 'EfficientNet-B0: torchvision efficientnet_b0 / Keras EfficientNetB0' },
  efficientnet_b3: { build: efficientnetB3, description: 'EfficientNet-B3 (300x300): torchvision efficientnet_b3 / Keras EfficientNetB3' },
  inception_v3: { build: inceptionV3, description: 'Inception-v3 (299x299, all mixed blocks, no aux head): torchvision / Keras InceptionV3' },
  bert: { build: bert, description: 'BERT-base encoder (configurable --layers, --hidden, --heads, --seq-len; --no-embeddings starts from hidden states)' },
};

/** Names `buildZooModel` accepts, in a stable order. */
export function zooNames(): string[] {
  return Object.keys(ZOO);
}

export function zooDescription(name: string): string {
  return ZOO[name]?.description ?? '';
}

/** Generates a zoo model: real architecture, float32, seeded weights (same options -> same model). */
export function buildZooModel(name: string, opts: ZooOptions = {}): Model {
  const entry = ZOO[name];
  if (!entry) throw new Error(`zoo: unknown model '${name}'; available: ${zooNames().join(', ')}`);
  return entry.build(opts);
}
