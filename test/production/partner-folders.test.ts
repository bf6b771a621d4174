/**
 * A file of `run` under a folder that names no partner (a mistyped partner folder, `acme-sftp`
 * for the partner `acme`; `ACME`; a name with an accent) was processed as the partner
 * "default": its status flows went to statut/default/, which its partner never reads, `--remove`
 * took it out of the inbox, and nobody was told. It is now not taken: it waits in the inbox,
 * said as an error naming the folder and the partners the configuration knows, counted in the
 * summary, and the run exits 2; `trace` finds it and says why; once its folder is right it is
 * processed as its partner's like any new file. A file directly in the inbox root is still the
 * partner "default"'s; a file nested deeper under a partner's folder is still that partner's.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ownerOf } from '../../src/ingest/partner-of';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, listFiles, tempDir, testConfig } from '../helpers/run';

const REFUSED = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/destinataire-inconnu.xml')); // refused: a reply goes to its partner
const E2 = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8'); // accepted, no reply
const accepted = (n: string) => E2.replace('<cbc:ID>FE2-2026-0042</cbc:ID>', `<cbc:ID>FE2-2026-${n}</cbc:ID>`);
const NFD = 'acme\u0301'; // "acmé" decomposed, as a macOS client writes it

function layout() {
  const dir = tempDir('cf-partner-folders-');
  const inbox = path.join(dir, 'in');
  for (const d of ['acme/2026/12', 'acme-sftp', 'ACME', NFD]) mkdirSync(path.join(inbox, d), { recursive: true });
  writeFileSync(path.join(inbox, 'acme-sftp/F1.xml'), REFUSED);
  writeFileSync(path.join(inbox, 'ACME/F2.xml'), accepted('0002'));
  writeFileSync(path.join(inbox, NFD, 'F3.xml'), accepted('0003'));
  writeFileSync(path.join(inbox, 'acme/2026/12/nested.xml'), accepted('0004')); // deeper than the partner level: still acme's
  writeFileSync(path.join(inbox, 'root.xml'), accepted('0005')); // the inbox root: the partner "default", as ever
  // a partner folder that is a link: never followed (it could point anywhere), said as skipped
  mkdirSync(path.join(dir, 'elsewhere'));
  writeFileSync(path.join(dir, 'elsewhere/linked.xml'), accepted('0006'));
  symlinkSync(path.join(dir, 'elsewhere'), path.join(inbox, 'op-beta'));
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      paths: { out: 'out' },
      partners: [{ id: 'acme' }, { id: 'op-beta' }],
      recipients: [
        { siret: '21787789300016', recepteurId: 'VALM01' },
        { siret: '26330146700019', recepteurId: 'CHBREV01' },
      ],
      facturx: { enabled: false },
    }),
  );
  return { dir, inbox, out: path.join(dir, 'out'), config: path.join(dir, 'config.json') };
}

describe('run over a file in a folder that names no partner', () => {
  const l = layout();
  const run = (...more: string[]) => cli(['run', l.inbox, '--config', l.config, '--no-progress', '--remove', ...more], { timeoutMs: 90000 });
  const journal = () => readdirSync(path.join(l.out, 'journal')).flatMap((d) => readdirSync(path.join(l.out, 'journal', d)).flatMap((f) => readFileSync(path.join(l.out, 'journal', d, f), 'utf8').trim().split('\n').map((x) => JSON.parse(x) as Record<string, unknown>)));

  it('is not taken: no reply to "default", it stays in the inbox, said by folder with the partners known, and the run exits 2', async () => {
    const r = await run('-q');
    expect(r.code).toBe(2);
    // nothing for the partner "default": before, F1's refusal went to statut/default/
    expect(existsSync(path.join(l.out, 'statut/default'))).toBe(false);
    expect(listFiles(l.inbox).sort()).toEqual([`${NFD}/F3.xml`, 'ACME/F2.xml', 'acme-sftp/F1.xml', 'op-beta/linked.xml'].sort());
    // under -q (a timer), one line per folder on stderr, with its files and what to do
    const lines = r.stderr.trim().split('\n').filter((x) => x.startsWith('chorus-flux: '));
    expect(lines).toEqual(
      expect.arrayContaining([
        `chorus-flux: 1 file(s) not taken (acme-sftp/F1.xml): FLUX-PARTENAIRE-INCONNU the folder "acme-sftp" names no partner (partners, finance SIs and MOEs: acme, op-beta, VALM01, CHBREV01), and as the partner "default" its replies would reach nobody. It waits in the inbox: rename the folder after its partner's id, or set that partner's "inbox" to it in ${l.config}`,
        expect.stringMatching(/^chorus-flux: 1 file\(s\) not taken \(ACME\/F2\.xml\): FLUX-PARTENAIRE-INCONNU the folder "ACME" names no partner \(it differs from "acme" only by case or Unicode form; partners/),
        expect.stringContaining(`(${NFD}/F3.xml): FLUX-PARTENAIRE-INCONNU the folder "${NFD}" names no partner (partners,`),
      ]),
    );
    expect(lines).toHaveLength(3);
    // journaled: the files taken, not these; the run's stop line says they were left
    const lines2 = journal();
    const received = lines2.filter((x) => x.event === 'received').map((x) => [x.file, x.partner]);
    expect(received.sort()).toEqual([
      ['acme/2026/12/nested.xml', 'acme'],
      ['root.xml', 'default'],
    ]);
    expect(lines2.find((x) => x.event === 'stop')?.reason).toBe(`3 file(s) not taken, left in the inbox: their folder names no partner (${['ACME', 'acme-sftp', NFD].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).join(', ')})`);
  }, 90000);

  it('says it in the summary and the log, and again at every run (the files wait)', async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/no partner: 3 \(in a folder that names no partner: not taken, left in the inbox; see the errors\)/);
    expect(r.stdout).toMatch(/skipped: 1 \(symbolic link/); // the linked partner folder
    const log = readdirSync(path.join(l.out, 'logs')).sort().pop()!;
    const errors = readFileSync(path.join(l.out, 'logs', log), 'utf8').trim().split('\n').map((x) => JSON.parse(x)).filter((x) => x.level === 50);
    expect(errors.map((e) => [e.file, e.folder]).sort()).toEqual([['ACME/F2.xml', 'ACME'], ['acme-sftp/F1.xml', 'acme-sftp'], [`${NFD}/F3.xml`, NFD]].sort());
    // its rule id, as every refusal's: in the line's fields and its message
    expect(errors.map((e) => e.rule)).toEqual(['FLUX-PARTENAIRE-INCONNU', 'FLUX-PARTENAIRE-INCONNU', 'FLUX-PARTENAIRE-INCONNU']);
    expect(errors[0].msg).toMatch(/^not taken: FLUX-PARTENAIRE-INCONNU the folder "[^"]+" names no partner/);
  }, 90000);

  it('is found by trace, with why it waits', async () => {
    const r = await cli(['trace', 'F1.xml', '--config', l.config], { timeoutMs: 30000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`in an inbox folder that names no partner: ${path.join(l.inbox, 'acme-sftp/F1.xml')}`);
    expect(r.stdout).toContain('run never takes it: FLUX-PARTENAIRE-INCONNU the folder "acme-sftp" names no partner');
    // by its decomposed folder too
    const nfd = await cli(['trace', `${NFD}/F3.xml`, '--config', l.config, '--json'], { timeoutMs: 30000 });
    expect(nfd.code).toBe(0);
    expect(JSON.parse(nfd.stdout).waiting).toEqual([expect.objectContaining({ where: 'inbox', path: path.join(l.inbox, NFD, 'F3.xml'), rule: 'FLUX-PARTENAIRE-INCONNU', why: expect.stringContaining(`FLUX-PARTENAIRE-INCONNU the folder "${NFD}" names no partner`) })]);
  }, 60000);

  it('once moved into its partner\'s folder, is processed as that partner\'s: its reply goes to it', async () => {
    renameSync(path.join(l.inbox, 'acme-sftp/F1.xml'), path.join(l.inbox, 'acme/F1.xml'));
    const r = await run('-q');
    expect(r.code).toBe(2); // the two others still wait
    expect(listFiles(path.join(l.out, 'statut'))).toEqual([expect.stringMatching(/^acme\/FEN1200A_/)]);
    expect(journal().filter((x) => x.event === 'outcome' && x.file === 'acme/F1.xml').map((x) => [x.partner, x.outcome])).toEqual([['acme', 'refused']]);
  }, 90000);
});

describe('run with a configuration that declares no partner', () => {
  it('takes the inbox root; a folder waits, the message saying to declare its partner', async () => {
    const dir = tempDir('cf-partner-folders-none-');
    mkdirSync(path.join(dir, 'in/op-x'), { recursive: true });
    writeFileSync(path.join(dir, 'in/op-x/F.xml'), accepted('0007'));
    writeFileSync(path.join(dir, 'in/root.xml'), REFUSED);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ recipients: [{ siret: '26330146700019', recepteurId: 'CHBREV01' }], facturx: { enabled: false } }));
    const r = await cli(['run', path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--config', path.join(dir, 'config.json'), '--no-progress', '-q'], { timeoutMs: 60000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`chorus-flux: 1 file(s) not taken (op-x/F.xml): FLUX-PARTENAIRE-INCONNU the folder "op-x" names no partner (partners, finance SIs and MOEs: CHBREV01), and as the partner "default" its replies would reach nobody. It waits in the inbox: rename the folder after its partner's id, or add its partner to ${path.join(dir, 'config.json')} ("partners")`);
    expect(listFiles(path.join(dir, 'out/statut'))).toEqual([expect.stringMatching(/^default\/FEN1200A_/)]); // the root file's
  }, 60000);
});

describe('ownerOf: whose a file of a run inbox is', () => {
  const dir = tempDir('cf-owner-of-');
  mkdirSync(path.join(dir, 'sftp/acme'), { recursive: true });
  symlinkSync(path.join(dir, 'sftp'), path.join(dir, 'link'));
  const config = testConfig(
    {
      partners: [{ id: 'acme', inbox: 'sftp/acme' }, { id: 'op-b' }],
      recipients: [{ siret: '21787789300016', recepteurId: 'VALM01', moe: { siret: '91485253800018', codeService: 'MOE01', recepteurId: 'MOEMOR01' } }, { siret: '26330146700019', recepteurId: 'CHBREV01', statusPartner: 'si-ch' }],
    },
    path.join(dir, 'out'),
    dir,
  );
  const root = path.join(dir, 'sftp');
  const of = (rel: string, r = root) => ownerOf(config, r, path.join(r, rel));

  it('a partner folder, however deep the file; a finance SI or MOE folder; the root is "default"', () => {
    expect(of('acme/x.xml')).toEqual({ partner: 'acme' });
    expect(of('acme/2026/12/x.xml')).toEqual({ partner: 'acme' });
    expect(of('acme/x.xml', path.join(dir, 'link'))).toEqual({ partner: 'acme' }); // its configured inbox named through a link
    expect(of('op-b/a/b/x.xml')).toEqual({ partner: 'op-b' });
    expect(of('VALM01/x.xml')).toEqual({ partner: 'VALM01' });
    expect(of('MOEMOR01/x.xml')).toEqual({ partner: 'MOEMOR01' });
    expect(of('si-ch/x.xml')).toEqual({ partner: 'si-ch' });
    expect(of('CHBREV01/x.xml')).toMatchObject({ folder: 'CHBREV01' }); // its SI is si-ch, not a folder of its recepteurId
    expect(of('x.xml')).toEqual({ partner: 'default' });
  });

  it('any other folder, a case or a Unicode form apart included, has no partner, and the reason says which it resembles', () => {
    expect(of('acme-sftp/x.xml')).toEqual({ folder: 'acme-sftp', rule: 'FLUX-PARTENAIRE-INCONNU', why: expect.stringMatching(/^the folder "acme-sftp" names no partner \(partners, finance SIs and MOEs: acme, op-b, VALM01, MOEMOR01, si-ch\)/) });
    expect(of('OP-B/x.xml')).toMatchObject({ folder: 'OP-B', why: expect.stringContaining('(it differs from "op-b" only by case or Unicode form; partners') });
    expect(of('\uFF41cme/x.xml')).toMatchObject({ why: expect.stringContaining('it differs from "acme" only by case or Unicode form') }); // a full-width "a"
    expect(of('default/x.xml')).toMatchObject({ folder: 'default' }); // "default" is the root's, not a folder's
    expect(of('lot-2026/acme/x.xml')).toMatchObject({ folder: 'lot-2026' }); // the partner is the first folder, never one further down
    expect(of('valm01/x.xml')).toMatchObject({ why: expect.stringContaining('it differs from "VALM01" only by case') });
  });
});
