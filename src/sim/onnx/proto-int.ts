/**
 * protobufjs hands int64 fields over as `Long` when the long package is present, else as numbers.
 * qdqsim's IR keeps them as JS numbers: exact up to 2^53. Beyond that the nearest double is kept,
 * which still round-trips INT64_MAX/INT64_MIN (the sentinels ONNX models actually use).
 */
export function int64ToNumber(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** A dimension or length: must be a non-negative integer that a double represents exactly. */
export function int64ToSize(v: number | Long | null | undefined, what: string): number {
  const n = int64ToNumber(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${what} is ${n}, not a non-negative integer below 2^53`);
  return n;
}
