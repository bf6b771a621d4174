/**
 * EN 16931 business rules (BR-*, BR-CO-*, BR-DEC-*, VAT category families, BR-CL-*) and the
 * official syntax binding rules (UBL-SR/DT/CR, CII-SR/DT), for UBL and CII input.
 * Ids, severities and messages follow the official schematron (corpus/en16931/xslt); each
 * rule runs on the syntax whose schematron defines it (see rules/define.ts).
 */
import type { Rule } from '../rule';
import { CII_SYNTAX_RULES } from './cii-syntax';
import { CL_RULES } from './en16931-cl';
import { CO_RULES } from './en16931-co';
import { CORE_RULES } from './en16931-core';
import { DEC_RULES } from './en16931-dec';
import { VAT_RULES } from './en16931-vat';
import { UBL_SYNTAX_RULES } from './ubl-syntax';

export const EN16931_RULES: Rule[] = [...CORE_RULES, ...CO_RULES, ...DEC_RULES, ...VAT_RULES, ...CL_RULES, ...UBL_SYNTAX_RULES, ...CII_SYNTAX_RULES];
