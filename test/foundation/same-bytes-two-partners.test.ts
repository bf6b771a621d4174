/**
 * The same bytes from two partners (an invoice relayed by two operators). The content is
 * processed once; the second partner, whose file would otherwise end `already-processed`
 * without a word, is told once that its flow is a duplicate: a CPPStatut flow 93 with
 * CPRO-DOUBLON-FLUX, and for a CDAR partner a 213 DOUBLON per invoice. Both pass the official
 * schema and rules. A re-upload by either partner gets nothing more, and the nightly
 * reconciliation stays clean.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { checkCdar } from '../cdar/oracle';
import { cli } from '../helpers/cli';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { validateFiles } from '../helpers/xsd';

function inboxWith(root: string, name: string, drops: [partner: string, file: string][], source = PAPETERIE): string {
  const inbox = path.join(root, name);
  for (const [partner, file] of drops) {
    mkdirSync(path.join(inbox, partner), { recursive: true });
    copyFileSync(source, path.join(inbox, partner, file));
  }
  return inbox;
}

it('tells the second partner once, in its formats, and keeps one outcome for the content', async () => {
  const root = tempDir('cf-two-partners-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;

  const first = await runOnce(inboxWith(root, 'in1', [['op-alpha', 'facture.xml']]), config);
  expect(first.results.map((r) => r.outcome)).toEqual(['accepted']);
  const before = listFiles(out, ['state', 'logs', 'journal', 'reports']);

  // op-beta (CPPStatut and CDAR) sends the very same bytes
  const second = await runOnce(inboxWith(root, 'in2', [['op-beta', 'relayed.xml']]), config);
  expect(second.results.map((r) => r.outcome)).toEqual(['already-processed']);
  const added = listFiles(out, ['state', 'logs', 'journal', 'reports']).filter((f) => !before.includes(f));
  const statut = added.filter((f) => f.startsWith('statut/op-beta/'));
  const cdar = added.filter((f) => f.startsWith('cdar/op-beta/'));
  expect(statut).toHaveLength(1);
  expect(cdar).toHaveLength(1);
  // nothing else: no pivot, no archive or error copy, nothing to op-alpha
  expect(added.filter((f) => !statut.includes(f) && !cdar.includes(f))).toEqual([]);
  expect(second.results[0].outputs.map((o) => o.path).sort()).toEqual([...cdar, ...statut].sort());

  const statutXml = readFileSync(path.join(out, statut[0]), 'utf8');
  expect(statutXml).toContain('<IdStatut>93</IdStatut>');
  expect(statutXml).toContain('CPRO-DOUBLON-FLUX');
  expect(statutXml).toContain('relayed.xml');
  // who sent it first is not op-beta's to know
  expect(statutXml).toContain('already received, through another operator');
  expect(statutXml).not.toContain('op-alpha');
  expect(validateFiles(SCHEMAS.statut, [path.join(out, statut[0])]).map((r) => r.errors)).toEqual([[]]);

  const cdarXml = readFileSync(path.join(out, cdar[0]), 'utf8');
  expect(cdarXml).not.toContain('op-alpha');
  const oracle = checkCdar({ 'reply.xml': cdarXml }).get('reply.xml');
  expect(oracle?.xsdErrors).toEqual([]);
  expect(oracle?.fatal).toEqual([]);
  expect(cdarXml).toMatch(/<ram:ProcessConditionCode>213<\/ram:ProcessConditionCode>/);
  expect(cdarXml).toMatch(/<ram:ReasonCode>DOUBLON<\/ram:ReasonCode>/);

  // both partners re-upload the same bytes: neither hears again, nothing is written
  const now = listFiles(out, ['state', 'logs', 'journal', 'reports']);
  const third = await runOnce(inboxWith(root, 'in3', [['op-alpha', 'again.xml'], ['op-beta', 'again.xml']]), config);
  expect(third.results.map((r) => r.outcome).sort()).toEqual(['already-processed', 'already-processed']);
  expect(third.results.flatMap((r) => r.outputs)).toEqual([]);
  expect(listFiles(out, ['state', 'logs', 'journal', 'reports'])).toEqual(now);

  const day = dayOf(new Date(), config.timezone);
  const { lines } = await readJournalDay(path.join(out, 'journal'), day);
  expect(lines.filter((l) => l.event === 'outcome')).toHaveLength(1);
  const copies = lines.filter((l) => l.event === 'already-processed') as { partner: string; previousPartner?: string; outputs?: { path: string }[] }[];
  const seen = copies.map((l) => [l.partner, l.previousPartner ?? null, l.outputs?.length ?? 0]);
  expect(seen[0]).toEqual(['op-beta', 'op-alpha', 2]);
  expect(seen.slice(1).sort()).toEqual([
    ['op-alpha', null, 0],
    ['op-beta', null, 0],
  ]);

  // the replies are accounted for, checked and counted: the day reconciles clean
  const r = await cli(['reconcile', '--date', day, '--out', out], { timeoutMs: 60000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const reportPath = path.join(out, 'reports', `reconcile-${day}.json`);
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const onDisk = (dir: string) => listFiles(out, ['state', 'logs', 'journal', 'reports']).filter((f) => f.startsWith(dir)).length;
  // every status flow and CDAR message in the outboxes, the replies included, is counted
  expect(report.outputs.byKind.statut).toBe(onDisk('statut/'));
  expect(report.outputs.byKind.cdar).toBe(onDisk('cdar/'));
  expect([report.outputs.byKind.statut, report.outputs.byKind.cdar]).toEqual([1, 1]); // the replies: op-alpha is not told of acceptances
  expect(report.totals.files.alreadyProcessed).toBe(3);

  // a reply changed after it was sent is caught like any other output
  writeFileSync(path.join(out, statut[0]), statutXml.replace('CPRO-DOUBLON-FLUX', 'CPRO-DOUBLON-FLUY'));
  const tampered = await cli(['reconcile', '--date', day, '--out', out], { timeoutMs: 60000 });
  expect(tampered.code).toBe(1);
  const anomalies = JSON.parse(readFileSync(reportPath, 'utf8')).anomalies as { type: string; output?: string; file?: string; partner?: string }[];
  expect(anomalies.map((a) => [a.type, a.output, a.file, a.partner])).toEqual([['tampered-output', statut[0], 'op-beta/relayed.xml', 'op-beta']]);
});

it('names the duplicate flow by its IdFlx, as every other flow status does', async () => {
  // a pivot flow carries its sender's id (IdFlx): the 93 of its first processing would name it
  // so, and the DOUBLON reply named the file instead, which the operator cannot match to its flow
  const root = tempDir('cf-two-partners-idflx-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  const pivot = path.join(FIXTURES_INBOX, 'op-beta', 'pivot-laposte-3-factures.xml');
  const idFlx = /<Code>IdFlx<\/Code>\s*<Valeurparametre>([^<]+)</.exec(readFileSync(pivot, 'utf8'))?.[1];
  expect(idFlx).toBe('LPO2026110800017');

  await runOnce(inboxWith(root, 'in1', [['op-beta', 'laposte.xml']], pivot), config);
  const before = listFiles(out, ['state', 'logs', 'journal', 'reports']);
  const second = await runOnce(inboxWith(root, 'in2', [['op-alpha', 'relayed-copy.xml']], pivot), config);
  expect(second.results.map((r) => r.outcome)).toEqual(['already-processed']);
  const statut = listFiles(out, ['state', 'logs', 'journal', 'reports']).filter((f) => !before.includes(f) && f.startsWith('statut/op-alpha/'));
  expect(statut).toHaveLength(1);
  const xml = readFileSync(path.join(out, statut[0]), 'utf8');
  expect(xml).toContain('CPRO-DOUBLON-FLUX');
  expect(xml).toContain(`<IdFlux>${idFlx}</IdFlux>`);
  expect(validateFiles(SCHEMAS.statut, [path.join(out, statut[0])]).map((r) => r.errors)).toEqual([[]]);
});
