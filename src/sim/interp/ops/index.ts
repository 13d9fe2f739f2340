// Importing this module registers every interpreter kernel (one file per op family).
import './elementwise.ts';
import './conv.ts';
import './matmul.ts';
import './normalization.ts';
import './pool.ts';
import './reduce.ts';
import './shape-ops.ts';
import './resize.ts';
import './quant.ts';
