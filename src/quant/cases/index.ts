/** The TF-QAT custom Q/DQ cases by command-line name. */
import type { QdqCase } from '../plan.ts';
import { efficientNetCase } from './efficientnet.ts';
import { inceptionCase } from './inception.ts';
import { mobileNetCase } from './mobilenet.ts';
import { residualCase } from './residual.ts';
import { resnetV1Case } from './resnet-v1.ts';
import { resnetV2Case } from './resnet-v2.ts';

export const CASES: Readonly<Record<string, QdqCase>> = {
  resnet_v1: resnetV1Case,
  resnet_v2: resnetV2Case,
  efficientnet: efficientNetCase,
  mobilenet: mobileNetCase,
  inception: inceptionCase,
  residual: residualCase,
};

export type CaseName = 'resnet_v1' | 'resnet_v2' | 'efficientnet' | 'mobilenet' | 'inception' | 'residual';

export const CASE_NAMES = Object.keys(CASES) as CaseName[];
