/**
 * bench/validate.ts rewrites only its own section of docs/PERFORMANCE.md, and survives the
 * other benchmarks rewriting theirs ("## Title" up to the next heading).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeValidationSection } from '../../bench/validate';

/** How the other benchmarks write: their heading up to the next "## ". */
function otherBench(file: string, heading: string, body: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(heading);
  const rest = text.slice(start + heading.length);
  const next = rest.search(/^## /m);
  writeFileSync(file, `${text.slice(0, start)}${heading}\n\n${body}\n\n${next < 0 ? '' : rest.slice(next)}`);
}

it('keeps one validation section whatever the order of the benchmark runs', () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cf-perf-')), 'PERFORMANCE.md');
  writeFileSync(file, '# Performance\n\n## Reconciliation\n\nold\n\n## Factur-X\n\nfx\n');
  writeValidationSection('first run', file);
  otherBench(file, '## Reconciliation', 'new reconciliation figures');
  writeValidationSection('second run', file);
  otherBench(file, '## Factur-X', 'new fx');
  writeValidationSection('third run', file);
  const text = readFileSync(file, 'utf8');
  expect(text.match(/## Validation \(EN 16931\)/g)).toHaveLength(1);
  expect(text.match(/bench:validate:begin/g)).toHaveLength(1);
  expect(text).toContain('third run');
  expect(text).not.toContain('second run');
  expect(text).toContain('new reconciliation figures');
  expect(text).toContain('new fx');
});
