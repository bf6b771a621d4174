/**
 * Invoice states (CPPFactureStatuts codes) and the transitions a finance SI's status flow
 * may make, as a table. A transition not in the table is refused with a reason, as Chorus
 * Pro refuses it. Deposit, suspension by the pipeline, completion and recycling are the
 * pipeline's own transitions (decide.ts).
 */
export const INVOICE_STATES = {
  '01': 'DEPOSEE',
  '02': 'EN_COURS_ACHEMINEMENT',
  '03': 'MISE_A_DISPOSITION',
  '04': 'A_RECYCLER',
  '05': 'REJETEE',
  '06': 'SUSPENDUE',
  '07': 'SERVICE_FAIT',
  '08': 'MANDATEE',
  '09': 'MISE_A_DISPOSITION_COMPTABLE',
  '10': 'COMPTABILISEE',
  '11': 'MISE_EN_PAIEMENT',
  '12': 'COMPLETEE',
} as const;

export type StateCode = keyof typeof INVOICE_STATES;
export type StateName = (typeof INVOICE_STATES)[StateCode];

/** The code of each state, as status flows carry it (IdStatut). */
export const CODE_OF = Object.fromEntries(Object.entries(INVOICE_STATES).map(([c, n]) => [n, c])) as Record<StateName, StateCode>;

export function stateName(code: string): StateName | undefined {
  return (INVOICE_STATES as Record<string, StateName>)[code];
}

/** Statuses a finance SI may send, by current state. */
export const SI_TRANSITIONS: Record<StateName, readonly StateName[]> = {
  DEPOSEE: [],
  EN_COURS_ACHEMINEMENT: [],
  MISE_A_DISPOSITION: ['A_RECYCLER', 'REJETEE', 'SUSPENDUE', 'SERVICE_FAIT', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE', 'MISE_EN_PAIEMENT'],
  A_RECYCLER: ['REJETEE'],
  REJETEE: [],
  SUSPENDUE: ['REJETEE'],
  SERVICE_FAIT: ['MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE', 'MISE_EN_PAIEMENT', 'REJETEE', 'SUSPENDUE'],
  MANDATEE: ['MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE', 'MISE_EN_PAIEMENT'],
  MISE_A_DISPOSITION_COMPTABLE: ['COMPTABILISEE', 'MISE_EN_PAIEMENT'],
  COMPTABILISEE: ['MISE_EN_PAIEMENT'],
  MISE_EN_PAIEMENT: [],
  COMPLETEE: ['A_RECYCLER', 'REJETEE', 'SUSPENDUE', 'SERVICE_FAIT', 'MANDATEE'],
};

/**
 * The steps toward payment a finance SI may tell late, after a newer one (07 SERVICE_FAIT of 09:00
 * delivered after 08 MANDATEE of 10:00): forwarded with their own moment, the state kept. A late
 * suspension, rejection or recycling is refused as older (CPRO-STATUT-ANTERIEUR): told after a
 * newer status, it would ask the supplier for what no longer applies.
 */
export const LATE_STEPS: ReadonlySet<StateName> = new Set(['SERVICE_FAIT', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE']);

/** States in which a new deposit of the same invoice is not a duplicate. */
export const REDEPOSIT: Partial<Record<StateName, 'Complétée' | 'Recyclée'>> = {
  SUSPENDUE: 'Complétée',
  A_RECYCLER: 'Recyclée',
};
