import { UserError } from '@retina/errors';

/** A requested tensor engine could not be started (or, for 'auto', none could). */
export class EngineUnavailableError extends UserError {
  constructor(engine: string, reason: string) {
    super(`engine '${engine}' is not available: ${reason}`);
    this.name = 'EngineUnavailableError';
  }
}

/** An option of selectEngine is out of range. */
export class EngineOptionError extends UserError {
  constructor(option: string, detail: string) {
    super(`selectEngine: ${option} ${detail}`);
    this.name = 'EngineOptionError';
  }
}

/** A model directory is missing files, truncated or inconsistent, or artifacts cannot be saved in this format. */
export class ModelFormatError extends UserError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ModelFormatError';
  }
}
