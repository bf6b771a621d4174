/**
 * The digests `watch` publishes for the workers to compare theirs with (config-digest.ts), read
 * from its configuration file as it is now, at each rescan, not only as it was at its start.
 *
 * Why: the routing table fixed (a recipient added) and the workers restarted with the edited
 * file, `watch` left running (it uses none of the routing), is what operators do and what
 * docs/OPERATIONS.md says. Compared with the file as `watch` read it at start, every restarted
 * worker held back for good until `watch` was restarted too; the workers still running on the
 * file as it was are the ones held back now, until restarted. A file that cannot be read as it
 * is now (an edit under way, a typo) keeps the last digests read, said once.
 */
import type { Logger } from 'pino';
import { configDigests, differingSections, type ConfigDigests } from './config-digest';
import { loadConfig } from './config';

export class ConfigFileDigests {
  private said = '';

  constructor(
    /** the --config given to watch (undefined: the bundled example) */
    private readonly file: string | undefined,
    private last: ConfigDigests,
    private readonly logger: Logger,
  ) {}

  /** The digests of the file as it is now; the last ones read when it cannot be read. */
  current(): ConfigDigests {
    let now: ConfigDigests;
    try {
      now = configDigests(loadConfig(this.file));
    } catch (e) {
      const why = (e as Error).message.replace(/\s*\n\s*(- )?/g, ' '); // a ConfigError lists its problems on lines of their own
      if (why !== this.said) this.logger.warn(`the configuration file cannot be read as it is now (${why}): the workers are compared with it as it was last read`);
      this.said = why;
      return this.last;
    }
    this.said = '';
    const changed = differingSections(now, this.last);
    if (changed.length > 0) this.logger.warn({ changed }, `the configuration file changed in ${changed.join(', ')}: the workers are compared with it as it is now (a worker still running on it as it was takes no job until restarted); this watch's own settings (inboxes, watch.*, paths) change only when it is restarted`);
    this.last = now;
    return now;
  }
}
