/** MobileNetQDQCase = the residual case (MobileNet-v1 has no Add, so it adds nothing there). */
import type { QdqCase } from '../plan.ts';
import { residualEntries } from './residual.ts';

export const mobileNetCase: QdqCase = { name: 'mobilenet', summary: 'MobileNet: residual connections', entries: residualEntries };
