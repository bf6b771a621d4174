/**
 * The problems a configuration check reports (ConfigError), none when it passes; any other
 * error is thrown on.
 */
import { ConfigError } from '../../src/config/config';

export function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}
