import { UserError } from '@retina/errors';

/** A detector option that cannot be used (names the field and the value). */
export class RetinaNetConfigError extends UserError {
  constructor(field: string, message: string) {
    super(`retinanet config: ${field}: ${message}`);
    this.name = 'RetinaNetConfigError';
  }
}

/** An input of a detector call with the wrong shape or content (names the call, argument and shapes). */
export class RetinaNetInputError extends Error {
  constructor(fn: string, message: string) {
    super(`Error in ${fn}: ${message}`);
    this.name = 'RetinaNetInputError';
  }
}

/** A saved-model directory whose metadata or weights do not describe a RetinaNet. */
export class RetinaNetModelError extends UserError {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'RetinaNetModelError';
  }
}
