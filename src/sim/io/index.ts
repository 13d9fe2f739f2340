// numpy .npy / .npz read and write.
export { NpyError, decodeNpy, encodeNpy, npyDescr, readNpy, writeNpy } from './npy.ts';
export { decodeNpz, encodeNpz, readNpz, writeNpz } from './npz.ts';
