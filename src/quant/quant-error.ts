/** A user-facing error from Q/DQ insertion or calibration; the message names the node, tensor or file. */
export class QuantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantError';
  }
}
