// Importing this module registers every shape rule.
import './elementwise.ts';
import './nn.ts';
import './tensor.ts';
import './quant.ts';
