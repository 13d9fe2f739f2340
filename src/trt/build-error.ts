/** TensorRT would refuse this network (parser or builder error). The message follows TensorRT's wording. */
export class TrtBuildError extends Error {
  constructor(message: string, readonly node?: string) {
    super(node ? `${message} (node '${node}')` : message);
    this.name = 'TrtBuildError';
  }
}
