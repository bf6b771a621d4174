/**
 * The counters a flow declares. A pivot whose CPPFactures@Compteur said 5 for the 3 invoices it
 * held (or said "abc") was integrated as a partial flow, and a status flow whose compteur said 7
 * for one line was applied: a flow cut short or put together wrong now is refused whole
 * (FLUX-COMPTEUR), its partner told why, its original kept.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isFluxError } from '../../src/model/flux-error';
import { parseFlux } from '../../src/transform/parse/flux';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';

const PIVOT = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');
const withCount = (c: string | undefined) => PIVOT.replace(/<CPPFactures Compteur="3">/, c === undefined ? '<CPPFactures>' : `<CPPFactures Compteur="${c}">`);

async function rule(xml: string): Promise<string | undefined> {
  try {
    await parseFlux(Buffer.from(xml));
    return undefined;
  } catch (e) {
    if (isFluxError(e)) return `${e.rule}: ${e.message}`;
    throw e;
  }
}

describe('a pivot’s CPPFactures@Compteur', () => {
  it('is the fixture’s 3', () => {
    expect(PIVOT).toContain('<CPPFactures Compteur="3">');
  });
  it.each([['3'], ['+3'], [' 3 '], ['003'], [undefined]])('%s for 3 invoices is taken', async (c) => {
    expect(await rule(withCount(c))).toBeUndefined();
  });
  it.each([
    ['5', 'FLUX-COMPTEUR: /CPPFacturePivot/CPPFactures/@Compteur says 5 invoice(s), but the flow holds 3: a flow cut short or put together wrong is refused whole, so that none of it is taken while the rest is missing.'],
    ['2', 'FLUX-COMPTEUR: /CPPFacturePivot/CPPFactures/@Compteur says 2 invoice(s), but the flow holds 3: a flow cut short or put together wrong is refused whole, so that none of it is taken while the rest is missing.'],
    ['abc', 'FLUX-COMPTEUR: /CPPFacturePivot/CPPFactures/@Compteur is "abc", not a count (a whole number, 0 or more).'],
    ['-3', 'FLUX-COMPTEUR: /CPPFacturePivot/CPPFactures/@Compteur is "-3", not a count (a whole number, 0 or more).'],
    ['3.0', 'FLUX-COMPTEUR: /CPPFacturePivot/CPPFactures/@Compteur is "3.0", not a count (a whole number, 0 or more).'],
  ])('%s for 3 invoices is refused', async (c, expected) => {
    expect(await rule(withCount(c))).toBe(expected);
  });
});

it('a status flow whose compteur is not its number of lines is refused', async () => {
  const xml = siStatusFlow('SI-1', [{ idStatut: '07', supplierId: '99746507500015', idFacture: 'F-1', buyerSiret: '21787789300016', dateFacture: '2026-11-02' }]);
  expect(xml).toContain('compteur="1"');
  expect(await rule(xml)).toBeUndefined();
  expect(await rule(xml.replace('compteur="1"', 'compteur="7"'))).toBe(
    'FLUX-COMPTEUR: /CPPStatut/CPPFactureStatuts/@compteur says 7 invoice status(es), but the flow holds 1: a flow cut short or put together wrong is refused whole, so that none of it is taken while the rest is missing.',
  );
});

it('run refuses such a pivot whole: no invoice of it emitted, the original kept, the partner told', async () => {
  const root = tempDir('cf-counters-');
  mkdirSync(path.join(root, 'inbox', 'op-beta'), { recursive: true });
  writeFileSync(path.join(root, 'inbox', 'op-beta', 'lot.xml'), withCount('5'));
  const config = bundledConfig(path.join(root, 'out'));
  const r = (await runOnce(path.join(root, 'inbox'), config)).results[0];
  expect([r.outcome, r.findings.map((f) => f.rule)]).toEqual(['refused', ['FLUX-COMPTEUR']]);
  expect(r.outputs.filter((o) => o.kind === 'pivot')).toEqual([]);
  const kept = r.outputs.find((o) => o.kind === 'error');
  expect(readFileSync(path.join(config.paths.out, kept?.path ?? '?'), 'utf8')).toBe(withCount('5'));
  const told = r.outputs.filter((o) => o.kind === 'statut').map((o) => readFileSync(path.join(config.paths.out, o.path), 'utf8'));
  expect(told.join('')).toMatch(/<IdStatut>93<\/IdStatut>[^]*FLUX-COMPTEUR/);
});
