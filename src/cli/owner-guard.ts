/**
 * The commands that write into the output tree refuse to run as another user than the one
 * who owns it. Everything they make (a day's journal/ or error/ folder, reports/, a lock, a
 * state mark) belongs to whoever runs them, with that user's umask: a `reconcile` run as root
 * made a root-owned reports/ and the service user's nightly reconciliation stopped on EACCES
 * (docs/OPERATIONS.md, "Starting"). The owner of the output root stands for the service user:
 * the installation makes it so (`install -d -o chorus-flux … /srv/chorus-flux/out`).
 *
 * The test is "the same user", not "can write": root can write anywhere, and in a folder the
 * group may write (setgid, docs/OPERATIONS.md) another member still makes files and folders
 * the owner cannot add to (0644/0755 under the usual umask). A root that does not exist yet is
 * no one's: the first run makes it and owns it. `--as-any-user` overrides (a flag, not an
 * environment variable: it is seen on the command line it applies to, and never inherited by
 * the next command of a shell or by a unit's environment file).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../util/usage-error';
import type { Config } from '../config/config';

/** The override's flag, and what --help says of it. */
export const AS_ANY_USER = {
  flags: '--as-any-user',
  description: "write into the output tree though this user does not own it (refused otherwise, exit 2): what it makes belongs to this user, and the owner (the service user) may not be able to write there after it",
};

type Folder = keyof Config['paths'];

/** The folders of the configuration each writing command makes files in. Not here, and never refused: validate, facturx (a path the operator names), trace, jobs (--resume: Redis only), retry (Redis only), dashboard, prune --dry-run. */
const WRITES = {
  run: ['out', 'state'],
  reconcile: ['out', 'state'], // reports/, and the sweep of temp files and dead locks
  prune: ['state'],
  reject: ['out', 'state'],
  reprocess: ['out', 'state'], // journal/, state/files/ (the copy goes to an inbox: the partner's folder)
  'set-aside': ['out', 'state', 'processing'],
  watch: ['out', 'state', 'processing'],
  worker: ['out', 'state', 'processing'],
} as const satisfies Record<string, readonly Folder[]>;

export type WritingCommand = keyof typeof WRITES;

/** A user's name from the system's user database (getent knows NSS users too); undefined when it has none. */
function userName(uid: number): string | undefined {
  try {
    return execFileSync('getent', ['passwd', String(uid)], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0] || undefined;
  } catch {
    /* no getent, or no such user: the local file */
  }
  try {
    return readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[2] === String(uid))?.[0];
  } catch {
    return undefined;
  }
}

const who = (uid: number, name: string | undefined) => (name ? `${name} (uid ${uid})` : `uid ${uid}`);

/** A word the shell reads as it is, else single-quoted. */
const shellWord = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** The commands that reach Redis: sudo drops REDIS_URL from the environment unless told to keep it. */
const USES_REDIS: ReadonlySet<WritingCommand> = new Set(['set-aside', 'watch', 'worker']);

/** This very command line, to run as `user` (sudo takes `#uid` for a user without a name). */
function asUser(command: WritingCommand, user: string): string {
  const keep = USES_REDIS.has(command) && process.env.REDIS_URL !== undefined ? ['--preserve-env=REDIS_URL'] : [];
  return ['sudo', ...keep, '-u', user, process.execPath, ...process.execArgv, ...process.argv.slice(1)].map(shellWord).join(' ');
}

/**
 * Why `command` may not write the folders of `config` as this process's user, or undefined
 * when it may: each folder it writes that exists is owned by this user.
 */
export function foreignOwnerProblem(command: WritingCommand, config: Config): { refuse?: string; warn?: string } {
  const me = process.geteuid?.();
  if (me === undefined) return {}; // no users to compare (Windows)
  for (const key of WRITES[command]) {
    const dir = config.paths[key];
    let owner: number;
    try {
      owner = statSync(dir).uid;
    } catch {
      continue; // not there yet (made by this run, and so its own), or unreadable: the usual checks say so
    }
    if (owner === me) continue;
    const ownerName = userName(owner);
    const myName = userName(me);
    if (owner === 0) {
      // a root-owned tree says nothing of who the service is, and a group-writable root:chorus-flux
      // tree has worked for years: refusing would stop a running service at an upgrade. Said, not refused.
      return { warn: `${command}: warning: ${dir} is owned by root, and this runs as ${who(me, myName)}: root's commands cannot be told from the service's, so nothing guards this tree against a command run as root; give it to the user chorus-flux runs as (as root: chown -R ${myName ?? me} ${shellWord(dir)}, if it runs as ${myName ?? `uid ${me}`}; the owner only, the partners' groups stay)` };
    }
    return { refuse: `${command} refused: ${dir} is owned by ${who(owner, ownerName)}, and this runs as ${who(me, myName)}: what it made there would belong to ${myName ?? `uid ${me}`}, and the owner's processes (the service) could not write into it. Run it as the owner: ${asUser(command, ownerName ?? `#${owner}`)} (or give ${AS_ANY_USER.flags})` };
  }
  return {};
}

/** Throws (exit 2, one line) when `command` would write the output tree as another user than its owner, unless overridden; says it (stderr, one line) when the tree is root's. */
export function refuseForeignOwner(command: WritingCommand, config: Config, opts: { asAnyUser?: boolean }): void {
  if (opts.asAnyUser) return;
  const problem = foreignOwnerProblem(command, config);
  if (problem.refuse) throw new UsageError(problem.refuse);
  if (problem.warn) process.stderr.write(`chorus-flux: ${problem.warn}\n`);
}
