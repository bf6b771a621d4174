/**
 * Holds a content's lock (as a worker of another machine would) until `release()`: a worker
 * that takes that content's job waits on it, inside its job, for as long as a test needs.
 */
import { withFileLock } from '../../src/state/file-lock';

export function holdLock(lockPath: string): { taken: Promise<void>; release: () => Promise<void> } {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let taken!: () => void;
  const isTaken = new Promise<void>((r) => (taken = r));
  const done = withFileLock(lockPath, async () => {
    taken();
    await held;
  });
  return { taken: isTaken, release: () => (release(), done) };
}
