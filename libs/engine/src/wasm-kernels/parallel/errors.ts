/** Data-parallel training failed: a worker could not build its replica, a step threw, or the inputs were wrong. */
export class DataParallelError extends Error {
  constructor(message: string) {
    super(`data-parallel training: ${message}`);
    this.name = 'DataParallelError';
  }
}
