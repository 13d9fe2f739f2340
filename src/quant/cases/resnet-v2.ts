/** ResNetV2QDQCase = residual case + BN case + MaxPool case (v2 has MaxPool on residual shortcuts). */
import type { QdqCase } from '../plan.ts';
import { batchNormEntries } from './batchnorm.ts';
import { maxPoolEntries } from './maxpool.ts';
import { residualEntries } from './residual.ts';

export const resnetV2Case: QdqCase = {
  name: 'resnet_v2',
  summary: 'ResNet-v2: residual connections, BatchNorm not fed by a Conv, MaxPool inputs',
  entries: (ctx) => [...residualEntries(ctx), ...batchNormEntries(ctx), ...maxPoolEntries(ctx)],
};
