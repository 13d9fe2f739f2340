/**
 * InceptionQDQCase = MaxPool case, so every Concat input is INT8 ("horizontal fusion in the output of
 * Concat"); it also turns on scale sharing (Concat inputs and output, MaxPool in and out), which TensorRT
 * needs to eliminate the Concat without requantizing.
 */
import type { QdqCase } from '../plan.ts';
import { maxPoolEntries } from './maxpool.ts';

export const inceptionCase: QdqCase = {
  name: 'inception',
  summary: 'Inception: MaxPool inputs; shared scales across Concat inputs/output and MaxPool in/out',
  entries: maxPoolEntries,
  shareScales: true,
};
