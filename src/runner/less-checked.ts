/**
 * An invoice sent less checked than it should be: a validation rule threw on its data (a fault
 * of chorus-flux; the invoice was judged without that rule), or its pivot went out without a
 * Factur-X (not even MINIMUM could be made). Both are warnings in the journal and errors in
 * the log; `run`'s summary and the worker's metrics count them, so that nobody has to read
 * every line to learn of them.
 */
import { UNEVALUATED } from '../transform/validate/unevaluated';

export type LessCheckedReason = 'rule' | 'facturx';

/** The reasons an invoice of a result went out less checked (none for most). */
export function lessChecked(inv: { outcome: string; findings?: readonly { rule: string; message: string }[] }): LessCheckedReason[] {
  if (inv.outcome !== 'accepted' && inv.outcome !== 'completed' && inv.outcome !== 'recycled') return [];
  const out: LessCheckedReason[] = [];
  const f = inv.findings ?? [];
  if (f.some((x) => x.message.includes(UNEVALUATED))) out.push('rule');
  if (f.some((x) => x.rule === 'CPRO-FACTURX')) out.push('facturx');
  return out;
}
