/**
 * The declarative CDAR tables (schemas/cdar-status.json, schemas/cdar-reasons.json) and the
 * look-ups over them: CDAR status of a CPPStatut invoice status, reason code of a rule id.
 * Pure; the JSON is read once at load time.
 */
import statusTable from '../../../schemas/cdar-status.json';
import reasonTable from '../../../schemas/cdar-reasons.json';

/** CDAR statuses chorus-flux writes (a subset of BR-FR-CDV-CL-06's list). */
export type CdarStatusCode =
  | '200' | '201' | '202' | '203' | '204' | '205' | '206' | '207' | '208' | '209' | '210' | '211' | '212' | '213' | '221' | '501';

/** RoleCodes BR-FR-CDV accepts for a party of the message (CL-02, CL-03, CL-04). */
export type CdarRole = 'BY' | 'AB' | 'DL' | 'SE' | 'SR' | 'WK' | 'DFH' | 'PE' | 'PR' | 'II' | 'IV';

export interface CdarStatusInfo {
  label: string;
  /** MDT-77 AcknowledgementDocument/TypeCode: 305 transmission phase, 23 processing phase */
  typeCode: '305' | '23';
  /** MDT-88 ReferenceReferencedDocument/StatusCode (UN/CEFACT 4405), null when not written */
  statusCode: string | null;
  /** RoleCode of the issuer of the status (ExchangedDocument/IssuerTradeParty) */
  issuerRole: CdarRole;
  reasonRequired: boolean;
  amountsRequired?: boolean;
}

export interface CppStatutMapping {
  name: string;
  cdar: CdarStatusCode | null;
  reason?: string;
  note?: string;
}

export interface ReasonRule {
  match: string | string[];
  status: CdarStatusCode;
  reason: string;
  byStatus?: Partial<Record<string, string>>;
  why: string;
}

const STATUS = statusTable as unknown as {
  statuses: Record<CdarStatusCode, CdarStatusInfo>;
  fromCppStatut: Record<string, CppStatutMapping | string>;
  pipeline: Record<string, { cdar: CdarStatusCode; note: string } | string>;
};
const REASONS = reasonTable as unknown as {
  codes: Record<string, string | null>;
  allowedByStatus: Record<string, string[]>;
  fallback: Record<string, string>;
  rules: ReasonRule[];
};

export const CDAR_STATUSES: Readonly<Record<CdarStatusCode, CdarStatusInfo>> = STATUS.statuses;
export const CDAR_STATUS_CODES = Object.keys(STATUS.statuses) as CdarStatusCode[];

/** The closed list of reason codes (BR-FR-CDV-CL-09) with their French label (null: B2G only, not written). */
export const CDAR_REASON_CODES: Readonly<Record<string, string | null>> = REASONS.codes;
export const CDAR_REASON_RULES: readonly ReasonRule[] = REASONS.rules;

/** The reason code a status takes when nothing more precise is known (schemas/cdar-reasons.json "fallback"); none for a status that is no refusal. */
export function fallbackReasonFor(status: string): string | undefined {
  return REASONS.fallback[status];
}

/** Statuses chorus-flux gives an invoice from its own checks. */
export const PIPELINE_STATUS = {
  rejection: '213',
  irrecevable: '501',
  suspension: '208',
  completion: '209',
  delivery: '203',
} as const satisfies Record<string, CdarStatusCode>;

export function isCdarStatus(code: string): code is CdarStatusCode {
  return Object.prototype.hasOwnProperty.call(STATUS.statuses, code);
}

export function isReasonCode(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(REASONS.codes, code);
}

/** Reason codes BR-FR-CDV-CL-09 accepts for a status; undefined when any code of the closed list is accepted. */
export function allowedReasonCodes(status: string): readonly string[] | undefined {
  return REASONS.allowedByStatus[status];
}

export function reasonAllowed(status: string, code: string): boolean {
  if (!isReasonCode(code)) return false;
  const list = REASONS.allowedByStatus[status];
  return list === undefined || list.includes(code);
}

/** The French label of a reason code, or the code itself when it has none. */
export function reasonLabel(code: string): string {
  return REASONS.codes[code] ?? code;
}

/** CDAR status of a CPPStatut invoice status (IdStatut 01–12) decided by the finance SI; null: CPPStatut only. */
export function cdarStatusForCppStatut(idStatut: string): CdarStatusCode | null {
  const m = STATUS.fromCppStatut[idStatut.padStart(2, '0')];
  return typeof m === 'object' && m !== null ? m.cdar : null;
}

export function cppStatutMapping(idStatut: string): CppStatutMapping | undefined {
  const m = STATUS.fromCppStatut[idStatut.padStart(2, '0')];
  return typeof m === 'object' && m !== null ? m : undefined;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

const COMPILED = REASONS.rules.map((r) => ({ rule: r, res: (Array.isArray(r.match) ? r.match : [r.match]).map(globToRegExp) }));

/** The first entry of schemas/cdar-reasons.json whose pattern matches the rule id. */
export function reasonRuleFor(ruleId: string): ReasonRule | undefined {
  const id = ruleId.trim().toUpperCase();
  // loops, not closures over the id made per call (docs/PERFORMANCE.md, thirty-first round)
  for (const c of COMPILED) for (const re of c.res) if (re.test(id)) return c.rule;
  return undefined;
}

/**
 * The reason code (MDT-113) for a finding of rule `ruleId`.
 * Without `status`: the code under the status chorus-flux itself gives that finding (the entry's
 * `status`: 501 reception, 208 suspension, 213 rejection). With `status`: a code BR-FR-CDV accepts
 * for that status (the entry's `byStatus`, else its reason when allowed, else the status fallback).
 */
export function reasonCodeFor(ruleId: string, status?: string): string {
  const r = reasonRuleFor(ruleId);
  if (status === undefined) return r?.reason ?? REASONS.fallback.default;
  const special = r?.byStatus?.[status];
  if (special !== undefined) return special;
  if (r !== undefined && reasonAllowed(status, r.reason)) return r.reason;
  const fb = REASONS.fallback[status];
  if (fb !== undefined) return fb;
  return REASONS.fallback.default;
}

/** The status chorus-flux gives an invoice for a finding of this rule (501, 208 or 213). */
export function naturalStatusFor(ruleId: string): CdarStatusCode {
  return reasonRuleFor(ruleId)?.status ?? '213';
}
