/**
 * Runs the rule tables over one invoice. Pure: same invoice and context, same findings.
 */
import type { Finding } from '../../model/finding';
import { ALL_RULES } from './rules';
import type { Profile, Rule, RuleContext } from './rule';

export interface ValidationFinding extends Finding {
  suspendable?: boolean;
}

function render(template: string, values: Record<string, string | number | undefined> | undefined): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = values[k];
    return v === undefined ? m : String(v);
  });
}

export function rulesFor(profile: Profile, rules: readonly Rule[] = ALL_RULES): Rule[] {
  return rules.filter((r) => profile === 'chorus' || r.profile === 'en16931');
}

export function validateInvoice(ctx: RuleContext, profile: Profile = 'chorus', rules: readonly Rule[] = ALL_RULES): ValidationFinding[] {
  const out: ValidationFinding[] = [];
  for (const rule of rules) {
    if (profile === 'en16931' && rule.profile !== 'en16931') continue;
    if (rule.profile === 'chorus' && !ctx.chorus) continue;
    let violations;
    try {
      violations = rule.check(ctx);
    } catch (e) {
      // a rule must never take the process down; report the failure as a finding
      out.push({ rule: rule.id, severity: 'warning', message: `rule ${rule.id} could not be evaluated: ${(e as Error).message}` });
      continue;
    }
    if (!violations) continue;
    for (const v of violations) {
      const f: ValidationFinding = { rule: rule.id, severity: rule.severity, message: render(rule.message, v.values) };
      if (v.path !== undefined) f.path = v.path;
      if (rule.suspendable) f.suspendable = true;
      out.push(f);
    }
  }
  return out;
}
