/**
 * A partner's oversized value quoted by a finding does not make an oversized log line. Found by
 * an audit: an invoice number, or an issue date, of 300,000 characters was copied whole into
 * the `refused: …` line (300 KB per line, at the console and in the run's log file, again at
 * each retry of a worker). The line still names the file, the rule and the start of the value;
 * the journal keeps the finding whole.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

/** a line of the log: its fields and a message of at most 2,000 characters */
const LONGEST_LINE = 4000;

it('cuts a long quoted value in the log, names the rule, and the journal keeps it whole', async () => {
  const root = tempDir('cf-log-size-');
  const inbox = path.join(root, 'in', 'op-alpha');
  const out = path.join(root, 'out');
  mkdirSync(inbox, { recursive: true });
  const papeterie = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'facture-e1-papeterie.xml'), 'utf8');
  const number = `F-${'9'.repeat(300_000)}`;
  writeFileSync(path.join(inbox, 'long-number.xml'), papeterie.replace('<cbc:ID>F-2026-0101</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`));
  writeFileSync(path.join(inbox, 'long-date.xml'), papeterie.replace('<cbc:IssueDate>', `<cbc:IssueDate>${'Z'.repeat(300_000)}`));
  const r = await cli(['run', path.join(root, 'in'), '--out', out, '--no-progress']);
  expect(r.code).toBe(0);
  // the console (warnings and above) and the log file alike
  for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThan(LONGEST_LINE);
  const log = readdirSync(path.join(out, 'logs')).flatMap((f) => readFileSync(path.join(out, 'logs', f), 'utf8').split('\n').filter(Boolean));
  for (const line of log) expect(line.length).toBeLessThan(LONGEST_LINE);
  const refused = log.map((l) => JSON.parse(l) as { level: number; file?: string; rules?: string[]; msg: string }).filter((l) => l.msg.startsWith('refused: '))
    .sort((a, b) => String(a.file).localeCompare(String(b.file)));
  expect(refused).toEqual([
    expect.objectContaining({ level: 40, file: 'op-alpha/long-date.xml', rules: ['CPRO-PIVOT-DATE'], msg: expect.stringMatching(/^refused: CPRO-PIVOT-DATE .*ZZZZ.*… \(\d+ more characters, not logged\)$/) }),
    expect.objectContaining({ level: 40, file: 'op-alpha/long-number.xml', rules: ['CPRO-LONGUEUR-NUMERO'], msg: expect.stringMatching(/^refused: CPRO-LONGUEUR-NUMERO .*… \(\d+ more characters, not logged\)$/) }),
  ]);
  const journal = readdirSync(path.join(out, 'journal'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(path.join(out, 'journal', f), 'utf8').split('\n').filter(Boolean));
  expect(journal.some((l) => l.includes(number))).toBe(true);
});
