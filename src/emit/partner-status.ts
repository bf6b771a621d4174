/**
 * Sends a status flow to a partner in each format it asked for (`statusFormats`):
 * CPPStatut V1_19 under statut/<partner>/, CDAR D22B under cdar/<partner>/. The caller gives
 * both shapes (a CPPStatut flow and the equivalent CDAR events); each partner gets what it
 * wants. A CDAR event that cannot be written validly is skipped with a warning, never
 * half-written.
 */
import type { Logger } from 'pino';
import type { Config, Partner } from '../config/config';
import type { JournalOutput } from '../journal/events';
import { cdarFileName, cdarProblems, serializeCdar, type CdarEvent } from './cdar';
import type { Outbox } from './outbox';
import { emitterParty, partnerRecepteurId } from './statut/build';
import { serializeStatut, statutFileName, type StatutFlow } from './statut/serialize';

export interface StatusSink {
  config: Config;
  outbox: Outbox;
  logger: Logger;
}

export function partnerFor(config: Config, id: string): Partner {
  return config.partners.find((p) => p.id === id) ?? { id, statusFormats: ['CPPStatut'], doneMarker: false, notifyAccepted: false };
}

export type PartnerStatusFlow = Omit<StatutFlow, 'recepteur' | 'emetteur'> & Partial<Pick<StatutFlow, 'recepteur'>>;

/** Writes the status for partner `partnerId`; the CPPStatut envelope's Recepteur and Emetteur are filled in here. */
export async function sendStatusFlow(sink: StatusSink, partnerId: string, flow: PartnerStatusFlow | undefined, cdar: (CdarEvent | undefined)[] = []): Promise<JournalOutput[]> {
  const partner = partnerFor(sink.config, partnerId);
  const outputs: JournalOutput[] = [];
  if (flow && partner.statusFormats.includes('CPPStatut') && ((flow.flux?.length ?? 0) > 0 || (flow.factures?.length ?? 0) > 0)) {
    // a partner's own statusRecepteurId names it in every flow it gets; else the flow's (a COMPLETEE names the finance SI by its recepteurId)
    const recepteur = partner.statusRecepteurId ? { id: partner.statusRecepteurId, label: flow.recepteur?.label ?? partner.name } : (flow.recepteur ?? { id: partnerRecepteurId(partner), label: partner.name });
    const full: StatutFlow = { ...flow, recepteur, emetteur: emitterParty(sink.config) };
    outputs.push(await sink.outbox.writeStatus('statut', partner.id, statutFileName(full), serializeStatut(full)));
  }
  if (partner.statusFormats.includes('CDAR')) {
    for (const e of cdar) {
      if (!e) continue;
      const problems = cdarProblems(e, { timeZone: sink.config.timezone });
      if (problems.length) {
        sink.logger.warn({ partner: partner.id, status: e.status, invoice: e.invoice.number, problems }, 'CDAR message not written: the data does not allow a valid one');
        continue;
      }
      outputs.push(await sink.outbox.writeStatus('cdar', partner.id, cdarFileName(e), serializeCdar(e, { timeZone: sink.config.timezone })));
    }
  }
  return outputs;
}
