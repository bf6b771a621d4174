/**
 * Whether a text shows anything: a character that is neither white space (Unicode's, U+00A0,
 * U+FEFF included), a separator, a control nor a format character (U+200B zero width space,
 * U+2060 word joiner, U+00AD soft hyphen, direction marks), nor one of the letters drawn blank
 * (Hangul fillers, the blank Braille pattern). The official rules test a name with
 * normalize-space(), which strips XML's four white space characters only: a buyer name of
 * U+FEFF alone passes BR-07 and prints as nothing.
 */
const INVISIBLE = /^[\s\p{Z}\p{Cc}\p{Cf}\u115F\u1160\u3164\uFFA0\u2800]*$/u;

export const hasVisible = (s: string | undefined): boolean => s !== undefined && !INVISIBLE.test(s);
