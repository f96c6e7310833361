/**
 * A bad argument to a loss function. The message names the function, the argument and the shapes;
 * `fn` and `argument` carry the same for code that wants to react to them.
 */
export class LossArgumentError extends Error {
  constructor(
    readonly fn: string,
    readonly argument: string,
    message: string,
  ) {
    super(`Error in ${fn}: ${message}`);
    this.name = 'LossArgumentError';
  }
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** alpha ∈ [0, 1], or any negative number to switch the alpha term off (the reference's −1). */
export function checkAlpha(fn: string, alpha: number): void {
  if (!Number.isFinite(alpha) || alpha > 1) {
    throw new LossArgumentError(fn, 'alpha', `alpha must be in [0, 1], or negative to disable it (got ${alpha})`);
  }
}

export function checkGamma(fn: string, gamma: number): void {
  if (!(gamma >= 0) || !Number.isFinite(gamma)) {
    throw new LossArgumentError(fn, 'gamma', `gamma must be a finite number >= 0 (got ${gamma})`);
  }
}

/** A per-class alpha: one value in [0, 1] per class (the logits' last axis, of size `numClasses`). */
export function checkPerClassAlpha(fn: string, alpha: readonly number[], numClasses: number, logitsShape: readonly number[]): void {
  if (alpha.length !== numClasses) {
    throw new LossArgumentError(fn, 'perClassAlpha', `perClassAlpha needs one value per class: logits ${shapeText(logitsShape)} have ${numClasses} on the last axis, perClassAlpha has ${alpha.length}`);
  }
  alpha.forEach((v, i) => {
    if (!(v >= 0 && v <= 1)) throw new LossArgumentError(fn, 'perClassAlpha', `perClassAlpha[${i}] must be in [0, 1] (got ${v})`);
  });
}

export function checkSameShape(fn: string, a: readonly number[], an: string, b: readonly number[], bn: string): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new LossArgumentError(fn, bn, `${an} ${shapeText(a)} and ${bn} ${shapeText(b)} must have the same shape`);
  }
}

/** Targets of a sigmoid loss: every value in [0, 1] (soft labels allowed); NaN is refused too. */
export function checkUnitInterval(fn: string, values: ArrayLike<number>, shape: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) {
      throw new LossArgumentError(fn, 'targets', `targets must be in [0, 1] (got ${v} at flat index ${i} of targets ${shapeText(shape)})`);
    }
  }
}
