/**
 * BG-1 in UBL: cbc:Note has no subject code element; the EN 16931 UBL binding (and the French
 * CIUS, whose rules BR-FR-05/06 look for "#PMT#", "#PMD#", "#AAB#") writes BT-21 as a prefix of
 * BT-22: "#AAB#Pas d'escompte". Read as text only, the code went into the Factur-X CII as
 * Content "#AAB#…" without ram:SubjectCode, where CII readers (and the CII rules) look for it.
 */
import { CODES } from '../validate/codelists';

/** "#CODE#text" with CODE a UNCL 4451 subject (the UBL list of BR-CL-08) → code and text; else the text whole. */
export function ublNote(raw: string): { subjectCode?: string; text: string } {
  const m = /^\s*#([A-Z0-9]{3})#/.exec(raw);
  if (m === null || !CODES.subjectUbl.has(m[1])) return { text: raw };
  const text = raw.slice(m[0].length);
  // a code with no text: BT-22 is required in a note, so the note stays as it was written
  return text.trim() === '' ? { text: raw } : { subjectCode: m[1], text };
}
