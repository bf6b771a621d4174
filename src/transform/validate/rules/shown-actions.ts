/**
 * The list of a PDF's forbidden actions as warning FACTURX-ACTIONS shows it: the reason a status
 * flow carries is cut at 300 characters, so the list takes the room the message leaves and
 * counts what does not fit ("and 4 more") instead of running off the end.
 */
import { MAX_REASON } from '../../../util/reason';

export function shownActions(actions: readonly string[], message: string): string {
  const room = MAX_REASON - message.replace('{found}', '').length;
  const shown: string[] = [];
  const more = (n: number) => [...shown, `and ${n} more`].join('; ');
  for (let k = 0; k < actions.length; k++) {
    const left = actions.length - k - 1;
    const next = [...shown, actions[k]].join('; ');
    // the next one only if "and N more" for those after it still fits
    if ((left > 0 ? `${next}; and ${left} more` : next).length > room) return more(actions.length - k);
    shown.push(actions[k]);
  }
  return shown.join('; ');
}
