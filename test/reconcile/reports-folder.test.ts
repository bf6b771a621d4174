/**
 * `reconcile --reports <dir>` into a folder chorus-flux owns (found by a CLI audit). Given a
 * partner's outbox (statut/op-alpha), the day's report of every partner's invoices went to that
 * partner with its status flows, and the next reconciliation counted three anomalies there;
 * given an inbox, a watcher took the reports as inbound files. Now such a folder is refused,
 * exit 2, one line, nothing written; a folder of its own (or the output root) is taken.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { loadConfig } from '../../src/config/config';
import { dayOf } from '../../src/util/clock';

describe('reconcile --reports', () => {
  const root = tempDir('cf-reports-folder-');
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  const configFile = path.join(root, 'config.json');
  const day = dayOf(new Date(), 'Europe/Paris');

  beforeAll(async () => {
    // the bundled example, its partners' inboxes and output root here
    const raw = JSON.parse(readFileSync(path.join(__dirname, '../../config/example.json'), 'utf8'));
    raw.paths = { out };
    for (const p of raw.partners) if (p.inbox) p.inbox = path.join(inbox, p.id);
    writeFileSync(configFile, JSON.stringify(raw));
    for (const p of ['op-alpha', 'op-beta', 'op-gamma']) mkdirSync(path.join(inbox, p), { recursive: true });
    writeFileSync(path.join(inbox, 'op-alpha', 'papeterie.xml'), readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    writeFileSync(path.join(inbox, 'op-gamma', 'tronque.xml'), readFileSync(path.join(FIXTURES_INBOX, 'op-gamma/tronque.xml')));
    await runOnce(inbox, loadConfig(configFile));
  }, 60_000);

  it.each([
    ["a partner's outbox", () => path.join(out, 'statut', 'op-gamma'), "the output root's statut/"],
    ['the journal', () => path.join(out, 'journal', day), "the output root's journal/"],
    ['an inbox', () => path.join(inbox, 'op-alpha'), 'the inbox of op-alpha'],
  ])('in %s: refused, exit 2, nothing written there', async (_, dir, named) => {
    const before = existsSync(dir()) ? readdirSync(dir()).sort() : [];
    const r = await cli(['reconcile', '--config', configFile, '--date', day, '--reports', dir()], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--reports ${dir()}: `);
    expect(r.stderr).toContain(`is inside ${named}`);
    expect(existsSync(dir()) ? readdirSync(dir()).sort() : []).toEqual(before);
  }, 90_000);

  it('a folder of its own: the reports are there, the day clean', async () => {
    const dir = path.join(root, 'rapports');
    const r = await cli(['reconcile', '--config', configFile, '--date', day, '--reports', dir], { timeoutMs: 60_000 });
    expect(r.stdout).toContain('CLEAN');
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([`reconcile-${day}.csv`, `reconcile-${day}.html`, `reconcile-${day}.json`]);
  }, 90_000);
});
