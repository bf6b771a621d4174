/**
 * `chorus-flux reprocess` with watch and a worker on a real Redis: a file refused because its
 * buyer's SIRET was missing from the routing table, the table fixed and the worker restarted,
 * reprocess puts the kept original back into the partner's configured inbox; watch claims the
 * copy, the worker accepts it as a new attempt (not `already-processed`), its 93 left as it was.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay, type JournalLine } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { cli } from '../helpers/cli';
import { daemon, type Daemon } from '../helpers/daemon';
import { queueSuite } from '../helpers/queue-suite';
import { describeRedis } from '../helpers/redis';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { until } from '../helpers/until';
import { prodSetup, ROUTING } from '../helpers/watch';
import { startWorkerProcess } from '../helpers/worker-process';

describeRedis('reprocess under watch and a worker', () => {
  const setup = prodSetup({ partners: ['op-alpha'], extra: { recipients: ROUTING.filter((r) => r.siret !== '21787789300016') } });
  const s = queueSuite(setup);
  let watch: Daemon | undefined;
  afterAll(async () => {
    watch?.kill('SIGKILL');
  });
  const journalDir = path.join(setup.config.paths.out, 'journal');
  const lines = async (): Promise<JournalLine[]> => (await readJournalDay(journalDir, dayOf(new Date(), setup.config.timezone)).catch(() => ({ lines: [] as JournalLine[] }))).lines;
  const sha = sha256(readFileSync(PAPETERIE));
  const outcomes = async () => (await lines()).filter((l) => l.event === 'outcome' && l.sha256 === sha).map((l) => (l as { outcome: string }).outcome);

  it('the reopened copy is claimed and accepted', async () => {
    watch = daemon('watch', setup.configFile);
    const first = startWorkerProcess(setup.configFile);
    s.workers.push(first);
    copyFileSync(PAPETERIE, path.join(setup.inbox('op-alpha'), 'facture.xml'));
    await until('the refusal', async () => ((await outcomes()).length === 1 ? true : undefined));
    expect(await outcomes()).toEqual(['refused']);
    const statutDir = path.join(setup.config.paths.out, 'statut', 'op-alpha');
    const [firstStatut] = readdirSync(statutDir);
    const statutBytes = readFileSync(path.join(statutDir, firstStatut));

    // the routing table fixed, the worker restarted with it
    const raw = JSON.parse(readFileSync(setup.configFile, 'utf8'));
    writeFileSync(setup.configFile, JSON.stringify({ ...raw, recipients: ROUTING }, null, 2));
    first.child.kill('SIGTERM');
    await first.exited;
    s.workers.push(startWorkerProcess(setup.configFile));

    const r = await cli(['reprocess', '--config', setup.configFile, '--reason', 'Valmont added to recipients', sha], { timeoutMs: 60_000 });
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^reopened: .*copied back to .*in\/op-alpha\/facture\.xml/)]);
    await until('the new attempt', async () => ((await outcomes()).length === 2 ? true : undefined));
    expect(await outcomes()).toEqual(['refused', 'accepted']);
    const events = (await lines()).filter((l) => 'sha256' in l && l.sha256 === sha).sort((a, b) => a.ts.localeCompare(b.ts)).map((l) => l.event);
    expect(events).toEqual(['claimed', 'received', 'outcome', 'reopened', 'claimed', 'received', 'outcome']);
    expect(readdirSync(path.join(setup.config.paths.out, 'pivot', 'VALM01'))).toHaveLength(1);
    expect(readFileSync(path.join(statutDir, firstStatut))).toEqual(statutBytes);
    expect(readdirSync(setup.inbox('op-alpha'))).toEqual([]);
    // asked again: processed since, accepted
    const again = await cli(['reprocess', '--config', setup.configFile, '--reason', 'again', 'facture.xml'], { timeoutMs: 60_000 });
    expect([again.code, again.stdout]).toEqual([1, expect.stringMatching(/processed again since: .* was accepted/)]);
  });
});
