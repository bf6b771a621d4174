/**
 * `chorus-flux reject <IdCPRO> --reason <text> [--config <file>] [--out <dir>]`: rejects an
 * invoice chorus-flux suspended on deposit that its supplier never completed (the nightly
 * report's `suspended-past-deadline`): REJETEE in its lifecycle, its depositor told (CPPStatut
 * 05, CDAR 213), journaled (lifecycle/operator-reject.ts). Run again, it finishes what a crash
 * left and writes nothing twice. Exit 0 rejected (now or before), 1 it cannot be (unknown
 * IdCPRO, another state, suspended by a finance SI), 2 a usage or system problem.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, outputRootOrigin } from '../../config/config';
import { ID_CPRO, rejectSuspended, type RejectResult } from '../../lifecycle/operator-reject';
import { createDeps, statePaths } from '../../runner/deps';
import { createLogger } from '../../util/logger';
import { UsageError } from '../../util/usage-error';
import { refuseForeignOwner } from '../owner-guard';
import { refuseTreeOfOtherConfig } from '../tree-config';

export interface RejectCommandOptions {
  config?: string;
  out?: string;
  reason?: string;
  asAnyUser?: boolean;
}

function describe(r: Extract<RejectResult, { result: 'rejected' | 'finished' | 'already' }>, given: string): string {
  const rec = r.record;
  const what = `invoice ${rec.number} of supplier ${rec.supplierId} (IdCPRO ${rec.idCpro})`;
  const flows = r.outputs.length ? r.outputs.map((o) => `  ${o.kind.padEnd(6)} ${o.path}  sha256 ${o.sha256.slice(0, 12)}`) : [`  no status flow could be written for partner ${rec.partner} (see the warning above): tell it yourself`];
  const head =
    r.result === 'rejected'
      ? `rejected ${what}: REJETEE; partner ${rec.partner} told:`
      : r.result === 'finished'
        ? `rejected ${what} at ${r.at}, by a run cut short: what it owed is written now; partner ${rec.partner} told:`
        : `${what} was already rejected by the operator at ${r.at}: its status flows were written and journaled, nothing to do:`;
  const lines = [head, ...flows];
  if (given !== r.reason) lines.push(`the reason given now is not used: the rejection keeps its own, "${r.reason}"`);
  if (r.result !== 'already') lines.push(`a later deposit of this invoice by its supplier is refused as a duplicate (DOUBLON): a new invoice needs a new number`);
  return `${lines.join('\n')}\n`;
}

export async function rejectCommand(idCpro: string, opts: RejectCommandOptions): Promise<number> {
  const id = idCpro.trim();
  if (!ID_CPRO.test(id)) throw new UsageError(`"${idCpro}" is no IdCPRO: give the invoice's IdCPRO, an integer (the reconciliation's report and chorus-flux trace give it)`);
  const reason = opts.reason?.replace(/\s+/g, ' ').trim();
  if (!reason) throw new UsageError('give --reason "<text>": it goes to the supplier\'s side with the rejection');
  if (opts.out === '') throw new UsageError('--out is empty: give the output root the invoice was processed with');
  const config = loadConfig(opts.config, { out: opts.out });
  refuseForeignOwner('reject', config, opts);
  const invoices = statePaths(config).invoices;
  // without --config nor --out the folder is the bundled example's, not the operator's paths.state (as trace and prune say)
  if (!existsSync(invoices)) throw new UsageError(`${invoices} does not exist: no invoice was ever processed with this output root (${outputRootOrigin(config, opts.out !== undefined, 'paths.state')})`);
  refuseTreeOfOtherConfig('reject', config, "the status flows would go out under the bundled example's emitter and partners' settings");
  // the console shows warnings and errors; the file, every line
  const logger = createLogger({ file: path.join(config.paths.out, 'logs', `reject-${new Date().toISOString().replace(/[:.]/g, '-')}.log`), level: 'warn' });
  const deps = createDeps(config, { logger });
  try {
    const r = await rejectSuspended(deps, id, reason);
    if (r.result === 'refused') {
      process.stderr.write(`chorus-flux reject: ${r.message}\n`);
      return 1;
    }
    logger.info({ idCpro: id, invoice: r.record.number, result: r.result, at: r.at, outputs: r.outputs.map((o) => o.path) }, `reject: ${r.result}`);
    process.stdout.write(describe(r, reason));
    return 0;
  } finally {
    await deps.journal.close().catch(() => undefined);
    logger.flush?.();
  }
}
