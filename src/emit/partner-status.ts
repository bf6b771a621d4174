/**
 * Sends a status flow to a partner in each format it asked for (`statusFormats`):
 * CPPStatut V1_19 under statut/<partner>/, CDAR D22B under cdar/<partner>/.
 */
import type { Config, Partner } from '../config/config';
import type { JournalOutput } from '../journal/events';
import { cdarFromStatut } from './cdar-from-statut';
import type { Outbox } from './outbox';
import { emitterParty, partnerRecepteurId } from './statut/build';
import { serializeStatut, statutFileName, type StatutFlow } from './statut/serialize';

export interface StatusSink {
  config: Config;
  outbox: Outbox;
}

export function partnerFor(config: Config, id: string): Partner {
  return config.partners.find((p) => p.id === id) ?? { id, statusFormats: ['CPPStatut'], doneMarker: false };
}

/** Writes `flow` for partner `partnerId`; the envelope's Recepteur and Emetteur are filled in here. */
export async function sendStatusFlow(sink: StatusSink, partnerId: string, flow: Omit<StatutFlow, 'recepteur' | 'emetteur'> & Partial<Pick<StatutFlow, 'recepteur'>>): Promise<JournalOutput[]> {
  const partner = partnerFor(sink.config, partnerId);
  const full: StatutFlow = { ...flow, recepteur: flow.recepteur ?? { id: partnerRecepteurId(partner), label: partner.name }, emetteur: emitterParty(sink.config) };
  const outputs: JournalOutput[] = [];
  if (partner.statusFormats.includes('CPPStatut')) {
    outputs.push(await sink.outbox.writeStatus('statut', partner.id, statutFileName(full), serializeStatut(full)));
  }
  if (partner.statusFormats.includes('CDAR')) {
    for (const m of cdarFromStatut(sink.config, full)) outputs.push(await sink.outbox.writeStatus('cdar', partner.id, m.fileName, m.xml));
  }
  return outputs;
}
