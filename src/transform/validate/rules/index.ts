/**
 * Every rule table, in the order findings are reported: the Factur-X profile first (a MINIMUM
 * or BASIC WL fails many EN 16931 rules for one reason, which the flow's reason must give), then
 * EN 16931, then Chorus Pro (a deposited pivot's sums last: a value no decimal is said first).
 */
import type { Rule } from '../rule';
import { CHORUS_RULES } from './chorus';
import { EN16931_RULES } from './en16931';
import { FACTURX_PROFILE_RULES } from './facturx-profile';
import { PIVOT_CONFORMANCE_RULES } from './pivot-conformance';
import { PIVOT_TOTALS_RULES } from './pivot-totals';

export const ALL_RULES: readonly Rule[] = [...FACTURX_PROFILE_RULES, ...EN16931_RULES, ...CHORUS_RULES, ...PIVOT_CONFORMANCE_RULES, ...PIVOT_TOTALS_RULES];
