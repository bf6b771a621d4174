/** The project folder (where package.json is), from src/ under ts-jest or dist/src/ when built. */
import { existsSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'schemas')) && existsSync(path.join(dir, 'config'))) return (cached = dir);
    dir = path.dirname(dir);
  }
  return (cached = path.resolve(__dirname, '../..'));
}
