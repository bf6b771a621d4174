/**
 * The report as one self-contained HTML page: inline CSS, inline SVG chart, no script, no
 * external font or image, nothing fetched. Order: status and summary, anomalies first,
 * volumes per hour, per partner, per recipient (amounts in and out), notes.
 */
import { localDateTime } from './day';
import { hourlyChart } from './chart-svg';
import { sentFlowText } from './sent-flows';
import { ANOMALY_TITLES, ANOMALY_TYPES, type Anomaly, type AmountPair, type Amounts, type FileCounts, type InvoiceCounts, type ReconcileReport } from './types';

const MAX_ROWS_PER_TYPE = 200;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** 1234567.5 → "1 234 567.50" (narrow no-break spaces), as written, never through a float. */
export function groupDigits(amount: string): string {
  const m = /^([+-]?)(\d+)(\.\d+)?$/.exec(amount);
  if (!m) return amount;
  return `${m[1] === '-' ? '−' : m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')}${m[3] ?? ''}`;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#212121;background:#fafafa}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid #e0e0e0}
h3{font-size:14px;margin:18px 0 6px}
.sub{color:#616161;margin:0 0 16px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:13px;vertical-align:middle;margin-left:8px}
.badge.clean{background:#e8f5e9;color:#1b5e20;border:1px solid #a5d6a7}
.badge.anomalies{background:#ffebee;color:#b71c1c;border:1px solid #ef9a9a}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:10px 14px;min-width:130px}
.card .n{font-size:22px;font-weight:600}
.card .l{color:#616161;font-size:12px}
.card.bad{border-color:#ef9a9a;background:#fff5f5}
table{border-collapse:collapse;background:#fff;border:1px solid #e0e0e0;margin:4px 0 8px;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #eeeeee;text-align:left;vertical-align:top}
th{background:#f5f5f5;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.num,td.num div.sub{white-space:normal}
td.zero{color:#bdbdbd}
td.hot{color:#b71c1c;font-weight:600}
code{font:12px ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;word-break:break-all}
.anom{border-left:4px solid #c62828;padding-left:10px;margin-bottom:14px}
.anom table{width:100%;table-layout:fixed}
.anom th:nth-child(1){width:34%}.anom th:nth-child(2){width:17%}.anom th:nth-child(3){width:8%}
.ok{color:#1b5e20}
.chart .tick{font-size:11px;fill:#616161}
.chart .val{font-size:10px;fill:#424242}
.more{color:#616161;font-style:italic}
.partners{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
table.partner{min-width:270px}
table.partner caption{text-align:left;padding:4px 2px;caption-side:top}
#per-recipient td:first-child{white-space:nowrap}
footer{margin-top:32px;color:#9e9e9e;font-size:12px}
`;

function n(v: number, hot = false): string {
  return `<td class="num${v === 0 ? ' zero' : hot ? ' hot' : ''}">${v}</td>`;
}

function concerns(a: Anomaly): string {
  const bits: string[] = [];
  if (a.file) bits.push(`<div>file <code>${esc(a.file)}</code></div>`);
  if (a.output) bits.push(`<div>output <code>${esc(a.output)}</code></div>`);
  if (a.outputs && a.outputs.length > 1) bits.push(`<div>pivots ${a.outputs.map((p) => `<code>${esc(p)}</code>`).join(', ')}</div>`);
  if (a.journal) bits.push(`<div>journal <code>${esc(a.journal)}</code></div>`);
  if (a.sha256) bits.push(`<div>sha256 <code>${esc(a.sha256.slice(0, 16))}…</code></div>`);
  return bits.join('') || '—';
}

function invoices(a: Anomaly): string {
  if (!a.invoices?.length) return '—';
  return a.invoices
    .map((i) => [i.idCpro ? `IdCPRO <b>${esc(i.idCpro)}</b>` : '', i.number ? esc(i.number) : '', i.supplierId ? `<span class="sub">${esc(i.supplierId)}</span>` : ''].filter(Boolean).join(' · '))
    .map((s) => `<div>${s}</div>`)
    .join('');
}

function anomaliesSection(r: ReconcileReport): string {
  if (r.anomalies.length === 0) return `<h2>Anomalies</h2><p class="ok">None: every file received was accounted for, every output matches its journal entry, no gap in the journal.</p>`;
  const out = [`<h2>Anomalies (${r.anomalies.length})</h2>`];
  for (const t of ANOMALY_TYPES) {
    const list = r.anomalies.filter((a) => a.type === t);
    if (!list.length) continue;
    out.push(`<div class="anom" id="${t}"><h3>${esc(ANOMALY_TITLES[t])} — ${list.length}</h3>`);
    out.push('<table><thead><tr><th>concerns</th><th>invoice(s)</th><th>partner</th><th>detail</th></tr></thead><tbody>');
    for (const a of list.slice(0, MAX_ROWS_PER_TYPE)) {
      out.push(`<tr><td>${concerns(a)}</td><td>${invoices(a)}</td><td>${esc(a.partner ?? '—')}</td><td>${esc(a.message)}</td></tr>`);
    }
    out.push('</tbody></table>');
    if (list.length > MAX_ROWS_PER_TYPE) out.push(`<p class="more">${list.length - MAX_ROWS_PER_TYPE} more in the JSON report.</p>`);
    out.push('</div>');
  }
  return out.join('');
}

/** What the receivers of the flows sent said of them: counts, and every refusal (they need an operator). */
function flowStatusSection(r: ReconcileReport): string {
  const f = r.flowStatuses;
  if (f.acknowledged + f.rejected + f.partial === 0) return '';
  const out = [`<h2>Flows sent, as their receivers say</h2><p>${f.acknowledged} acknowledged, ${f.rejected} refused, ${f.partial} partly integrated.</p>`];
  if (f.refusals.length) {
    out.push('<table id="flow-refusals"><thead><tr><th>flow</th><th>status</th><th>partner</th><th>their words</th><th>told in</th></tr></thead><tbody>');
    for (const x of f.refusals.slice(0, MAX_ROWS_PER_TYPE)) {
      out.push(`<tr><td>${esc(x.flow ?? x.sent?.output ?? x.idFlux)}<div class="sub">${esc(sentFlowText(x.sent, f.lookbackDays))}</div></td><td>${esc(x.idStatut)} ${x.verdict === 'rejected' ? 'refused' : 'partly integrated'}<div class="sub">${esc(x.at)}</div></td><td>${esc(x.partner)}</td><td>${esc(x.reason ?? '—')}</td><td>${esc(x.file)}</td></tr>`);
    }
    out.push('</tbody></table>');
    if (f.refusals.length > MAX_ROWS_PER_TYPE) out.push(`<p class="more">${f.refusals.length - MAX_ROWS_PER_TYPE} more in the JSON report.</p>`);
  }
  return out.join('');
}

/** Rows of a partner's table: a label, its file count, its invoice count (undefined: not applicable). */
const PARTNER_ROWS: [string, keyof FileCounts | undefined, keyof InvoiceCounts | undefined][] = [
  ['received / deposited', 'files', 'invoices'],
  ['accepted', 'accepted', 'accepted'],
  ['partial integration', 'partial', undefined],
  ['refused', 'refused', 'refused'],
  ['suspended', 'suspended', 'suspended'],
  ['completed (Renvoi Complétée)', undefined, 'completed'],
  ['recycled (Renvoi Recyclée)', undefined, 'recycled'],
  ['duplicate (DOUBLON)', 'duplicate', 'duplicate'],
  ['status flow applied / lines', 'statusApplied', 'statusApplied'],
  ['status lines refused', undefined, 'statusRefused'],
  ['rejected by the operator', undefined, 'rejectedByOperator'],
  ['lost', 'lost', undefined],
  ['already processed (re-dropped)', 'alreadyProcessed', undefined],
];

function partnerCard(id: string, name: string | undefined, f: FileCounts, i: InvoiceCounts): string {
  const cell = (v: number | undefined, hot: boolean) => (v === undefined ? '<td class="num zero">·</td>' : n(v, hot));
  const rows = PARTNER_ROWS.map(([label, fk, ik]) => `<tr><td>${esc(label)}</td>${cell(fk && f[fk], fk === 'lost')}${cell(ik && i[ik], false)}</tr>`).join('');
  return `<table class="partner" data-partner="${esc(id)}"><caption><b>${esc(id)}</b>${name ? ` <span class="sub">${esc(name)}</span>` : ''}</caption><thead><tr><th></th><th class="num">files</th><th class="num">invoices</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function partnerTables(r: ReconcileReport): string {
  const cards = r.byPartner.map((p) => partnerCard(p.partner, p.name, p.files, p.invoices));
  cards.push(partnerCard('total', undefined, r.totals.files, r.totals.invoices));
  return `<h2>Per partner</h2><div class="partners" id="per-partner">${cards.join('')}</div>`;
}

const INV_COLS: [keyof InvoiceCounts, string][] = [
  ['accepted', 'accepted'],
  ['refused', 'refused'],
  ['suspended', 'suspended'],
  ['completed', 'completed'],
  ['recycled', 'recycled'],
  ['duplicate', 'duplicate'],
];

/** Other currencies than the euro under the euro figure, each apart: a sum across currencies means nothing. */
function others(p: AmountPair, field: 'ht' | 'ttc'): string {
  return p.byCurrency
    .filter((c) => c.currency !== p.currency)
    .map((c) => `<div class="sub">${esc(c.currency)} ${groupDigits(c[field])}</div>`)
    .join('');
}

function pairCells(p: AmountPair): string {
  const credits = p.creditNotes ? ` title="of which ${p.creditNotes} credit note(s), subtracted"` : '';
  return `<td class="num"${credits}>${p.invoices}</td><td class="num">${groupDigits(p.ht)}${others(p, 'ht')}</td><td class="num">${groupDigits(p.ttc)}${others(p, 'ttc')}</td>`;
}

function money(a: Amounts): string {
  return pairCells(a.in) + pairCells(a.out);
}

function recipientTable(r: ReconcileReport): string {
  const cols = INV_COLS;
  const head = `<tr><th rowspan="2">recipient</th><th colspan="${cols.length}">invoices</th><th colspan="3">in (deposited), EUR</th><th colspan="3">out (in a pivot), EUR</th></tr><tr>${cols.map(([, l]) => `<th class="num">${l}</th>`).join('')}<th class="num">n</th><th class="num">HT</th><th class="num">TTC</th><th class="num">n</th><th class="num">HT</th><th class="num">TTC</th></tr>`;
  const rows = r.byRecipient.map((x) => `<tr><td><b>${esc(x.recepteurId)}</b>${x.name ? `<div class="sub">${esc(x.name)}</div>` : ''}</td>${cols.map(([k]) => n(x.invoices[k])).join('')}${money(x.amounts)}</tr>`);
  rows.push(`<tr><td><b>total</b></td>${cols.map(([k]) => n(r.totals.invoices[k])).join('')}${money(r.totals.amounts)}</tr>`);
  return `<h2>Per recipient — MontantHT / MontantTTC in and out</h2><p class="sub">Credit notes are subtracted; amounts in another currency than the euro are summed apart, under the euro figure.</p><table id="per-recipient"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** One card per currency (the euro one always): a total across currencies would mean nothing. */
function ttcCards(p: AmountPair, label: string, c: (v: string, label: string) => string): string[] {
  const list = p.byCurrency.some((x) => x.currency === p.currency) ? p.byCurrency : [{ currency: p.currency, ttc: p.ttc }, ...p.byCurrency];
  return list.map((x) => c(groupDigits(x.ttc), `${label} (${x.currency})`));
}

function cards(r: ReconcileReport): string {
  const t = r.totals;
  const c = (v: string | number, label: string, bad = false) => `<div class="card${bad ? ' bad' : ''}"><div class="n">${typeof v === 'number' ? v : esc(v)}</div><div class="l">${esc(label)}</div></div>`;
  return `<div class="cards">${[
    c(t.files.files, 'files received'),
    c(t.files.files - t.files.lost, 'with an outcome'),
    c(t.files.lost, 'lost', t.files.lost > 0),
    c(t.invoices.invoices, 'invoices deposited'),
    c(t.invoices.accepted + t.invoices.completed + t.invoices.recycled, 'invoices emitted'),
    ...ttcCards(t.amounts.in, 'TTC in', c),
    ...ttcCards(t.amounts.out, 'TTC out', c),
    c(r.outputs.checked, 'outputs checked'),
    c(r.anomalies.length, 'anomalies', r.anomalies.length > 0),
  ].join('')}</div>`;
}

export function renderHtml(r: ReconcileReport): string {
  const status = r.status === 'clean' ? '<span class="badge clean">CLEAN</span>' : `<span class="badge anomalies">${r.anomalies.length} ANOMAL${r.anomalies.length === 1 ? 'Y' : 'IES'}</span>`;
  const notes = r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>chorus-flux reconciliation ${esc(r.date)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Reconciliation of ${esc(r.date)} ${status}</h1>
<p class="sub">time zone ${esc(r.timezone)} · judged at ${esc(localDateTime(r.asOf, r.timezone))} · journal ${esc(r.journal.days.join(' / '))} · ${r.journal.lines} lines from ${r.journal.writers.length} writer(s)${r.journal.writers.length ? ` (${r.journal.writers.map(esc).join(', ')})` : ''} · stuck after ${r.settings.stuckProcessingMinutes} min · suspended deadline ${r.settings.suspendedDeadlineDays} days</p>
</header>
<section id="summary">${cards(r)}</section>
<section id="anomalies">${anomaliesSection(r)}</section>
<section id="flow-statuses">${flowStatusSection(r)}</section>
<section id="volumes"><h2>Files received per hour</h2>${hourlyChart(r.hours, esc)}</section>
<section id="partners">${partnerTables(r)}</section>
<section id="recipients">${recipientTable(r)}</section>
<section id="outputs"><h2>Outputs checked against the journal</h2><p>${r.outputs.checked} output(s) checked (${Object.entries(r.outputs.byKind).map(([k, v]) => `${esc(k)} ${v}`).join(', ') || 'none'}): ${r.outputs.missing} missing, ${r.outputs.tampered} altered, ${r.outputs.orphan} orphan(s)${r.outputs.taken > 0 ? `, ${r.outputs.taken} taken by their transfer` : ''}.</p></section>
${notes}
<footer>chorus-flux reconcile · ${esc(r.format)} · the JSON and CSV (one row per invoice) of this report are beside this file.</footer>
</body>
</html>
`;
}
