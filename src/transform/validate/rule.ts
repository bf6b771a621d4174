/**
 * Rules are data: an id, a severity, the profile that runs it, what it applies to, a check
 * over the canonical model and a message template. The engine (engine.ts) runs them and
 * turns each violation into a Finding.
 */
import type { Recipient } from '../../config/config';
import type { Severity } from '../../model/finding';
import type { Invoice, SourceSyntax } from '../../model/invoice';

/** en16931: the EN 16931 rules only; chorus: EN 16931 + the Chorus Pro CPRO-* rules. */
export type Profile = 'en16931' | 'chorus';

/** What the Chorus Pro rules need to know of the installation; pure data. */
export interface ChorusContext {
  recipients: readonly Recipient[];
  limits: { maxAttachmentBytes: number; maxInvoiceBytes: number };
}

export interface RuleContext {
  invoice: Invoice;
  chorus?: ChorusContext;
}

export interface Violation {
  /** XPath-like location; defaults to the rule's own path for the invoice's syntax */
  path?: string;
  /** values for the message template's {placeholders} */
  values?: Record<string, string | number | undefined>;
}

export interface Rule {
  id: string;
  severity: Severity;
  profile: Profile;
  /**
   * Source syntaxes the rule runs on (undefined: every syntax). The EN 16931 rules are bound
   * to UBL or CII, each following its own official schematron; they need the parser's
   * syntax facts (Invoice.syntaxFacts) and never run on pivot input.
   */
  syntaxes?: readonly SourceSyntax[];
  /** a different severity in a profile, e.g. a syntax restriction that a Chorus Pro convention relaxes */
  severityIn?: Partial<Record<Profile, Severity>>;
  /** rule family for reports (BR, BR-CO, BR-DEC, VAT category, BR-CL, UBL-SR, CII-DT…) */
  family?: string;
  /** human description of the target: "invoice", "each invoice line", "each VAT breakdown"… */
  appliesTo: string;
  /** message template; {name} is replaced by violation.values.name */
  message: string;
  /**
   * true when the supplier can complete the defect (missing engagement number, missing
   * mandatory attachment): the pipeline suspends the invoice instead of refusing it.
   */
  suspendable?: boolean;
  /** returns the violations; an empty array (or undefined) means the rule holds */
  check(ctx: RuleContext): Violation[] | undefined;
}

/**
 * Shorthand for a rule that holds or fails once for the whole invoice. A path or values given
 * as a function are only worked out when the rule fails (most invoices pass every rule).
 */
export function once(ok: boolean, path?: string | (() => string | undefined), values?: Violation['values'] | (() => Violation['values'])): Violation[] | undefined {
  if (ok) return undefined;
  return [{ path: typeof path === 'function' ? path() : path, values: typeof values === 'function' ? values() : values }];
}
