/**
 * Runs the rule tables over one invoice. Pure: same invoice and context, same findings.
 *
 * The rules that apply to a (profile, syntax) pair are selected once and cached, so the hot
 * path is a loop over the applicable rules only.
 */
import type { Finding, Severity } from '../../model/finding';
import type { SourceSyntax } from '../../model/invoice';
import { ALL_RULES } from './rules';
import { UNEVALUATED } from './unevaluated';
import type { Profile, Rule, RuleContext } from './rule';

export interface ValidationFinding extends Finding {
  suspendable?: boolean;
  /** the rule threw: the invoice was not judged by it (a fault of chorus-flux, not of the invoice) */
  unevaluated?: boolean;
}

export { UNEVALUATED };

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * The directional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): a value
 * from the invoice that holds one reverses the rest of the reason as the partner reads it
 * ("facture\u202Egnp.exe" shows as "facture" + "exe.png"), up to the end of the status flow's line.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

function render(template: string, values: Record<string, string | number | undefined> | undefined): string {
  if (!values || template.indexOf('{') < 0) return template;
  return template.replace(PLACEHOLDER, (m, k: string) => {
    const v = values[k];
    return v === undefined ? m : String(v).replace(BIDI_CONTROLS, '');
  });
}

function inProfile(rule: Rule, profile: Profile): boolean {
  return profile === 'chorus' || rule.profile === 'en16931';
}

export function rulesFor(profile: Profile, rules: readonly Rule[] = ALL_RULES): Rule[] {
  return rules.filter((r) => inProfile(r, profile));
}

interface Selected {
  rule: Rule;
  severity: Severity;
  /** a Chorus Pro rule: runs only with the installation's context */
  chorusOnly: boolean;
  /** syntax-bound: reads the parser's facts */
  needsFacts: boolean;
  /** an EN 16931 syntax rule: judges the values as written */
  asWritten: boolean;
}

const selection = new WeakMap<readonly Rule[], Map<string, Selected[]>>();

/** The rules of a profile that run on a syntax, in table order, with their severity there. */
export function selectRules(profile: Profile, syntax: SourceSyntax, rules: readonly Rule[] = ALL_RULES): readonly Selected[] {
  let byKey = selection.get(rules);
  if (!byKey) selection.set(rules, (byKey = new Map()));
  const key = `${profile}|${syntax}`;
  let list = byKey.get(key);
  if (!list) {
    list = rules
      .filter((r) => inProfile(r, profile) && (r.syntaxes === undefined || r.syntaxes.includes(syntax)))
      .map((rule) => ({
        rule,
        severity: rule.severityIn?.[profile] ?? rule.severity,
        chorusOnly: rule.profile === 'chorus',
        needsFacts: rule.syntaxes !== undefined,
        asWritten: rule.profile === 'en16931' && rule.syntaxes !== undefined,
      }));
    byKey.set(key, list);
  }
  return list;
}

function hasFactsFor(ctx: RuleContext): boolean {
  const f = ctx.invoice.syntaxFacts;
  const s = ctx.invoice.syntax;
  return s === 'UBL' ? f?.ubl !== undefined : s === 'CII' ? f?.cii !== undefined : false;
}

export function validateInvoice(ctx: RuleContext, profile: Profile = 'chorus', rules: readonly Rule[] = ALL_RULES): ValidationFinding[] {
  const out: ValidationFinding[] = [];
  const facts = hasFactsFor(ctx);
  // the EN 16931 rules judge the values as written, white space at their ends kept, as the official schematron does
  const asWritten = ctx.invoice.syntaxFacts?.asWritten;
  const enCtx = asWritten ? { ...ctx, invoice: asWritten } : ctx;
  const selected = selectRules(profile, ctx.invoice.syntax, rules);
  for (let i = 0; i < selected.length; i++) {
    const { rule, severity, chorusOnly, needsFacts, asWritten: judgesAsWritten } = selected[i];
    if (chorusOnly && !ctx.chorus) continue;
    // syntax-bound rules read the parser's facts; an invoice built without them is not judged by them
    if (needsFacts && !facts) continue;
    let violations;
    try {
      violations = rule.check(judgesAsWritten ? enCtx : ctx);
    } catch (e) {
      // a rule must never take the process down; report the failure as a finding
      out.push({ rule: rule.id, severity: 'warning', message: `rule ${rule.id}${UNEVALUATED}${(e as Error).message}`, unevaluated: true });
      continue;
    }
    if (!violations) continue;
    for (const v of violations) {
      const f: ValidationFinding = { rule: rule.id, severity, message: render(rule.message, v.values) };
      if (v.path !== undefined) f.path = v.path;
      if (rule.suspendable) f.suspendable = true;
      out.push(f);
    }
  }
  return out;
}
