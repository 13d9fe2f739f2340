/**
 * A problem reading or writing an ONNX file: corrupt or truncated protobuf, an unsupported field,
 * an unsafe external-data reference. The message starts with the file (or `<bytes>` when the model
 * came from memory) and the element concerned, so a user can find it without a stack trace.
 */
export class ModelFormatError extends Error {
  constructor(message: string, readonly file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'ModelFormatError';
  }
}

/** Runs `fn`, prefixing any error it throws with `where` (e.g. `graph 'main': node 'Conv_3'`). */
export function within<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const err = e as Error;
    const msg = err?.message ?? String(e);
    throw new Error(`${where}: ${msg}`, { cause: e });
  }
}
