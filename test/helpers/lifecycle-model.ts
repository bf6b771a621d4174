/**
 * A reference model of one invoice key's lifecycle (supplier + number + year), written from
 * DESIGN.md §4 and docs/OPERATIONS.md ("Rejecting an invoice its supplier never completed"),
 * not from src/lifecycle: what each event should do to the key, and what should come out.
 * Used by test/lifecycle/lifecycle-model.test.ts against random sequences of real files.
 */

/** Where a key is in its life, as the model sees it. */
export type ModelState =
  | 'NONE' // never deposited (or only refused)
  | 'SUSP_PIPE' // suspended by chorus-flux on deposit: never sent to a finance SI
  | 'SENT' // pivot out (03 MISE_A_DISPOSITION, or after completion / recycling)
  | 'SUSP_SI' // 06 from its finance SI
  | 'RECYCLE' // 04 A_RECYCLER from its finance SI
  | 'SF' // 07 SERVICE_FAIT
  | 'PAID' // 11 MISE_EN_PAIEMENT
  | 'REJ'; // 05 REJETEE (by its SI, or by the operator after a pipeline suspension)

export interface KeyModel {
  state: ModelState;
  idCpro?: string;
  /** the partner who deposited it last (statuses are forwarded to it) */
  depositor?: string;
}

/** valid; missing a piece the recipient requires (engagement number, complementary attachment): completable; invalid */
export type DepositVariant = 'valid' | 'noEJ' | 'noPJ' | 'invalid';
export type DepositOutcome = 'accepted' | 'suspended' | 'completed' | 'recycled' | 'duplicate' | 'refused';

export interface DepositExpect {
  outcome: DepositOutcome;
  /** Renvoi of the pivot unit, when one goes out */
  renvoi?: 'Non' | 'Complétée' | 'Recyclée';
  /** a new IdCPRO, the key's own, or none */
  id: 'new' | 'same' | 'none';
  next: ModelState;
}

/** A deposit of the key: a new invoice, a duplicate, a completion, a corrected invoice, an invalid one. */
export function onDeposit(k: KeyModel, variant: DepositVariant): DepositExpect {
  if (variant === 'invalid') return { outcome: 'refused', id: 'none', next: k.state };
  const incomplete = variant === 'noEJ' || variant === 'noPJ';
  const table: Record<ModelState, DepositExpect> = {
    NONE: incomplete ? { outcome: 'suspended', id: 'new', next: 'SUSP_PIPE' } : { outcome: 'accepted', renvoi: 'Non', id: 'new', next: 'SENT' },
    SUSP_PIPE: incomplete ? { outcome: 'suspended', id: 'same', next: 'SUSP_PIPE' } : { outcome: 'completed', renvoi: 'Complétée', id: 'same', next: 'SENT' },
    SUSP_SI: { outcome: 'completed', renvoi: 'Complétée', id: 'same', next: 'SENT' },
    RECYCLE: { outcome: 'recycled', renvoi: 'Recyclée', id: 'same', next: 'SENT' },
    SENT: { outcome: 'duplicate', id: 'same', next: 'SENT' },
    SF: { outcome: 'duplicate', id: 'same', next: 'SF' },
    PAID: { outcome: 'duplicate', id: 'same', next: 'PAID' },
    REJ: { outcome: 'duplicate', id: 'same', next: 'REJ' },
  };
  return table[k.state];
}

/** Status codes a finance SI sends in these sequences, and the state each leads to. */
export const SI_CODES = { '04': 'RECYCLE', '05': 'REJ', '06': 'SUSP_SI', '07': 'SF', '11': 'PAID' } as const satisfies Record<string, ModelState>;
export type SiCode = keyof typeof SI_CODES;

/**
 * What the finance SI may say, by state: an invoice it has (sent, service done) may be recycled
 * (only before service is done: routing data wrong), suspended, rejected, attested, paid;
 * a suspended or recycled one waits for its supplier and can only be rejected meanwhile;
 * rejected and paid are final.
 */
const SI_MAY: Record<ModelState, readonly SiCode[]> = {
  NONE: [],
  SUSP_PIPE: [],
  SENT: ['04', '05', '06', '07', '11'],
  SF: ['05', '06', '11'],
  SUSP_SI: ['05'],
  RECYCLE: ['05'],
  PAID: [],
  REJ: [],
};

/** The codes the model lets a key's finance SI send it now (the generator leans on them to go deep). */
export const siMay = (state: ModelState): readonly SiCode[] => SI_MAY[state];

export interface StatusExpect {
  applied: boolean;
  next: ModelState;
}

/** A status line from `fromItsSi` (the key's finance SI or another partner). */
export function onSiStatus(k: KeyModel, code: SiCode, fromItsSi: boolean): StatusExpect {
  const applied = fromItsSi && SI_MAY[k.state].includes(code);
  return { applied, next: applied ? SI_CODES[code] : k.state };
}

/** `chorus-flux reject <IdCPRO>`: only an invoice the pipeline suspended on deposit (or already so rejected). */
export function onOperatorReject(k: KeyModel & { rejectedByOperator?: boolean }): { exit: 0 | 1; next: ModelState; writes: boolean } {
  if (k.state === 'SUSP_PIPE') return { exit: 0, next: 'REJ', writes: true };
  if (k.state === 'REJ' && k.rejectedByOperator) return { exit: 0, next: 'REJ', writes: false };
  return { exit: 1, next: k.state, writes: false };
}

/** The file outcome of a deposit flow from its invoices' outcomes (DESIGN §4: some bad invoices → partial, 96). */
export function depositFileOutcome(items: DepositOutcome[]): string {
  const emitted = items.filter((o) => o === 'accepted' || o === 'completed' || o === 'recycled').length;
  if (items.length === 1) return emitted ? 'accepted' : items[0];
  if (emitted === items.length) return 'accepted';
  if (emitted > 0) return 'partial';
  return items.every((o) => o === 'duplicate') ? 'duplicate' : 'refused';
}
