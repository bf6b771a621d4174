/**
 * The hourly volume chart as inline SVG (no script, no font file): stacked bars of the
 * day's files per hour of reception, by outcome, with a value axis and a legend.
 */
import type { HourVolume } from './types';

export const SERIES: { key: keyof HourVolume['files']; label: string; color: string }[] = [
  { key: 'accepted', label: 'accepted', color: '#2e7d32' },
  { key: 'partial', label: 'partial', color: '#9e9d24' },
  { key: 'statusApplied', label: 'status applied', color: '#1565c0' },
  { key: 'suspended', label: 'suspended', color: '#ef6c00' },
  { key: 'duplicate', label: 'duplicate', color: '#6a1b9a' },
  { key: 'refused', label: 'refused', color: '#c62828' },
  { key: 'lost', label: 'lost', color: '#212121' },
];

function niceStep(raw: number): number {
  if (raw <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function hourlyChart(hours: HourVolume[], esc: (s: string) => string): string {
  const W = 760;
  const H = 250;
  const left = 48;
  const right = 12;
  const top = 16;
  const bottom = 58;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const totals = hours.map((h) => SERIES.reduce((s, x) => s + h.files[x.key], 0));
  const max = Math.max(0, ...totals);
  const step = niceStep(max / 4);
  const ymax = Math.max(step, Math.ceil(max / step) * step);
  const y = (v: number) => top + plotH - (v / ymax) * plotH;
  // 23, 24 or 25 bars: the day's real hours
  const slot = plotW / Math.max(1, hours.length);
  // on a day of 23 or 25 hours, say each hour's offset: 02:00 twice must be told apart
  const shift = hours.length !== 24;
  const label = (h: HourVolume) => `${String(h.hour).padStart(2, '0')}:00${shift ? ` (UTC${h.utcOffset})` : ''}`;
  const bw = Math.max(2, slot * 0.7);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="chart-title" class="chart">`);
  parts.push(`<title id="chart-title">Files received per hour, by outcome</title>`);
  for (let v = 0; v <= ymax; v += step) {
    const yy = y(v).toFixed(1);
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${yy}" y2="${yy}" stroke="#e0e0e0" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${yy}" dy="0.32em" text-anchor="end" class="tick">${v}</text>`);
  }
  hours.forEach((h, k) => {
    const x = left + k * slot + (slot - bw) / 2;
    let acc = 0;
    for (const s of SERIES) {
      const n = h.files[s.key];
      if (!n) continue;
      const y0 = y(acc);
      const y1 = y(acc + n);
      parts.push(`<rect x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.max(0.5, y0 - y1).toFixed(1)}" fill="${s.color}"><title>${esc(`${label(h)} — ${n} ${s.label}`)}</title></rect>`);
      acc += n;
    }
    if (totals[k] > 0) parts.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${(y(acc) - 3).toFixed(1)}" text-anchor="middle" class="val">${totals[k]}</text>`);
    parts.push(`<text x="${(left + k * slot + slot / 2).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" class="tick">${String(h.hour).padStart(2, '0')}</text>`);
  });
  parts.push(`<line x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#757575" stroke-width="1"/>`);
  let lx = left;
  const ly = H - 14;
  for (const s of SERIES) {
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${ly}" class="tick">${esc(s.label)}</text>`);
    lx += 24 + s.label.length * 6.2;
  }
  parts.push('</svg>');
  return parts.join('');
}
