/**
 * Every rule table, in the order findings are reported: EN 16931 first, then Chorus Pro.
 */
import type { Rule } from '../rule';
import { CHORUS_RULES } from './chorus';
import { EN16931_RULES } from './en16931';
import { PIVOT_CONFORMANCE_RULES } from './pivot-conformance';

export const ALL_RULES: readonly Rule[] = [...EN16931_RULES, ...CHORUS_RULES, ...PIVOT_CONFORMANCE_RULES];
