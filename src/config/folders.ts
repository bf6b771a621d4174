/**
 * Start-up checks of the folders a configuration names, so a typo is an error that names
 * the key instead of an inbox nobody watches. Inboxes must exist; the output root's parent
 * must exist; the processing area must sit on the same file system as every inbox (claims
 * are atomic renames); the output root must be writable; no output or state folder may sit
 * inside an inbox, nor one inbox inside another.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../util/usage-error';
import { describeErrorCode } from '../util/system-error-hint';
import { nearestExisting, realPath } from '../util/real-path';
import { makeFolders } from '../util/make-folders';
import { ConfigError, isBundledExample, type Config } from './config';
import { within } from '../util/path-within';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Why `dir` cannot be written — or, when it does not exist yet, the nearest folder it would be
 * made in — or undefined when it can. (Node's recursive mkdir reports a read-only disk as
 * ENOENT; asking first gives the operator the real reason.)
 */
export function unwritableReason(dir: string): string | undefined {
  const p = nearestExisting(dir).head;
  try {
    accessSync(p, constants.W_OK);
    return undefined;
  } catch (e) {
    return `${p} cannot be written (${describeErrorCode((e as NodeJS.ErrnoException).code ?? 'error')})`;
  }
}

/**
 * Why a file cannot be renamed from `dir` into `into`, as a claim does; undefined when it can.
 * The same device number is not enough: a bind mount (systemd's `ReadWritePaths`, a container
 * volume) is another mount of the same file system, and rename(2) does not cross mounts
 * (EXDEV). A dotfile named `.tmp` is tried, which no scan takes, and removed.
 */
function renameProblem(dir: string, into: string): string | undefined {
  const name = `.chorus-flux-claim-probe.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const from = path.join(dir, name);
  try {
    writeFileSync(from, '', { flag: 'wx' });
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'error';
  }
  try {
    renameSync(from, path.join(into, name));
    rmSync(path.join(into, name), { force: true });
    return undefined;
  } catch (e) {
    rmSync(from, { force: true });
    return (e as NodeJS.ErrnoException).code ?? 'error';
  }
}

/**
 * Folders that overlap where they must not. Outputs or state inside an inbox would be taken
 * as inbound files (a watcher would claim the pivots out of their outbox); an inbox inside
 * another would make a file's partner, and so where its status flows go, depend on which
 * watcher saw it first. `runInbox`: the tree `run` reads, checked against the output folders.
 */
/** The folders of the output root chorus-flux writes in (DESIGN.md §7, and its logs). */
export const OUTPUT_FOLDERS = ['pivot', 'statut', 'cdar', 'archive', 'error', 'journal', 'reports', 'logs'];

export function overlapProblems(config: Config, runInbox?: { path: string; key: string }, outKey = 'paths.out'): string[] {
  const problems: string[] = [];
  const inboxes = config.partners.flatMap((p, k) => (p.inbox ? [{ key: `partners.${k}.inbox`, path: realPath(p.inbox) }] : []));
  if (runInbox) inboxes.push({ key: runInbox.key, path: realPath(runInbox.path) });
  // with --out, the state and processing folders are its own (config.ts): named after it, not the configuration's keys
  const derived = outKey.startsWith('--');
  const outputs = [
    { key: outKey, path: realPath(config.paths.out) },
    { key: derived ? `${outKey} state/` : 'paths.state', path: realPath(config.paths.state) },
    { key: derived ? `${outKey} processing/` : 'paths.processing', path: realPath(config.paths.processing) },
  ];
  // the folders chorus-flux writes files in (an inbox beside them under the output root is fine)
  const written = [
    ...OUTPUT_FOLDERS.map((f) => ({ key: `${outKey} ${f}/`, path: path.join(outputs[0].path, f) })),
    outputs[1],
    outputs[2],
  ];
  for (const i of inboxes) {
    // state/ and processing/ under an output root already named are not named again
    const inside = outputs.filter((o) => within(o.path, i.path));
    for (const o of inside.filter((x, k) => k === 0 || !within(x.path, inside[0].path))) problems.push(`${o.key}: ${o.path} is inside the inbox ${i.path} (${i.key}); what chorus-flux writes there would be taken as inbound files`);
    // and the other way round: an inbox in a folder chorus-flux writes (run out/statut) takes its own flows as a partner's
    const holder = written.find((o) => within(i.path, o.path));
    if (holder && inside.length === 0) problems.push(`${i.key}: ${i.path} is inside ${holder.key} (${holder.path}); chorus-flux's own outputs would be taken as inbound files`);
  }
  // the configuration file in an inbox: watch claimed it out of its place (the next start found
  // none), and whoever drops files there could rewrite the routing table
  const file = isBundledExample(config) || !path.isAbsolute(config.source) ? undefined : realPath(config.source);
  for (const i of inboxes) if (file && within(file, i.path)) problems.push(`${i.key}: ${i.path} holds the configuration file ${config.source}; it would be taken as an inbound file (watch moves it away), and whoever drops files there could rewrite it: keep it out of every inbox`);
  // the state and the claimed files among the outputs: a partner fetching its statut/ would take them
  for (const own of outputs.slice(1)) {
    const holder = written.slice(0, OUTPUT_FOLDERS.length).find((o) => within(own.path, o.path));
    if (holder) problems.push(`${own.key}: ${own.path} is inside ${holder.key} (${holder.path}); chorus-flux's own files would go out with its outputs`);
    else if (within(outputs[0].path, own.path)) problems.push(`${own.key}: ${own.path} holds the output root ${outputs[0].path} (${outKey}); give it a folder of its own`);
  }
  if (within(outputs[1].path, outputs[2].path) || within(outputs[2].path, outputs[1].path)) problems.push(`${outputs[2].key}: ${outputs[2].path} and ${outputs[1].key} (${outputs[1].path}) overlap; each needs a folder of its own`);
  const partnerInboxes = runInbox ? inboxes.slice(0, -1) : inboxes;
  partnerInboxes.forEach((a, x) =>
    partnerInboxes.forEach((b, y) => {
      if (x === y || !within(a.path, b.path)) return;
      if (a.path === b.path && x < y) return; // the same folder twice: said once, at the second
      problems.push(a.path === b.path ? `${a.key}: the same folder as ${b.key} (${a.path}); each partner needs its own inbox` : `${a.key}: ${a.path} is inside ${b.key} (${b.path}); a file there would belong to two partners`);
    }),
  );
  return problems;
}

/**
 * Why `--reports` cannot take the reconciliation's reports: a folder chorus-flux writes flows or
 * its records in, or an inbox. In statut/<partner>/ the day's report of every partner's
 * invoices went to that partner with its status flows (and the next reconciliation found three
 * files there it never wrote); in an inbox, a watcher took it as an inbound file.
 */
export function reportsFolderProblem(config: Config, dir: string): string | undefined {
  const at = realPath(dir);
  const out = realPath(config.paths.out);
  const taken = [
    ...OUTPUT_FOLDERS.filter((f) => f !== 'reports').map((f) => ({ what: `the output root's ${f}/`, path: path.join(out, f) })),
    { what: 'the state folder', path: realPath(config.paths.state) },
    { what: 'the processing folder', path: realPath(config.paths.processing) },
    ...config.partners.flatMap((p) => (p.inbox ? [{ what: `the inbox of ${p.id}`, path: realPath(p.inbox) }] : [])),
  ];
  const holder = taken.find((t) => within(at, t.path));
  return holder && `${at} is inside ${holder.what} (${holder.path}): that folder holds only what chorus-flux writes there (partners fetch their flows from it, or it is read back as a record or an inbound file); give the reports a folder of their own (the default is ${path.join(out, 'reports')})`;
}

/** An empty argument resolves to the current folder: refuse it rather than read or write there. */
export function checkRunArguments(inbox: string, out: string | undefined, config?: string): void {
  if (inbox === '') throw new UsageError('the inbox argument is empty: give the folder to read');
  if (out === '') throw new UsageError('--out is empty: give the output folder');
  // the bundled example's paths.out is a folder of the project: where a run writes is always said
  if (out === undefined && config === undefined) throw new UsageError("give --out <dir>, the folder where pivot/, statut/, archive/, error/ and journal/ go (or --config <file>, whose paths.out is used)");
}

/** `run`'s folders: the output root can be written, and nothing it writes lands in the inbox it reads. */
export function checkRunFolders(config: Config, inbox: string, outKey = 'paths.out'): void {
  // a typo in the inbox would otherwise be a clean run of nothing
  let st;
  try {
    st = statSync(inbox);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `the inbox ${path.resolve(inbox)} does not exist` : `the inbox ${path.resolve(inbox)} cannot be read (${describeErrorCode(code ?? 'error')})`);
  }
  if (!st.isDirectory()) throw new UsageError(`the inbox ${path.resolve(inbox)} is a file, not a folder: give the folder that holds it (\`chorus-flux validate\` checks a single file)`);
  const problems = overlapProblems(config, { path: inbox, key: 'the inbox argument' }, outKey);
  // a mistake in the command line is told as such, not as one of the configuration file's
  const ofArguments = (p: string) => p.startsWith('the inbox argument') || p.startsWith('--');
  if (problems.length && problems.every(ofArguments)) throw new UsageError(problems.join('\n'));
  if (problems.length) throw new ConfigError(problems, config.source);
  refuseFileAsOutput(config, outKey);
  checkOutputWritable(config, outKey);
  makeOutputRoot(config, outKey);
}

/** A problem with the output root: a command-line argument's own line, or a configuration key's. */
function outputProblem(config: Config, key: string, message: string): Error {
  return key.startsWith('--') ? new UsageError(message) : new ConfigError([`${key}: ${message}`], config.source);
}

/** A file where the output root (or a folder above it) should be: mkdir would fail with ENOTDIR and a stack. */
function refuseFileAsOutput(config: Config, key: string): void {
  const out = config.paths.out;
  const head = nearestExisting(out).head;
  if (isDir(head)) return;
  throw outputProblem(config, key, head === out ? `the output folder ${out} is a file, not a folder` : `the output folder ${out} cannot be made: ${head} is a file, not a folder`);
}

/**
 * Makes the output root one folder at a time, so a place that refuses it (/sys, /proc) is one
 * plain line: Node's recursive mkdir throws with a stack there, and under /proc loops for ever.
 */
function makeOutputRoot(config: Config, key: string): void {
  const out = config.paths.out;
  const refused = makeFolders(out);
  if (!refused) return;
  throw outputProblem(config, key, `the output folder ${out} cannot be made: ${refused.refused} (${refused.why})`);
}

/** The output root can be written (`run` makes it and its parents as needed), and so can the state folder when it lies elsewhere. */
export function checkOutputWritable(config: Config, key = 'paths.out'): void {
  const problems = writableProblems(config, key, ['state']);
  // a folder of the command line is told as such, not as the configuration file's
  if (problems.length && problems.every((p) => p.startsWith('--'))) throw new UsageError(problems.join('\n'));
  if (problems.length) throw new ConfigError(problems, config.source);
}

/**
 * The output root, and those of `others` that lie outside it, can be written. Found only on
 * the first file, a read-only state folder failed every file with "ENOENT … mkdir locks" and
 * a stack; a processing folder nobody can write made a watcher that claimed nothing for ever.
 */
function writableProblems(config: Config, outKey: string, others: readonly ('state' | 'processing')[]): string[] {
  const problems: string[] = [];
  const outWhy = unwritableReason(config.paths.out);
  if (outWhy) problems.push(`${outKey}: ${outWhy}`);
  // its folders that exist already (a read-only pivot/ failed every file with "ENOENT … mkdir")
  else
    for (const f of OUTPUT_FOLDERS) {
      const dir = path.join(config.paths.out, f);
      const why = isDir(dir) ? unwritableReason(dir) : undefined;
      if (why) problems.push(`${outKey} ${f}/: ${why}`);
    }
  for (const k of others) {
    const dir = config.paths[k];
    if (outWhy && within(realPath(dir), realPath(config.paths.out))) continue; // said for the output root
    const why = unwritableReason(dir);
    if (why) problems.push(`paths.${k}: ${why}`);
  }
  return problems;
}

export function checkFolders(config: Config, mode: 'watch' | 'worker'): void {
  const problems: string[] = [];
  if (!isDir(path.dirname(config.paths.out))) problems.push(`paths.out: the parent folder of ${config.paths.out} does not exist`);
  else problems.push(...writableProblems(config, 'paths.out', ['state', 'processing']));
  problems.push(...overlapProblems(config));
  if (mode === 'watch') {
    const withInbox = config.partners.filter((p) => p.inbox);
    if (withInbox.length === 0) problems.push('partners: no partner has an "inbox": there is nothing to watch');
    config.partners.forEach((p, k) => {
      if (!p.inbox) return;
      if (!existsSync(p.inbox)) problems.push(`partners.${k}.inbox: the folder ${p.inbox} does not exist`);
      else if (!isDir(p.inbox)) problems.push(`partners.${k}.inbox: ${p.inbox} is not a folder`);
      else {
        // a claim renames the file out of the inbox: that writes the inbox folder
        const why = unwritableReason(p.inbox);
        if (why) problems.push(`partners.${k}.inbox: ${why}; files could not be claimed out of it`);
      }
    });
    if (problems.length === 0) {
      // compared before the processing area is made: a refused configuration leaves nothing behind
      const head = nearestExisting(config.paths.processing).head;
      const dev = statSync(head).dev;
      config.partners.forEach((p, k) => {
        if (!p.inbox) return;
        if (statSync(p.inbox).dev !== dev) {
          problems.push(`partners.${k}.inbox: ${p.inbox} is not on the same file system as paths.processing (${config.paths.processing}); claims need an atomic rename`);
          return;
        }
        // watch used to start and then fail every claim, the files left in their inbox for ever
        const code = renameProblem(p.inbox, head);
        if (code === 'EXDEV') problems.push(`partners.${k}.inbox: ${p.inbox} and paths.processing (${config.paths.processing}) are on one file system but two mounts of it (a bind mount: systemd's ReadWritePaths, a container volume), and a rename cannot cross them; claims need an atomic rename: give both one mount`);
        else if (code) problems.push(`partners.${k}.inbox: a file cannot be moved from ${p.inbox} into ${head} (${describeErrorCode(code)}); files could not be claimed out of it`);
      });
      const refused = problems.length === 0 ? makeFolders(config.paths.processing) : undefined;
      if (refused) problems.push(`paths.processing: ${config.paths.processing} cannot be made: ${refused.refused} (${refused.why})`);
    }
  }
  if (problems.length) throw new ConfigError(problems, config.source);
}
