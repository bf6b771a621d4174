/**
 * `run` without --config into an output tree that processes with a configuration file wrote
 * (found by an operator audit: `chorus-flux run /srv/sftp --out /srv/chorus-flux/out`, the
 * --config forgotten). The bundled example then processed the partners' files: pivots under
 * its emitter id (CFX001), its routing table (every invoice to another buyer refused
 * CPRO-DESTINATAIRE-INCONNU, its partner sent a 93), and the files' processed marks made the
 * same uploads "already processed" once the run was repeated with the right --config; the one
 * sign was a note after the summary, exit 0. Now refused before anything is written, exit 2,
 * naming the configuration the tree's journal was written with.
 *
 * What is read: the first line (the writer's `start` line) of the journal files of the two
 * newest journal days, at most 256 files per day, stopping at the first that names a
 * configuration file other than a bundled example. Cheap, and a tree written by a service
 * always has such lines on its newest days.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import { isBundledExample, type Config } from '../config/config';
import { UsageError } from '../util/usage-error';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const FILES_PER_DAY = 256;
const FIRST_LINE_BYTES = 8192;

/** The configuration file (not a bundled example) named by a `start` line of `out`'s newest journal days, with that day; undefined when none does or there is no journal. */
export function configOfOutputTree(out: string): { config: string; day: string } | undefined {
  const journal = path.join(out, 'journal');
  let days: string[];
  try {
    days = readdirSync(journal).filter((d) => DAY.test(d)).sort().reverse().slice(0, 2);
  } catch {
    return undefined;
  }
  for (const day of days) {
    let files: string[];
    try {
      files = readdirSync(path.join(journal, day)).filter((f) => f.endsWith('.jsonl')).slice(0, FILES_PER_DAY);
    } catch {
      continue;
    }
    for (const f of files) {
      const config = startConfig(path.join(journal, day, f));
      if (config !== undefined && !config.endsWith(' (bundled example)')) return { config, day };
    }
  }
  return undefined;
}

/** The `config` of the file's first line when it is a `start` line. */
function startConfig(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(FIRST_LINE_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const end = text.indexOf('\n');
    if (end < 0) return undefined;
    const line = JSON.parse(text.slice(0, end)) as { event?: unknown; config?: unknown };
    return line.event === 'start' && typeof line.config === 'string' ? line.config : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The commands that write into an output tree and fall back to the bundled example without --config. */
export type TreeCommand = 'run' | 'reject' | 'reprocess' | 'prune' | 'reconcile';

/**
 * Without --config (the bundled example), refuses an output tree a configuration file wrote:
 * `run` would process, and `reject` write status flows, as the example's emitter and partners;
 * `reprocess` put refused files back by the example's partners (not their configured inboxes
 * nor `.done` markers); `prune` remove marks by the example's retention (400 days), not the
 * configured one; `reconcile` judge a day by the example's inboxes, time zone and thresholds,
 * and write its report (a day without journal lines of its own, which its own check cannot
 * refuse, read CLEAN). An explicit `--config config/example.json` is not refused.
 */
export function refuseTreeOfOtherConfig(command: TreeCommand, config: Config, what: string): void {
  if (!isBundledExample(config)) return;
  const written = configOfOutputTree(config.paths.out);
  if (written) throw new UsageError(`${command} refused: ${config.paths.out} was written with the configuration ${written.config} (its journal of ${written.day}), and no --config was given: ${what}. Give --config ${written.config}${command === 'run' ? ', or another --out for a trial' : ''}`);
}
