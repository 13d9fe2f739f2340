/** ResNetV1QDQCase = the residual case. */
import type { QdqCase } from '../plan.ts';
import { residualEntries } from './residual.ts';

export const resnetV1Case: QdqCase = { name: 'resnet_v1', summary: 'ResNet-v1: residual connections', entries: residualEntries };
