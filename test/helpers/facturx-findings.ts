/**
 * The Factur-X findings (FACTURX-*) of an inbound Factur-X PDF as the EN 16931 validation gives
 * them, one line each: "<rule> <severity>: <message>".
 */
import { parseFlux } from '../../src/transform/parse/flux';
import { validateInvoice } from '../../src/transform/validate/engine';

export async function facturxFindings(bytes: Buffer): Promise<string[]> {
  const flux = await parseFlux(bytes);
  if (!('invoices' in flux)) throw new Error('not an invoice');
  return validateInvoice({ invoice: flux.invoices[0] }, 'en16931')
    .filter((f) => f.rule.startsWith('FACTURX-'))
    .map((f) => `${f.rule} ${f.severity}: ${f.message}`);
}
