/**
 * The configuration is validated at start with errors that name the key: unknown keys,
 * bad routing entries, duplicates, missing folders.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, configFromObject, configWarnings, loadConfig } from '../../src/config/config';
import { checkFolders } from '../../src/config/folders';
import { cli, ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/run';

function problems(raw: unknown): string[] {
  try {
    configFromObject(raw, '/tmp', '(test)');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

const ok = { recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }] };

it('accepts a minimal configuration and fills the defaults', () => {
  const c = configFromObject(ok, '/srv/cf', '(test)');
  expect(c.paths.out).toBe('/srv/cf/out');
  expect(c.paths.state).toBe('/srv/cf/out/state');
  expect(c.worker.concurrency).toBe(2);
  expect(c.recipients[0]).toMatchObject({ requiresCodeService: false, requiresEngagement: false, codeServices: [] });
});

// found by an audit: each of these was accepted, and misbehaved later
it.each([
  ['a timer Node cannot keep (it fires at once: a worker abandoned its jobs at SIGTERM)', { ...ok, worker: { shutdownTimeoutMs: 4294967295 } }, 'worker.shutdownTimeoutMs: 4294967295 must be <= 2147483647'],
  ['a rescan of more than 24.8 days (it ran every millisecond)', { ...ok, watch: { rescanMs: 2147483648 } }, 'watch.rescanMs: 2147483648 must be <= 2147483647'],
  ['a retention of a billion days (prune crashed on the date)', { ...ok, retention: { processedMarksDays: 1000000000 } }, 'retention.processedMarksDays: 1000000000 must be <= 36500'],
  ['a file limit past what a file read can hold', { ...ok, limits: { maxFileBytes: 5000000000 } }, 'limits.maxFileBytes: 5000000000 must be <= 2147483647'],
  ['a size written with its unit', { ...ok, limits: { maxFileBytes: '120MB' } }, 'limits.maxFileBytes: "120MB" must be integer'],
  ['an attachment limit above the invoice limit', { ...ok, limits: { maxAttachmentBytes: 10485759, maxInvoiceBytes: 5 } }, 'limits.maxAttachmentBytes: 10485759 is more than limits.maxInvoiceBytes (5)'],
  ['"~" in a path (no shell expands it: a folder named ~ was made)', { ...ok, paths: { out: '~/chorus-out' } }, 'paths.out: "~/chorus-out": "~" is not expanded'],
  ['"~" in an inbox', { ...ok, partners: [{ id: 'op-alpha', inbox: '~/in' }] }, 'partners.0.inbox: "~/in": "~" is not expanded'],
  ['an MOE with the recipient\'s own recepteurId', { recipients: [{ siret: '21787789300016', recepteurId: 'VALM01', moe: { siret: '91485253800018', codeService: 'MOE01', recepteurId: 'VALM01' } }] }, "recipients.0.moe.recepteurId: VALM01 is the recipient's own recepteurId"],
  ['an MOE with the recipient\'s own SIRET', { recipients: [{ siret: '21787789300016', recepteurId: 'VALM01', moe: { siret: '21787789300016', codeService: 'MOE01', recepteurId: 'MOEMOR01' } }] }, "recipients.0.moe.siret: 21787789300016 is the recipient's own SIRET"],
  ['a cron that fires every second of a minute (60 nightly runs)', { ...ok, reconcile: { cron: '* 30 2 * * *' } }, 'reconcile.cron: "* 30 2 * * *" fires 1 s apart; the nightly reconciliation runs at most once an hour'],
])('refuses %s', (_what, raw, message) => {
  expect(problems(raw).join('\n')).toContain(message);
});

it('judges a cron by all its gaps, whatever the hour it is read at', () => {
  expect(problems({ ...ok, reconcile: { cron: '0 0,50 23 * * *' } }).join('')).toContain('fires 3000 s apart');
});

it('takes a cron that fires once a night or once an hour', () => {
  expect(problems({ ...ok, reconcile: { cron: '0 30 2 * * *' } })).toEqual([]);
  expect(problems({ ...ok, reconcile: { cron: '0 0 * * * *' } })).toEqual([]);
});

it.each([
  ['an unknown key at the top', { ...ok, recipeints: [] }, 'unknown key "recipeints"'],
  ['an unknown key in a routing entry', { recipients: [{ siret: '21787789300016', recepteurId: 'VALM01', codeservice: 'X' }] }, 'recipients.0: unknown key "codeservice"'],
  ['a SIRET that is not 14 digits', { recipients: [{ siret: '2178778930001', recepteurId: 'VALM01' }] }, 'recipients.0.siret'],
  ['a recepteur id of 9 characters', { recipients: [{ siret: '21787789300016', recepteurId: 'VALMONT01' }] }, 'recipients.0.recepteurId'],
  ['a recepteur id with a slash (it names the folder pivot/<recepteurId>/)', { recipients: [{ siret: '21787789300016', recepteurId: 'VAL/M01' }] }, 'recipients.0.recepteurId'],
  ['a missing recepteur id', { recipients: [{ siret: '21787789300016' }] }, 'recipients.0: missing key "recepteurId"'],
  ['the same SIRET twice', { recipients: [{ siret: '21787789300016', recepteurId: 'A01' }, { siret: '21787789300016', recepteurId: 'B01' }] }, 'recipients.1.siret: 21787789300016 appears twice'],
  ['a MOE code service of 4 characters', { recipients: [{ siret: '21787789300016', recepteurId: 'A01', moe: { siret: '91485253800018', codeService: 'MOE1', recepteurId: 'M01' } }] }, 'recipients.0.moe.codeService'],
  ['a bad status format', { ...ok, partners: [{ id: 'op', statusFormats: ['PDF'] }] }, 'partners.0.statusFormats.0: must be one of'],
  ['a statusPartner that is not a folder-safe id', { ...ok, recipients: [{ siret: '21787789300016', recepteurId: 'VALM01', statusPartner: '../si' }] }, 'recipients.0.statusPartner'],
  ['no routing table', {}, 'missing key "recipients"'],
])('refuses %s, naming the key', (_name, raw, expected) => {
  expect(problems(raw).join('\n')).toContain(expected);
});

describe('values of the right type that cannot work, named with the key and the value', () => {
  it('refuses a time zone the system does not know (it used to fail at the first date, with a stack)', () => {
    expect(problems({ ...ok, timezone: 'Europe/Pariss' })).toEqual(['timezone: "Europe/Pariss" is not a time zone this system knows (an IANA name such as "Europe/Paris")']);
    expect(problems({ ...ok, timezone: 'America/Cayenne' })).toEqual([]);
  });

  it('refuses a reconcile.cron BullMQ cannot read (watch used to stop at start with a stack), as its own parser reads it', () => {
    expect(problems({ ...ok, reconcile: { cron: 'every night' } })).toEqual([expect.stringMatching(/^reconcile\.cron: "every night" is not a cron pattern \(.*\); six fields with seconds, e\.g\. "0 30 2 \* \* \*" for 02:30 every night$/)]);
    expect(problems({ ...ok, reconcile: { cron: '0 61 2 * * *' } })).toEqual([expect.stringContaining('reconcile.cron: "0 61 2 * * *" is not a cron pattern (Constraint error, got value 61 expected range 0-59)')]);
    // what the scheduler takes: with seconds, without, in another zone
    for (const cron of ['0 30 2 * * *', '30 2 * * *', '0 0 4 * * 1-5']) expect(problems({ ...ok, timezone: 'America/Cayenne', reconcile: { cron } })).toEqual([]);
  });

  it('refuses a routing SIRET with a bad key, in the recipient or its MOE: no invoice would reach it', () => {
    const moe = { siret: '91485253800019', codeService: 'MOE01', recepteurId: 'M01' };
    expect(problems({ recipients: [{ siret: '21787789300017', recepteurId: 'VALM01', moe }] })).toEqual([
      'recipients.0.siret: "21787789300017" has a bad Luhn key, so it is no SIRET; check the number',
      'recipients.0.moe.siret: "91485253800019" has a bad Luhn key, so it is no SIRET; check the number',
    ]);
  });

  it('judges a La Poste SIRET by its own rule (digit sum a multiple of 5), not by Luhn', () => {
    // 35600000000001 fails Luhn but is a La Poste establishment; 35600000049441 passes Luhn but not La Poste's rule
    expect(problems({ recipients: [{ siret: '35600000000001', recepteurId: 'POSTE01' }] })).toEqual([]);
    expect(problems({ recipients: [{ siret: '35600000049441', recepteurId: 'POSTE01' }] })).toEqual([expect.stringContaining('recipients.0.siret: "35600000049441" (La Poste family) has a bad key')]);
  });

  it.each(['CF/X01', 'CF\\X01', 'CF\u0000X01', '../CFX', 'CF.X01'])('refuses emitter.id %j: it is part of every output file name', (id) => {
    expect(problems({ ...ok, emitter: { id } })).toEqual([`emitter.id: ${JSON.stringify(id)} must match pattern "^[A-Za-z0-9_-]+$"`]);
  });

  it('accepts the emitter ids in use: letters, digits, - and _', () => {
    expect(problems({ ...ok, emitter: { id: 'CFX001' } })).toEqual([]);
    expect(problems({ ...ok, emitter: { id: 'cf-x_01' } })).toEqual([]);
  });

  it('the command line prints a bad time zone as one plain line, exit 2, no stack', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'tz.json');
    writeFileSync(file, JSON.stringify({ ...ok, timezone: 'Europe/Pariss' }));
    mkdirSync(path.join(dir, 'in'));
    const r = await cli(['run', path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--config', file, '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`chorus-flux: Invalid configuration ${file}:\n  - timezone: "Europe/Pariss" is not a time zone this system knows (an IANA name such as "Europe/Paris")\n`);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  }, 30000);
});

describe('what is allowed but most likely a typo is warned of at start', () => {
  const withSi = (statusPartner: string) => ({ partners: [{ id: 'op-alpha' }, { id: 'si-valmont' }], recipients: [{ siret: '21787789300016', recepteurId: 'VALM01', statusPartner }] });

  it('a statusPartner that names no configured partner', () => {
    expect(configWarnings(configFromObject(withSi('si-valmont'), '/tmp', '(test)'))).toEqual([]);
    expect(configWarnings(configFromObject(withSi('si-valmnt'), '/tmp', '(test)'))).toEqual([
      'recipients.0.statusPartner: si-valmnt is not one of the configured partners (op-alpha, si-valmont): COMPLETEE flows for 21787789300016 go to statut/si-valmnt/ and only a folder of that name may change the status of its invoices; check the id',
    ]);
    // without partners, they are the folders `run` finds: nothing to check against
    expect(configWarnings(configFromObject({ recipients: withSi('anyone').recipients }, '/tmp', '(test)'))).toEqual([]);
  });

  it('run prints it on the console and goes on', async () => {
    const root = tempDir('cf-warn-');
    const file = path.join(root, 'config.json');
    writeFileSync(file, JSON.stringify(withSi('si-valmnt')));
    mkdirSync(path.join(root, 'inbox'));
    const r = await cli(['run', path.join(root, 'inbox'), '--out', path.join(root, 'out'), '--config', file, '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('recipients.0.statusPartner: si-valmnt is not one of the configured partners');
  });
});

it('refuses a missing inbox folder at watch start, naming the key', () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'in-a'));
  const c = configFromObject({ ...ok, paths: { out: 'out' }, partners: [{ id: 'a', inbox: 'in-a' }, { id: 'b', inbox: 'in-b' }] }, dir, '(test)');
  expect(() => checkFolders(c, 'watch')).toThrow(/partners\.1\.inbox: the folder .*in-b does not exist/);
});

it('refuses at watch start an inbox that is a file, an empty path, and one that cannot be written; a refused configuration makes no folder', () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'in-file'), 'not a folder');
  const c = configFromObject({ ...ok, paths: { out: 'out', processing: 'work/processing' }, partners: [{ id: 'a', inbox: 'in-file' }] }, dir, '(test)');
  expect(() => checkFolders(c, 'watch')).toThrow(/partners\.0\.inbox: .*in-file is not a folder/);
  expect(existsSync(path.join(dir, 'work'))).toBe(false);
  // "" would have been the configuration's own folder
  expect(problems({ ...ok, partners: [{ id: 'a', inbox: '' }] }).join('\n')).toContain('partners.0.inbox');
  expect(problems({ ...ok, paths: { out: '' } }).join('\n')).toContain('paths.out');
  // immutable (chattr +i), where the file system and the user allow setting it: access() says EPERM even to root
  mkdirSync(path.join(dir, 'in-locked'));
  if (spawnSync('chattr', ['+i', path.join(dir, 'in-locked')]).status !== 0) return;
  try {
    const locked = configFromObject({ ...ok, paths: { out: 'out' }, partners: [{ id: 'a', inbox: 'in-locked' }] }, dir, '(test)');
    expect(() => checkFolders(locked, 'watch')).toThrow(/partners\.0\.inbox: .*in-locked cannot be written \(.*\); files could not be claimed out of it/);
  } finally {
    spawnSync('chattr', ['-i', path.join(dir, 'in-locked')]);
  }
});

// found by an audit: the device numbers matched, so watch started, then failed every claim
// (EXDEV) at every rescan and left the files in their inbox, while OPERATIONS.md said it
// refuses to start. A systemd unit with the inbox and the processing area in two
// ReadWritePaths entries, or two container volumes, makes such mounts.
it('refuses at watch start an inbox on another mount of the processing area\'s file system (a bind mount)', () => {
  if (spawnSync('unshare', ['-m', 'true']).status !== 0) {
    process.stderr.write('config-errors: unshare -m is not allowed here; the bind-mount check was not run\n');
    return;
  }
  const dir = tempDir();
  const inbox = path.join(dir, 'sftp', 'a');
  mkdirSync(inbox, { recursive: true });
  writeFileSync(path.join(inbox, 'facture.xml'), '<Invoice/>');
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...ok, paths: { out: 'out' }, partners: [{ id: 'a', inbox: 'sftp/a' }], metrics: { port: 0 } }));
  const node = [process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'watch', '--config', file];
  const script = `mount --bind "$1" "$1" && shift && exec "$@"`;
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', path.join(dir, 'sftp'), ...node], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL', env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1' } });
  expect([r.status, r.stderr]).toEqual([2, expect.stringContaining(`partners.0.inbox: ${inbox} and paths.processing (${path.join(dir, 'out', 'processing')}) are on one file system but two mounts of it`)]);
  // the probe left nothing, and the refused configuration made no folder
  expect(readdirSync(inbox)).toEqual(['facture.xml']);
  expect(readdirSync(dir).sort()).toEqual(['config.json', 'sftp']);
}, 40_000);

it('the command line reports a bad configuration file and exits 2', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ recipients: [{ siret: 'x', recepteurId: 'R01', extra: 1 }] }));
  const r = await cli(['run', dir, '--out', path.join(dir, 'out'), '--config', file, '--no-progress']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('recipients.0: unknown key "extra"');
  expect(r.stderr).toContain('recipients.0.siret');
});

describe('folders that overlap', () => {
  const overlap = (raw: Record<string, unknown>, dir: string) => {
    const c = configFromObject({ ...ok, ...raw }, dir, '(test)');
    try {
      checkFolders(c, 'watch');
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it('refuses outputs inside an inbox: a watcher would claim the pivots out of their outbox', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'sftp'));
    expect(overlap({ paths: { out: 'sftp/out' }, partners: [{ id: 'a', inbox: 'sftp' }] }, dir)).toEqual([expect.stringMatching(/^paths\.out: .*sftp\/out is inside the inbox .*sftp \(partners\.0\.inbox\)/)]);
    // the state folder alone, through a symbolic link to the inbox
    symlinkSync(path.join(dir, 'sftp'), path.join(dir, 'link'));
    expect(overlap({ paths: { out: 'out', state: 'link/state' }, partners: [{ id: 'a', inbox: 'sftp' }] }, dir)).toEqual([expect.stringMatching(/^paths\.state: .*sftp\/state is inside the inbox/)]);
  });

  it('refuses an inbox inside another, or shared by two partners: a file would belong to two partners', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'sftp', 'b'), { recursive: true });
    expect(overlap({ paths: { out: 'out' }, partners: [{ id: 'a', inbox: 'sftp' }, { id: 'b', inbox: 'sftp/b' }] }, dir)).toEqual([expect.stringMatching(/^partners\.1\.inbox: .*sftp\/b is inside partners\.0\.inbox/)]);
    expect(overlap({ paths: { out: 'out' }, partners: [{ id: 'a', inbox: 'sftp' }, { id: 'b', inbox: 'sftp/' }] }, dir)).toEqual([expect.stringMatching(/^partners\.1\.inbox: the same folder as partners\.0\.inbox/)]);
    // siblings are fine
    mkdirSync(path.join(dir, 'sftp', 'c'));
    expect(overlap({ paths: { out: 'out' }, partners: [{ id: 'b', inbox: 'sftp/b' }, { id: 'c', inbox: 'sftp/c' }] }, dir)).toEqual([]);
  });

  it('run refuses an output root inside the inbox it reads, and writes nothing', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'facture.xml'), '<Invoice/>');
    const r = await cli(['run', dir, '--out', path.join(dir, 'out'), '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: .*out is inside the inbox .* \(the inbox argument\)/);
    expect(r.stderr).not.toContain('paths.state');
    // a command-line mistake, not the configuration file's
    expect(r.stderr).not.toContain('Invalid configuration');
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  }, 30000);

  it('run refuses an inbox inside its output root: it would take its own status flows for a partner’s', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'out', 'statut', 'op-alpha'), { recursive: true });
    writeFileSync(path.join(dir, 'out', 'statut', 'op-alpha', 'FEN1200A_CFX001_CFX0.xml'), '<CPPStatut/>');
    const r = await cli(['run', path.join(dir, 'out', 'statut'), '--out', path.join(dir, 'out'), '--no-progress']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^chorus-flux: the inbox argument: .*out\/statut is inside --out statut\/ \(.*out\/statut\); chorus-flux's own outputs would be taken as inbound files\n$/)]);
    expect(existsSync(path.join(dir, 'out', 'journal'))).toBe(false);
    // a partner's inbox in an output folder, in the configuration; beside them under the output root is fine
    mkdirSync(path.join(dir, 'out', 'archive', 'in-a'), { recursive: true });
    expect(overlap({ paths: { out: 'out' }, partners: [{ id: 'a', inbox: 'out/archive/in-a' }] }, dir)).toEqual([expect.stringMatching(/^partners\.0\.inbox: .*out\/archive\/in-a is inside paths\.out archive\//)]);
    mkdirSync(path.join(dir, 'out', 'in', 'a'), { recursive: true });
    expect(overlap({ paths: { out: 'out' }, partners: [{ id: 'a', inbox: 'out/in/a' }] }, dir)).toEqual([]);
  }, 30000);
});

it.each([
  ['an inbox that does not exist', (dir: string) => path.join(dir, 'sftp-typo'), /^chorus-flux: the inbox .*sftp-typo does not exist\n$/],
  ['a file given as the inbox', (dir: string) => path.join(dir, 'facture.xml'), /^chorus-flux: the inbox .*facture\.xml is a file, not a folder/],
])('run refuses %s with exit 2 and one plain line, and writes nothing', async (_name, inbox, message) => {
  // a typo in the inbox used to be a clean run of nothing (exit 0), a file a stack trace
  const dir = tempDir();
  writeFileSync(path.join(dir, 'facture.xml'), '<Invoice/>');
  const r = await cli(['run', inbox(dir), '--out', path.join(dir, 'out'), '--no-progress']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(existsSync(path.join(dir, 'out'))).toBe(false);
}, 30000);

describe('run refuses an output folder or inbox it cannot use, in one plain line and exit 2', () => {
  const inboxWithAFile = () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'in'));
    writeFileSync(path.join(dir, 'in', 'facture.xml'), '<Invoice/>');
    writeFileSync(path.join(dir, 'afile'), 'not a folder');
    return dir;
  };

  it.each([
    ['an existing file as --out', 'afile', /^chorus-flux: the output folder .*\/afile is a file, not a folder\n$/],
    ['a folder under a file as --out', 'afile/sub', /^chorus-flux: the output folder .*\/afile\/sub cannot be made: .*\/afile is a file, not a folder\n$/],
    // mkdir there fails (EPERM as root here; a user is stopped earlier: /sys cannot be written), or loops for ever under /proc
    ['a place that refuses folders (/sys)', '/sys/chorus-flux-out', /^chorus-flux: (the output folder \/sys\/chorus-flux-out cannot be made: \/sys\/chorus-flux-out|Invalid configuration .*\n {2}- --out: \/sys cannot be written) \(E[A-Z]+: .*\)\n$/],
    ['a place that takes no folders (/proc)', '/proc/chorus-flux-out', /^chorus-flux: the output folder \/proc\/chorus-flux-out cannot be made: \/proc\/chorus-flux-out \(ENOENT: .*\)\n$/],
  ])('refuses %s (it was ENOTDIR or EPERM with a stack trace)', async (_name, out, message) => {
    const dir = inboxWithAFile();
    const r = await cli(['run', path.join(dir, 'in'), '--out', path.resolve(dir, out), '--no-progress'], { timeoutMs: 30000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(dir).sort()).toEqual(['afile', 'in']);
  }, 30000);

  it.each([
    ['an empty --out, which wrote into the current folder', (dir: string) => [path.join(dir, 'in'), '--out', ''], 'chorus-flux: --out is empty: give the output folder\n'],
    ['an empty inbox argument, which was said not to exist', (dir: string) => ['', '--out', path.join(dir, 'out')], 'chorus-flux: the inbox argument is empty: give the folder to read\n'],
  ])('refuses %s', async (_name, args, message) => {
    const dir = inboxWithAFile();
    const r = await cli(['run', ...args(dir), '--no-progress'], { cwd: dir, timeoutMs: 30000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(message);
    expect(readdirSync(dir).sort()).toEqual(['afile', 'in']);
  }, 30000);
});

describe('a configuration file that cannot be read as JSON, or at all', () => {
  const problemsOf = (file: string) => {
    try {
      loadConfig(file);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it('names the line and column, and a comment as such (the README example is annotated; JSON.parse only gave a position)', () => {
    const dir = tempDir('cf-json-');
    writeFileSync(path.join(dir, 'comment.json'), '{\n  // where outputs go\n  "paths": {}\n}\n');
    writeFileSync(path.join(dir, 'comma.json'), '{\n  "paths": {},,\n}\n');
    expect(problemsOf(path.join(dir, 'comment.json'))).toEqual(['not valid JSON at line 2, column 3: a comment; JSON has none (remove the // and /* */ notes of an annotated example)']);
    expect(problemsOf(path.join(dir, 'comma.json'))).toEqual([expect.stringMatching(/^not valid JSON at line 2, column 15: \S/)]);
    // where Node gives no position (a comment after "[" or ":", as in the README's "partners": [  // …)
    writeFileSync(path.join(dir, 'array.json'), '{\n  "partners": [  // one per operator\n  ]\n}\n');
    expect(problemsOf(path.join(dir, 'array.json'))).toEqual(['not valid JSON at line 2, column 18: a comment; JSON has none (remove the // and /* */ notes of an annotated example)']);
    // a URL's // in a string is no comment
    writeFileSync(path.join(dir, 'url.json'), '{ "redis": { "url": "redis://h:6379" },, }');
    expect(problemsOf(path.join(dir, 'url.json'))).toEqual([expect.stringMatching(/^not valid JSON at line 1, column 40: Expected double-quoted property name$/)]);
  });

  // found by an audit: Node says "Unexpected token ']', …" over several lines with no position
  it('names a trailing comma where it is, and reads past a byte-order mark (Windows Notepad writes one)', () => {
    const dir = tempDir('cf-json-');
    writeFileSync(path.join(dir, 'array.json'), '{\n  "partners": [\n    { "id": "op-alpha" },\n  ],\n  "recipients": []\n}\n');
    writeFileSync(path.join(dir, 'object.json'), '{\n  "timezone": "Europe/Paris",\n}\n');
    expect(problemsOf(path.join(dir, 'array.json'))).toEqual(['not valid JSON at line 3, column 25: a comma before a closing ] or }; JSON allows none there']);
    expect(problemsOf(path.join(dir, 'object.json'))).toEqual(['not valid JSON at line 2, column 29: a comma before a closing ] or }; JSON allows none there']);
    writeFileSync(path.join(dir, 'bom.json'), `\ufeff${JSON.stringify({ recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }] })}`);
    expect(problemsOf(path.join(dir, 'bom.json'))).toEqual([]);
  });

  it('says that the file does not exist, or is a folder, instead of an error code', () => {
    const dir = tempDir('cf-json-');
    expect(problemsOf(path.join(dir, 'nope.json'))).toEqual([expect.stringMatching(/^the file does not exist: give --config the path of your configuration/)]);
    expect(problemsOf(dir)).toEqual(['this is a folder: give --config the configuration file itself']);
  });
});
