/**
 * The systemd units shipped in deploy/systemd: systemd itself accepts them
 * (`systemd-analyze verify`, where the machine has it), every option their command lines
 * give is one the command takes, a daemon's stop timeout leaves it time to drain, and the
 * embedded mode's three command lines (run, prune, reconcile --catch-up) do their work when
 * run as written, with the installation's paths mapped to a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, ROOT } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';
import { loadConfig } from '../../src/config/config';

const UNITS = path.join(ROOT, 'deploy', 'systemd');
const INSTALL = { app: '/opt/chorus-flux', config: '/etc/chorus-flux/config.json', data: '/srv/chorus-flux' };

/** The settings of a unit, of all its sections or of one: name → values (ExecStart may repeat). */
function settings(file: string, only?: 'Unit' | 'Service' | 'Timer' | 'Install'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const line of readFileSync(path.join(UNITS, file), 'utf8').split('\n')) {
    section = /^\[(\w+)\]$/.exec(line.trim())?.[1] ?? section;
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m && (only === undefined || only === section)) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

/** The chorus-flux arguments of an ExecStart line (`-` prefix: failure ignored), %i as instance 1. */
function chorusFluxArgs(exec: string): string[] {
  const words = exec.replace(/^-/, '').replace(/%i/g, '1').split(/\s+/);
  expect(words.slice(0, 2)).toEqual(['/usr/bin/node', `${INSTALL.app}/bin/chorus-flux.js`]);
  return words.slice(2);
}

const units = readdirSync(UNITS).sort();
const services = units.filter((u) => u.endsWith('.service'));

describe('systemd units (deploy/systemd)', () => {
  it('are the watch, the worker template, and the embedded mode run and reconcile with their timers', () => {
    expect(units).toEqual(['chorus-flux-prune.service', 'chorus-flux-reconcile.service', 'chorus-flux-reconcile.timer', 'chorus-flux-run.service', 'chorus-flux-run.timer', 'chorus-flux-watch.service', 'chorus-flux-worker@.service']);
  });

  it('no command line has its failure ignored ("ExecStart=-"): a prune that failed every night left the unit green and nothing in systemctl --failed', () => {
    for (const unit of services) expect([unit, (settings(unit).get('ExecStart') ?? []).filter((e) => e.startsWith('-'))]).toEqual([unit, []]);
  });

  it('the nightly reconciliation pulls the prune in and runs after it, without needing it to succeed', () => {
    const unit = settings('chorus-flux-reconcile.service');
    expect([unit.get('Wants'), unit.get('After'), unit.get('Requires'), unit.get('Requisite'), unit.get('BindsTo')]).toEqual([['chorus-flux-prune.service'], ['chorus-flux-prune.service'], undefined, undefined, undefined]);
  });

  it('pass systemd-analyze verify', () => {
    const which = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
    if (which.status !== 0) {
      process.stderr.write('deploy-units: systemd-analyze is not on this machine; the units were checked by the other tests only\n');
      return;
    }
    const r = spawnSync('systemd-analyze', ['verify', ...units.map((u) => path.join(UNITS, u))], { encoding: 'utf8' });
    expect([r.status, r.stderr.trim()]).toEqual([0, '']);
  });

  it.each(services)('%s: every option of its command lines is one the command takes', async (unit) => {
    for (const exec of settings(unit).get('ExecStart') ?? []) {
      const [command, ...rest] = chorusFluxArgs(exec);
      const help = await cli([command, '--help']);
      expect(help.code).toBe(0);
      for (const option of rest.filter((w) => w.startsWith('--'))) expect([unit, option, help.stdout.includes(`${option} `) || help.stdout.includes(`${option}\n`)]).toEqual([unit, option, true]);
      // the paths it names are where the unit may write
      for (const p of rest.filter((w) => w.startsWith(INSTALL.data))) expect(settings(unit).get('ReadWritePaths')?.some((rw) => p.startsWith(rw))).toBe(true);
    }
  });

  it('the daemons restart, are stopped by SIGTERM and given time to drain their jobs', () => {
    const drainSeconds = loadConfig(undefined).worker.shutdownTimeoutMs / 1000;
    for (const unit of ['chorus-flux-watch.service', 'chorus-flux-worker@.service']) {
      const s = settings(unit);
      expect([unit, s.get('KillSignal'), s.get('Restart')]).toEqual([unit, ['SIGTERM'], ['always']]);
      expect(Number(s.get('TimeoutStopSec')?.[0])).toBeGreaterThan(drainSeconds);
      // a multi-invoice flow writes thousands of files (the descriptor budget of write-batch.ts)
      expect(Number(s.get('LimitNOFILE')?.[0])).toBeGreaterThanOrEqual(4096);
    }
  });

  it('a daemon whose start fails every time (exit 2: a bad configuration) is given up, failed, instead of restarted every 2 s for ever', async () => {
    // what fails it: a configuration that is not one, and it exits at once (from the sources,
    // slower to start than the installed build)
    const root = tempDir('cf-units-bad-');
    const bad = path.join(root, 'config.json');
    writeFileSync(bad, JSON.stringify({ paths: { out: path.join(root, 'out') }, recipients: [], unknownKey: 1 }));
    for (const unit of ['chorus-flux-watch.service', 'chorus-flux-worker@.service']) {
      const [command, ...rest] = chorusFluxArgs(settings(unit, 'Service').get('ExecStart')?.[0] ?? '');
      const began = Date.now();
      const r = await cli([command, ...rest.map((w) => (w === INSTALL.config ? bad : w))], { timeoutMs: 30_000 });
      const failSeconds = (Date.now() - began) / 1000;
      expect([unit, r.code, r.stderr]).toEqual([unit, 2, expect.stringMatching(/unknown key "unknownKey"/)]);
      // the start limit is [Unit]'s (in [Service] systemd ignores it, with a warning)
      const limits = settings(unit, 'Unit');
      const service = settings(unit, 'Service');
      expect([unit, service.get('StartLimitIntervalSec'), service.get('StartLimitBurst'), service.get('Restart')]).toEqual([unit, undefined, undefined, ['always']]);
      const interval = Number(limits.get('StartLimitIntervalSec')?.[0]);
      const burst = Number(limits.get('StartLimitBurst')?.[0]);
      const restartSec = Number(service.get('RestartSec')?.[0]);
      // systemd refuses the start past `burst` starts within `interval`: the starts of such a
      // failure, restartSec apart, reach it. The room for a slower machine is in what is timed:
      // a start from the TypeScript sources takes several times the installed build's (a margin
      // of 3 on top of it failed on a CI host at load 17, where that start took over 7 s)
      expect([unit, failSeconds, burst * (restartSec + failSeconds) < interval]).toEqual([unit, failSeconds, true]);
      // a few tries all the same, for a cause that goes away (a share mounted late)
      expect(burst).toBeGreaterThanOrEqual(3);
      // a daemon that ran for a minute before it died is restarted, however often that happens
      expect([unit, burst * (restartSec + 60) > interval]).toEqual([unit, true]);
    }
  }, 90_000);

  it('the units docs/OPERATIONS.md tells to enable exist and can be enabled; those it does not are started by a timer or a unit', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'OPERATIONS.md'), 'utf8');
    // an operator who copied the units and ran "systemctl enable --now chorus-flux-worker@1" with no such step written got "Unit file … does not exist"
    expect(doc).toMatch(/^cp \/opt\/chorus-flux\/deploy\/systemd\/chorus-flux-\* \/etc\/systemd\/system\/(\s|$)/m);
    expect(doc).toMatch(/^systemctl daemon-reload$/m);
    const enabled = [...doc.matchAll(/^systemctl enable --now ([^#\n]+)/gm)].flatMap((m) => m[1].trim().split(/\s+/));
    expect(enabled.length).toBeGreaterThan(0);
    const unitFile = (name: string) => (/\.(service|timer)$/.test(name) ? name : `${name}.service`).replace(/@[^.]+\./, '@.');
    for (const name of enabled) expect([name, units.includes(unitFile(name)), settings(unitFile(name)).get('WantedBy')?.length]).toEqual([name, true, 1]);
    // every other unit is started by one of them: a timer its service, a unit what it Wants=
    const reached = new Set<string>();
    const reach = (u: string) => {
      if (reached.has(u)) return;
      reached.add(u);
      for (const next of [...(u.endsWith('.timer') ? [u.replace(/\.timer$/, '.service')] : []), ...(settings(u).get('Wants') ?? [])]) if (units.includes(next)) reach(next);
    };
    enabled.map(unitFile).forEach(reach);
    expect(units.filter((u) => !reached.has(u))).toEqual([]);
    // systemd enables them as written, in a root of its own (no running systemd needed)
    if (spawnSync('sh', ['-c', 'command -v systemctl'], { encoding: 'utf8' }).status !== 0) return;
    const root = tempDir('cf-units-root-');
    mkdirSync(path.join(root, 'etc', 'systemd', 'system'), { recursive: true });
    for (const u of units) cpSync(path.join(UNITS, u), path.join(root, 'etc', 'systemd', 'system', u));
    const r = spawnSync('systemctl', [`--root=${root}`, 'enable', ...enabled], { encoding: 'utf8' });
    expect([r.status, r.stderr.split('\n').filter((l) => /fail|invalid|not found|does not exist|no installation config/i.test(l))]).toEqual([0, []]);
  });

  it('the embedded mode’s command lines do their work as written (paths mapped to a temporary folder)', async () => {
    const root = tempDir('cf-units-');
    const data = path.join(root, 'srv');
    mkdirSync(path.join(data, 'in'), { recursive: true });
    cpSync(path.join(FIXTURES_INBOX, 'op-alpha'), path.join(data, 'in', 'op-alpha'), { recursive: true });
    // the example configuration with its partners' inboxes under the installation's data: as
    // shipped they are the repository's fixtures, which the nightly reconciliation then scans
    // (a checkout made the day before reads as files never picked up)
    const example = JSON.parse(readFileSync(path.join(ROOT, 'config', 'example.json'), 'utf8')) as { partners: { id: string; inbox?: string }[] };
    for (const p of example.partners) if (p.inbox) p.inbox = path.join(data, 'in', p.id);
    const configFile = path.join(root, 'config.json');
    writeFileSync(configFile, JSON.stringify(example));
    const mapped = (exec: string) => chorusFluxArgs(exec).map((w) => w.replace(INSTALL.config, configFile).replace(INSTALL.data, data));
    const run = settings('chorus-flux-run.service').get('ExecStart') ?? [];
    expect(run).toHaveLength(1);
    const ran = await cli(mapped(run[0]).map((w) => (w === '60' ? '0' : w))); // --min-age 60: the fixtures were copied just now
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    expect(readdirSync(path.join(data, 'out', 'pivot')).length).toBeGreaterThan(0);
    // the prune first (chorus-flux-reconcile.service runs After= it), then the reconciliation
    const nightly = [...(settings('chorus-flux-prune.service').get('ExecStart') ?? []), ...(settings('chorus-flux-reconcile.service').get('ExecStart') ?? [])];
    expect(nightly.map((e) => chorusFluxArgs(e)[0])).toEqual(['prune', 'reconcile']);
    for (const exec of nightly) {
      const r = await cli(mapped(exec));
      expect([mapped(exec)[0], r.code, r.stderr]).toEqual([mapped(exec)[0], 0, '']);
    }
    expect(existsSync(path.join(data, 'out', 'reports'))).toBe(true);
  }, 60000);
});
