/** Placement tables of every zoo model in the pytorch export style: see zoo-placement.ts. */
import { placementSuites } from './zoo-placement.ts';

placementSuites('pytorch');
