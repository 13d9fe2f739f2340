/** Placement tables of every zoo model in the tf2onnx export style: see zoo-placement.ts. */
import { placementSuites } from './zoo-placement.ts';

placementSuites('tf2onnx');
