/** A caller's bug: an argument of an image function that does not hold what it should (names the call and argument). */
export class ImageInputError extends Error {
  constructor(fn: string, message: string) {
    super(`Error in ${fn}: ${message}`);
    this.name = 'ImageInputError';
  }
}
