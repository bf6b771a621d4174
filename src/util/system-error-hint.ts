/**
 * What an operator should do about the system errors that stop a run: the error codes the
 * machine gives (disk full, read-only disk, permissions, too many open files), each with a
 * plain sentence. Printed before the technical message.
 */

/** What each error code means, and what to do about it. */
const CODES: Record<string, { what: string; todo: string }> = {
  ENOSPC: { what: 'the disk is full (no space left on the device)', todo: 'Free space, then run again' },
  EDQUOT: { what: 'the disk quota of this user is used up', todo: 'Free space or raise the quota, then run again' },
  EROFS: { what: 'the file system is read-only', todo: 'Remount it read-write, then run again' },
  EACCES: { what: 'permission denied', todo: 'Give this user read access to the inboxes and write access to the output folder, then run again' },
  EPERM: { what: 'operation not permitted', todo: 'Check the owner and permissions of the inboxes and of the output folder, then run again' },
  EMFILE: { what: 'too many open files for this process', todo: 'Raise the limit (ulimit -n, or LimitNOFILE in a systemd unit) or lower --concurrency, then run again' },
  ENFILE: { what: 'too many open files on this machine', todo: 'Raise fs.file-max or lower --concurrency, then run again' },
  EIO: { what: 'the device reported an input/output error', todo: 'Check the disk (dmesg), then run again' },
};

const HINTS: Record<string, string> = Object.fromEntries(Object.entries(CODES).map(([code, c]) => [code, `${c.what}. ${c.todo}`]));

/** "EROFS: the file system is read-only" (or the bare code when it is not one of these). */
export function describeErrorCode(code: string): string {
  return Object.hasOwn(CODES, code) ? `${code}: ${CODES[code].what}` : code;
}

/** Files a stopped run did not finish stay where they were; a new run finishes them once. */
const AFTERWARDS = 'Files not finished are left in the inbox; the next run recognises those already done and does not process them twice.';

/** A readable sentence for a system error that stopped a run, or undefined for any other error. */
export function systemErrorHint(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !Object.hasOwn(HINTS, code)) return undefined;
  const where = (e as NodeJS.ErrnoException).path;
  return `${HINTS[code]}${where ? ` (${where})` : ''}. ${AFTERWARDS}`;
}

/**
 * The sentences for the files a run could not finish, from their error messages ("ENOSPC: no
 * space left on device, write", or a message that quotes one): one per kind of error, with
 * how many files it stopped and the first of them by name. An inbox file nobody gave this user
 * read access to (chmod 000) stops every run until its permissions are fixed: "permission
 * denied" alone left the operator to search the log for which one.
 */
export function failureHints(failures: readonly { file: string; error: string }[]): string[] {
  const counts = new Map<string, string[]>();
  const others = new Map<string, string[]>();
  for (const f of failures) {
    const code = Object.keys(HINTS).find((c) => new RegExp(`\\b${c}\\b`).test(f.error));
    const into = code ? counts : others;
    const key = code ?? f.error;
    const files = into.get(key) ?? [];
    files.push(f.file);
    into.set(key, files);
  }
  // any other error is shown as it is (the first few kinds), not left to the log alone
  const shown = [...others].slice(0, MAX_OTHERS).map(([m, files]) => `${files.length} file(s) not finished: ${m.length > 300 ? `${m.slice(0, 299)}…` : m} (${named(files)})`);
  if (others.size > MAX_OTHERS) shown.push(`${others.size - MAX_OTHERS} other kind(s) of error: see the log.`);
  return [...[...counts].map(([code, files]) => `${files.length} file(s) not finished: ${CODES[code].what} (${named(files)}). ${CODES[code].todo}. ${AFTERWARDS}`), ...shown];
}

/** "op-alpha/F1.xml, op-alpha/F2.xml": the first few files by name. */
function named(files: readonly string[]): string {
  return `${files.slice(0, MAX_NAMED).join(', ')}${files.length > MAX_NAMED ? `, and ${files.length - MAX_NAMED} more in the log` : ''}`;
}

const MAX_OTHERS = 3;
const MAX_NAMED = 3;
