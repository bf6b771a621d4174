/** A command-line argument that cannot be used (exit 2, its message printed alone, no stack). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
