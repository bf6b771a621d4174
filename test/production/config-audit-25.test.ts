/**
 * Configuration and routing mistakes a later audit found accepted, each misbehaving only later:
 * a file saved as Latin-1 (each accented letter silently became "\ufffd" in every flow); a
 * partner's inbox given to `run` by another path than the configuration's (a link); code
 * services of the routing table that no invoice could match; `validate` without --config telling
 * "not in the routing table" of the bundled example as if of the operator's; `run --out` naming
 * the configured output root through a link taken for another root, with a state of its own; the
 * configuration file in an inbox (watch claimed it away); buyers sharing one finance SI's
 * recepteurId answered for by different partners; a YAML file opening with a "#" comment; `run`
 * without --config refusing every invoice to an operator's buyers with no word of the example;
 * trace, prune and reconcile without --config sending the operator to check its own paths.out;
 * a buyer routed by SIRET and code service, which the table cannot do, said as a bare pattern.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configFromObject, configWarnings, loadConfig } from '../../src/config/config';
import { checkFolders } from '../../src/config/folders';
import { cli } from '../helpers/cli';
import { problemsOf } from '../helpers/config-problems';
import { listFiles, tempDir } from '../helpers/run';

const FIXTURES = path.resolve(__dirname, '../../fixtures/inbox');

describe('a configuration file that is not UTF-8', () => {
  const latin1 = '{\n  "emitter": { "id": "CFX001", "name": "Op\xe9rateur" },\n  "recipients": [{ "siret": "21787789300016", "recepteurId": "VALM01" }]\n}\n';

  it('is refused with the line, the column and the byte, not read with "\\ufffd" in place of its letters', () => {
    const dir = tempDir('cf-enc-');
    writeFileSync(path.join(dir, 'latin1.json'), Buffer.from(latin1, 'latin1'));
    expect(problemsOf(() => loadConfig(path.join(dir, 'latin1.json')))).toEqual([
      'the file is not UTF-8: at line 2, column 43, the byte 0xE9 is no UTF-8 (saved as "ANSI", Latin-1 or Windows-1252? there it is "é"): save the file as UTF-8',
    ]);
    // the same text in UTF-8, and a "\ufffd" written in it, are read as they are
    writeFileSync(path.join(dir, 'utf8.json'), latin1.replace('Op\xe9rateur', 'Op\ufffd \xe9rateur'), 'utf8');
    expect(loadConfig(path.join(dir, 'utf8.json')).emitter.name).toBe('Op\ufffd \xe9rateur');
  });

  it('stops run with exit 2 before anything is written', async () => {
    const dir = tempDir('cf-enc-');
    writeFileSync(path.join(dir, 'config.json'), Buffer.from(latin1, 'latin1'));
    const r = await cli(['run', dir, '--out', path.join(dir, 'out'), '--config', path.join(dir, 'config.json'), '--no-progress'], { timeoutMs: 30000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the file is not UTF-8: at line 2, column 43, the byte 0xE9');
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  }, 30000);
});

describe('a partner inbox named through a link', () => {
  it('is the partner\'s whichever of its paths run is given: its status flows go to it and its doneMarker holds', async () => {
    const dir = tempDir('cf-link-');
    // the configuration names /srv/sftp/op-a, through a link to where the files are; run is given
    // their real folder /data/op-a (by a cron job written with it)
    mkdirSync(path.join(dir, 'data/op-a'), { recursive: true });
    mkdirSync(path.join(dir, 'srv'));
    symlinkSync(path.join(dir, 'data'), path.join(dir, 'srv/sftp'));
    copyFileSync(path.join(FIXTURES, 'op-alpha/destinataire-inconnu.xml'), path.join(dir, 'data/op-a/refused.xml'));
    writeFileSync(path.join(dir, 'data/op-a/refused.xml.done'), '');
    copyFileSync(path.join(FIXTURES, 'op-alpha/facture-e1-papeterie.xml'), path.join(dir, 'data/op-a/uploading.xml'));
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        paths: { out: 'out' },
        partners: [{ id: 'op-a', inbox: 'srv/sftp/op-a', doneMarker: true }],
        recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }],
      }),
    );
    const r = await cli(['run', path.join(dir, 'data/op-a'), '--config', path.join(dir, 'config.json'), '--no-progress'], { timeoutMs: 60000 });
    expect(r.code).toBe(0);
    // the refusal is told to op-a (it went to statut/default/, which nobody reads), and the file
    // without its .done is left for the next run (it was taken, half uploaded, and refused)
    expect(listFiles(path.join(dir, 'out/statut'))).toEqual([expect.stringMatching(/^op-a\/FEN1200A_/)]);
    expect(existsSync(path.join(dir, 'out/archive'))).toBe(false);
    expect(r.stdout).toMatch(/waiting/);
  }, 60000);
});

describe('code services no invoice can match', () => {
  const recipient = { siret: '21787789300016', recepteurId: 'VALM01', codeServices: ['FINANCES', { code: 'TRAVAUX' }] };
  const moe = { siret: '91485253800018', codeService: 'MOE01', recepteurId: 'MOEMOR01' };
  const problems = (r: Record<string, unknown>) => problemsOf(() => configFromObject({ recipients: [{ ...recipient, ...r }] }, '/tmp', 'test'));

  it('refuses an MOE code service the recipient refuses: its works invoices went to the recipient\'s finance SI without a word', () => {
    expect(problems({ moe: { ...moe, forCodeServices: ['TRAVAU'] } })).toEqual([
      'recipients.0.moe.forCodeServices.0: "TRAVAU" is not one of recipients.0.codeServices (FINANCES, TRAVAUX): invoices to it are refused (CPRO-CODE-SERVICE-INCONNU), so the MOE would never get one',
    ]);
    expect(problems({ moe: { ...moe, forCodeServices: [] } })).toEqual([
      'recipients.0.moe.forCodeServices: an empty list; leave the key out to send every works invoice of this recipient to the MOE, or name the code services',
    ]);
    expect(problems({ moe: { ...moe, forCodeServices: ['TRAVAUX'] } })).toEqual([]);
    // without a list of known code services, any is taken: nothing to compare with
    expect(problems({ codeServices: [], moe: { ...moe, forCodeServices: ['TRAVAUX'] } })).toEqual([]);
  });

  it('refuses a code service with spaces around it: every invoice to "FINANCES" was refused as not one of "FINANCES "', () => {
    expect(problems({ codeServices: ['FINANCES ', { code: ' TRAVAUX', name: 'Travaux' }], moe: { ...moe, forCodeServices: [' TRAVAUX'] } })).toEqual([
      'recipients.0.codeServices.0: "FINANCES " has spaces around it (or is only spaces); an invoice\'s code service (BT-10) is read without them, so none would ever match it',
      'recipients.0.codeServices.1: " TRAVAUX" has spaces around it (or is only spaces); an invoice\'s code service (BT-10) is read without them, so none would ever match it',
      'recipients.0.moe.forCodeServices.0: " TRAVAUX" has spaces around it (or is only spaces); an invoice\'s code service (BT-10) is read without them, so none would ever match it',
    ]);
  });
});

describe('validate without --config', () => {
  const file = path.join(FIXTURES, 'op-alpha/destinataire-inconnu.xml');

  it('says that the routing rules were judged by the bundled example\'s routing table, not the operator\'s', async () => {
    const r = await cli(['validate', file], { timeoutMs: 30000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('CPRO-DESTINATAIRE-INCONNU');
    expect(r.stderr).toBe(`chorus-flux validate: note: CPRO-DESTINATAIRE-INCONNU judged by the routing table of the bundled example configuration (${path.resolve(__dirname, '../../config/example.json')}), not yours: give --config <your file>\n`);
    // with a configuration, its table is the operator's own: nothing to say
    const dir = tempDir('cf-validate-');
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }] }));
    const mine = await cli(['validate', file, '--config', path.join(dir, 'config.json')], { timeoutMs: 30000 });
    expect(mine.code).toBe(1);
    expect(mine.stderr).toBe('');
  }, 60000);
});

describe('--out naming the configured output root another way', () => {
  it('keeps the configured state: the same file run again is already processed, not accepted twice under a new IdCPRO sequence', async () => {
    const dir = tempDir('cf-out-link-');
    // paths.out names /srv/chorus-flux/out, /srv/chorus-flux a link to /data/chorus-flux; the cron job says the real path
    mkdirSync(path.join(dir, 'data/out'), { recursive: true });
    symlinkSync(path.join(dir, 'data'), path.join(dir, 'srv'));
    mkdirSync(path.join(dir, 'in/op-a'), { recursive: true });
    copyFileSync(path.join(FIXTURES, 'op-alpha/facture-e1-papeterie.xml'), path.join(dir, 'in/op-a/facture.xml'));
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ paths: { out: 'srv/out', state: 'var/state' }, partners: [{ id: 'op-a' }], recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }] }),
    );
    const run = (...more: string[]) => cli(['run', path.join(dir, 'in'), '--config', path.join(dir, 'config.json'), '--no-progress', ...more], { timeoutMs: 60000 });
    expect((await run()).code).toBe(0);
    const again = await run('--out', path.join(dir, 'data/out'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already processed/);
    expect(existsSync(path.join(dir, 'data/out/state'))).toBe(false);
    const events = listFiles(path.join(dir, 'data/out/journal'))
      .flatMap((f) => readFileSync(path.join(dir, 'data/out/journal', f), 'utf8').split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as { event: string; outcome?: string })
      .filter((e) => e.event === 'outcome' || e.event === 'already-processed');
    expect(events.map((e) => e.outcome ?? e.event)).toEqual(['accepted', 'already-processed']);
  }, 120000);
});

describe('the configuration file inside an inbox', () => {
  it('is refused at start: watch claimed it out of its place as an inbound file, and the next start found none', async () => {
    const dir = tempDir('cf-conf-in-inbox-');
    mkdirSync(path.join(dir, 'drop'));
    const file = path.join(dir, 'drop/config.json');
    writeFileSync(file, JSON.stringify({ paths: { out: '../out' }, partners: [{ id: 'op-a', inbox: '.' }], recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }] }));
    const said = `partners.0.inbox: ${path.join(dir, 'drop')} holds the configuration file ${file}; it would be taken as an inbound file (watch moves it away), and whoever drops files there could rewrite it: keep it out of every inbox`;
    expect(problemsOf(() => checkFolders(loadConfig(file), 'watch'))).toEqual([said]);
    expect(problemsOf(() => checkFolders(loadConfig(file), 'worker'))).toEqual([said]);
    // run given a tree that holds it would process it as a partner's file
    const r = await cli(['run', path.join(dir, 'drop'), '--config', file, '--out', path.join(dir, 'out'), '--no-progress'], { timeoutMs: 30000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(said);
    expect(r.stderr).toContain(`the inbox argument: ${path.join(dir, 'drop')} holds the configuration file ${file}`);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    expect(existsSync(file)).toBe(true);
  }, 30000);
});

describe('buyers that share one finance SI', () => {
  const buyer = (siret: string, more: Record<string, unknown> = {}) => ({ siret, recepteurId: 'CHORUS', ...more });
  const warnings = (recipients: unknown[]) => configWarnings(configFromObject({ partners: [{ id: 'si-a' }, { id: 'si-b' }], recipients }, '/tmp', 'test'));

  it('are warned of when different partners answer for them, their pivots going to one folder', () => {
    expect(warnings([buyer('21787789300016', { statusPartner: 'si-a' }), buyer('19494032600011', { statusPartner: 'si-b' })])).toEqual([
      'recipients: the recipients of recepteurId CHORUS name different finance SI partners (si-a, si-b) though their pivots go to one folder, pivot/CHORUS/; give them one statusPartner, or each finance SI its own recepteurId',
    ]);
    // one partner for all of them (named, or by default the one named after the recepteurId): nothing to say
    expect(warnings([buyer('21787789300016', { statusPartner: 'si-a' }), buyer('19494032600011', { statusPartner: 'si-a' })])).toEqual([]);
    expect(warnings([buyer('21787789300016'), buyer('19494032600011')]).filter((w) => w.startsWith('recipients: the recipients'))).toEqual([]);
  });
});

it('says a YAML file that opens with "#" comments for what it is, and Node\'s quoting of a file too short for a position is left out', () => {
  const dir = tempDir('cf-yaml-');
  writeFileSync(path.join(dir, 'config.yaml'), '# chorus-flux\n# production\nrecipients:\n  - siret: "21787789300016"\n');
  expect(problemsOf(() => loadConfig(path.join(dir, 'config.yaml')))).toEqual(['not valid JSON: this reads as YAML (`key: value`); chorus-flux reads JSON only (config/example.json shows the form)']);
  writeFileSync(path.join(dir, 'hash.json'), '# chorus-flux\n{ "recipients": [] }\n');
  expect(problemsOf(() => loadConfig(path.join(dir, 'hash.json')))).toEqual(["not valid JSON: Unexpected token '#'"]);
});

it('run without --config says that the bundled example configuration routed it', async () => {
  const dir = tempDir('cf-run-bundled-');
  mkdirSync(path.join(dir, 'in/op-alpha'), { recursive: true });
  copyFileSync(path.join(FIXTURES, 'op-alpha/destinataire-inconnu.xml'), path.join(dir, 'in/op-alpha/facture.xml'));
  const r = await cli(['run', path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--no-progress'], { timeoutMs: 60000 });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`  ·  configuration: the bundled example ${path.resolve(__dirname, '../../config/example.json')} (its routing table knows only its example buyers; give --config <file>)\n`);
  const mine = await cli(['run', path.join(dir, 'in'), '--out', path.join(dir, 'out2'), '--config', path.resolve(__dirname, '../../config/example.json'), '--no-progress'], { timeoutMs: 60000 });
  expect(mine.code).toBe(0);
  expect(mine.stdout).not.toContain('configuration: the bundled example');
}, 120000);

// the bundled example's paths.out is the project's out/ folder, which `npm start` makes
const projectOut = path.resolve(__dirname, '../../out');
(existsSync(projectOut) ? it.skip : it)('trace, prune and reconcile without --config say the output root not found is the bundled example\'s, not the operator\'s', async () => {
  const said = "(no --config, so the bundled example's output root, not yours: give --config <your file>, or --out)";
  const dir = tempDir('cf-bundled-out-');
  const trace = await cli(['trace', 'F-2026-0101'], { cwd: dir, timeoutMs: 30000 });
  expect(trace.code).toBe(2);
  expect(trace.stderr).toBe(`chorus-flux: ${path.join(projectOut, 'journal')} does not exist: nothing was ever processed with this output root ${said}\n`);
  const prune = await cli(['prune'], { cwd: dir, timeoutMs: 30000 });
  expect(prune.code).toBe(2);
  expect(prune.stderr).toBe(`chorus-flux: ${path.join(projectOut, 'state')} does not exist: nothing was ever processed there ${said}\n`);
  const reconcile = await cli(['reconcile', '--date', '2026-01-05'], { cwd: dir, timeoutMs: 30000 });
  expect(reconcile.code).toBe(2);
  expect(reconcile.stderr).toBe(`chorus-flux reconcile: could not run: cannot read the output root ${projectOut}: ENOENT ${said}\n`);
  // with --out, the folder is the operator's own: as before
  const given = await cli(['trace', 'F-2026-0101', '--out', path.join(dir, 'out')], { cwd: dir, timeoutMs: 30000 });
  expect(given.stderr).toBe(`chorus-flux: ${path.join(dir, 'out', 'journal')} does not exist: nothing was ever processed with this output root (check --out or paths.out)\n`);
}, 120000);

// reject said "check --out or paths.state" there: an operator who left out --config looked for
// a mistake in a paths.state that was never read
(existsSync(projectOut) ? it.skip : it)('reject without --config says the output root not found is the bundled example\'s, not the operator\'s', async () => {
  const dir = tempDir('cf-bundled-reject-');
  const reject = await cli(['reject', '1000042', '--reason', 'jamais complétée'], { cwd: dir, timeoutMs: 30000 });
  expect(reject.code).toBe(2);
  expect(reject.stderr).toBe(`chorus-flux: ${path.join(projectOut, 'state', 'invoices')} does not exist: no invoice was ever processed with this output root (no --config, so the bundled example's output root, not yours: give --config <your file>, or --out)\n`);
  const given = await cli(['reject', '1000042', '--reason', 'jamais complétée', '--out', path.join(dir, 'out')], { cwd: dir, timeoutMs: 30000 });
  expect(given.code).toBe(2);
  expect(given.stderr).toBe(`chorus-flux: ${path.join(dir, 'out', 'state', 'invoices')} does not exist: no invoice was ever processed with this output root (check --out or paths.state)\n`);
}, 60000);

it('says that a buyer is routed by its SIRET alone when a routing entry tries SIRET and code service', () => {
  const problemsOfRecipients = (recipients: unknown[]) => problemsOf(() => configFromObject({ recipients }, '/tmp', 'test'));
  expect(problemsOfRecipients([{ siret: '21787789300016/FINANCES', recepteurId: 'VALM01' }])).toEqual([
    'recipients.0.siret: "21787789300016/FINANCES" must match pattern "^[0-9]{14}$"; an entry routes one SIRET, whatever the code service: list the code services in recipients.0.codeServices',
  ]);
  expect(problemsOfRecipients([{ siret: '21787789300016', recepteurId: 'VALM01', codeServices: ['FINANCES'] }, { siret: '21787789300016', recepteurId: 'VALTX01', codeServices: ['TRAVAUX'] }])).toEqual([
    "recipients.1.siret: 21787789300016 appears twice in the routing table (first at recipients.0); one entry per buyer, whatever the code service: its invoices all go to that entry's recepteurId (works invoices to its moe)",
  ]);
  // a SIRET merely mistyped is said as before
  expect(problemsOfRecipients([{ siret: '2178778930001', recepteurId: 'VALM01' }])).toEqual(['recipients.0.siret: "2178778930001" must match pattern "^[0-9]{14}$"']);
});
