/**
 * A writable `chorus-flux dashboard` (bull-board) on a free port, for the tests that press its
 * buttons through its HTTP API: the configuration copied with `dashboard.readOnly: false`, the
 * dashboard started in this process, `use` called once its API answers, the dashboard closed after.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDashboard } from '../../src/cli/commands/dashboard';

export async function withWritableDashboard<T>(configFile: string, dir: string, use: (url: string) => Promise<T>): Promise<T> {
  const raw = JSON.parse(readFileSync(configFile, 'utf8'));
  raw.dashboard = { ...raw.dashboard, readOnly: false };
  const writable = path.join(dir, 'writable-dashboard.json');
  writeFileSync(writable, JSON.stringify(raw));
  const dashboard = await startDashboard(writable, 0);
  try {
    // its API answers once its connection to Redis is ready
    for (let i = 0; i < 100 && (await fetch(`${dashboard.url}api/queues`)).status !== 200; i++) await sleep(100);
    return await use(dashboard.url);
  } finally {
    await dashboard.close();
  }
}
