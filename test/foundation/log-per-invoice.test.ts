/**
 * The log says what became of every invoice that did not go out, not only of whole files.
 * Found by an audit: an invoice refused inside a multi-invoice pivot (a "partial" file), an
 * invoice suspended for a missing engagement number, and a finance SI's status line refused in
 * a flow otherwise applied left no log line naming them: only the journal and `trace` did.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';

it('names each refused, duplicate or suspended invoice and each refused status line, with its rule', async () => {
  const root = tempDir('cf-log-invoices-');
  const inbox = path.join(root, 'in');
  const out = path.join(root, 'out');
  mkdirSync(path.join(inbox, 'op-beta'), { recursive: true });
  cpSync(path.join(FIXTURES_INBOX, 'op-beta', 'pivot-laposte-3-factures.xml'), path.join(inbox, 'op-beta', 'pivot-laposte.xml'));
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  const avoir = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8').replace(/<cac:OrderReference>[^]*?<\/cac:OrderReference>\s*/, '');
  writeFileSync(path.join(inbox, 'op-alpha', 'avoir.xml'), avoir);
  cpSync(path.join(FIXTURES_INBOX, 'op-alpha', 'facture-e1-papeterie.xml'), path.join(inbox, 'op-alpha', 'f.xml'));
  expect((await cli(['run', inbox, '--out', out, '-q'])).code).toBe(0);

  const inbox2 = path.join(root, 'in2');
  mkdirSync(path.join(inbox2, 'si-valmont'), { recursive: true });
  const lines = [
    { supplierId: '99746507500015', buyerSiret: '21787789300016', idStatut: '07', idFacture: 'F-2026-0101' },
    { supplierId: '99746507500015', buyerSiret: '21787789300016', idStatut: '07', idFacture: 'F-NEXISTE-PAS' },
  ];
  writeFileSync(path.join(inbox2, 'si-valmont', 'statut.xml'), siStatusFlow('SI-LOG-1', lines));
  const second = await cli(['run', inbox2, '--out', out, '--no-progress']);
  expect(second.code).toBe(0);
  // at the console (warnings): the refused status line
  expect(second.stderr + second.stdout).toMatch(/status line 2 \(invoice F-NEXISTE-PAS\) refused: CPRO-STATUT-INCONNUE/);

  const log = readdirSync(path.join(out, 'logs'))
    .sort()
    .flatMap((f) => readFileSync(path.join(out, 'logs', f), 'utf8').split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string; file?: string; invoice?: string; rules?: string[] });
  const about = (invoice: string) => log.filter((l) => l.invoice === invoice && l.msg.startsWith('invoice '));
  expect(about('LP-2026-558814')).toEqual([expect.objectContaining({ level: 40, file: 'op-beta/pivot-laposte.xml', rules: ['CPRO-DESTINATAIRE-INCONNU'], msg: expect.stringMatching(/^invoice LP-2026-558814 refused: CPRO-DESTINATAIRE-INCONNU /) })]);
  expect(about('A-2026-0007')).toEqual([expect.objectContaining({ level: 30, file: 'op-alpha/avoir.xml', msg: expect.stringMatching(/^invoice A-2026-0007 suspended \(its supplier was told, SUSPENDU\): CPRO-ENGAGEMENT/) })]);
  expect(about('F-2026-0101')).toEqual([]); // accepted: its outcome line says so
  expect(log.filter((l) => l.invoice === 'F-NEXISTE-PAS')).toEqual([expect.objectContaining({ level: 40, file: 'si-valmont/statut.xml', rules: ['CPRO-STATUT-INCONNUE'] })]);
});
