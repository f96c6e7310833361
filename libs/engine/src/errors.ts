/** A requested tensor engine could not be started (or, for 'auto', none could). */
export class EngineUnavailableError extends Error {
  readonly exitCode = 2;
  constructor(engine: string, reason: string) {
    super(`engine '${engine}' is not available: ${reason}`);
    this.name = 'EngineUnavailableError';
  }
}

/** An option of selectEngine is out of range. */
export class EngineOptionError extends Error {
  readonly exitCode = 2;
  constructor(option: string, detail: string) {
    super(`selectEngine: ${option} ${detail}`);
    this.name = 'EngineOptionError';
  }
}

/** A model directory is missing files, truncated or inconsistent, or artifacts cannot be saved in this format. */
export class ModelFormatError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ModelFormatError';
  }
}
