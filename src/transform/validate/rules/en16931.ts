/**
 * EN 16931 business rules (BR-*, BR-CO-*, BR-DEC-*, VAT category families, BR-CL-*).
 * Ids, severities and messages follow the official schematron (corpus/en16931/xslt).
 */
import type { Rule } from '../rule';

export const EN16931_RULES: Rule[] = [];
