/** The report as JSON: the report object itself, two-space indented, one trailing newline. */
import type { ReconcileReport } from './types';

export function renderJson(report: ReconcileReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
