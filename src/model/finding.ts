/**
 * A validation finding: which rule, how grave, where, and what was expected.
 * `fatal` refuses the invoice; `warning` is reported and journaled only.
 */
export type Severity = 'fatal' | 'warning';

export interface Finding {
  rule: string;
  severity: Severity;
  /** XPath-like location in the source, e.g. /Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount */
  path?: string;
  line?: number;
  message: string;
}

export function hasFatal(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'fatal');
}
