import { UserError } from '@retina/errors';

/** A backbone / FPN option that cannot be built (names the field and the value). */
export class FpnConfigError extends UserError {
  constructor(field: string, message: string) {
    super(`fpn config: ${field}: ${message}`);
    this.name = 'FpnConfigError';
  }
}

/** A pretrained-weights directory that cannot be used (names the file and what is wrong). */
export class PretrainedWeightsError extends UserError {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'PretrainedWeightsError';
  }
}

/** A feature map whose shape does not fit the module it is given to. */
export class FeatureShapeError extends Error {
  constructor(fn: string, message: string) {
    super(`Error in ${fn}: ${message}`);
    this.name = 'FeatureShapeError';
  }
}
