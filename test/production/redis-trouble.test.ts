/**
 * What a Redis error means to an operator (queue/redis-trouble.ts): Redis's own replies mapped
 * to a kind and a sentence; one log line per kind of trouble and a reminder each minute, not
 * one per retry; an error re-emitted by several listeners counted once; the trouble ends at
 * the next success, or when no failure came for a while.
 */
import pino from 'pino';
import { createMetrics } from '../../src/ops/metrics';
import { describeRedisError, isLockLoss, RedisTrouble, reportRedisErrors, reportRedisReady } from '../../src/queue/redis-trouble';

describe('describeRedisError', () => {
  it.each([
    ["OOM command not allowed when used memory > 'maxmemory'. script: 5ab4, on @user_script:589.", 'out-of-memory', /memory limit \(maxmemory\)/],
    ["READONLY You can't write against a read only replica.", 'read-only', /read-only replica.*primary/],
    ['MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.', 'persistence', /cannot save its snapshot/],
    ['NOAUTH Authentication required.', 'authentication', /password/],
    ['WRONGPASS invalid username-password pair or user is disabled.', 'authentication', /password/],
    ['connect ECONNREFUSED 127.0.0.1:6392', 'unreachable', /^Redis cannot be reached$/],
    ['Connection is closed.', 'unreachable', /cannot be reached/],
    ['Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest" option for details.', 'unreachable', /cannot be reached/],
    ['ERR unknown command', 'other', /^Redis error: ERR unknown command/],
  ])('%s', (message, kind, says) => {
    const r = describeRedisError(new Error(message));
    expect(r.kind).toBe(kind);
    expect(r.says).toMatch(says);
    expect(r.detail).toContain(message.slice(0, 40));
    expect(r.says.length).toBeLessThanOrEqual(300);
  });

  it('names the code of a system error and keeps at most 300 characters of it', () => {
    const e = Object.assign(new Error(`connect ECONNREFUSED ${'x'.repeat(400)}`), { code: 'ECONNREFUSED' });
    const r = describeRedisError(e);
    expect(r.detail.startsWith('ECONNREFUSED: connect')).toBe(true);
    expect(r.detail).toHaveLength(300);
    expect(describeRedisError('a bare string').detail).toBe('a bare string');
  });
});

describe('RedisTrouble', () => {
  const oom = () => new Error("OOM command not allowed when used memory > 'maxmemory'.");
  const refused = () => new Error('connect ECONNREFUSED 127.0.0.1:1');

  it('logs a kind of trouble once, then a reminder each minute with the count', () => {
    let now = 1_000_000;
    const t = new RedisTrouble({ now: () => now });
    expect(t.failed(oom())).toMatchObject({ kind: 'out-of-memory', log: true, repeats: 0 });
    for (let i = 0; i < 20; i++) {
      now += 2500; // BullMQ's retries
      expect(t.failed(oom()).log).toBe(false); // 50 s of retries: said once
    }
    now += 20_000;
    expect(t.failed(oom())).toMatchObject({ log: true, repeats: 22 });
    // another kind is a new trouble, logged at once
    expect(t.failed(refused())).toMatchObject({ kind: 'unreachable', log: true, repeats: 0 });
  });

  it('counts an error reaching several listeners once', () => {
    const t = new RedisTrouble();
    const e = oom();
    expect(t.failed(e).again).toBeUndefined();
    expect(t.failed(e)).toMatchObject({ again: true, log: false });
    expect(t.current()?.failures).toBe(1);
  });

  it('is current until a success, or until no failure came for `currentMs`', () => {
    let now = 0;
    const t = new RedisTrouble({ now: () => now, currentMs: 30_000 });
    expect(t.current()).toBeUndefined();
    t.failed(oom());
    now = 10_000;
    t.failed(oom());
    expect(t.current()).toMatchObject({ kind: 'out-of-memory', since: 0, failures: 2 });
    now = 39_000;
    expect(t.current()).toBeDefined();
    now = 40_001;
    expect(t.current()).toBeUndefined(); // an idle worker sees no success after Redis recovered
    t.failed(oom());
    expect(t.succeeded()).toMatchObject({ kind: 'out-of-memory', failures: 3, ms: 40_001 });
    expect(t.current()).toBeUndefined();
    expect(t.succeeded()).toBeUndefined();
  });

  it('ends a trouble of reaching Redis when the connection is ready again, not a refusal', () => {
    const t = new RedisTrouble();
    t.failed(oom());
    expect(t.reconnected()).toBeUndefined(); // a full Redis accepts connections: still refusing
    expect(t.current()?.kind).toBe('out-of-memory');
    t.failed(refused());
    expect(t.reconnected()).toMatchObject({ kind: 'unreachable', failures: 1 });
    expect(t.current()).toBeUndefined();
  });
});

describe('a job lock lost under a busy worker', () => {
  // a 43 MB file kept a worker's thread busy past its lock: /healthz said 503 "Redis trouble" for minutes
  it('is counted and explained, not taken for Redis trouble', async () => {
    const logged: { msg: string; kind?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void logged.push(JSON.parse(l)) });
    const metrics = createMetrics({ defaults: false });
    const trouble = new RedisTrouble();
    const report = reportRedisErrors(trouble, logger, metrics, 'worker connection');
    report(new Error('could not renew lock for job 42'));
    report(new Error('Lock mismatch for job 42. Cmd moveToDelayed from active'));
    report(new Error('Missing lock for job 42. moveToFinished'));
    expect([isLockLoss(new Error('ECONNREFUSED')), trouble.current()]).toEqual([false, undefined]);
    expect(await metrics.registry.metrics()).toContain('chorus_flux_redis_errors_total{kind="lock-lost"} 3');
    expect(logged).toEqual([expect.objectContaining({ kind: 'lock-lost', msg: expect.stringMatching(/^worker connection: a job's lock could not be renewed in time \(could not renew lock for job 42\): .*the per-file lock keeps it from being processed twice$/) })]);
    // a real refusal still is trouble
    report(new Error('OOM command not allowed when used memory > maxmemory'));
    expect(trouble.current()?.kind).toBe('out-of-memory');
  });

  // found by `bench/killfuzz.ts --kill redis`: after Redis came back empty every job in flight
  // lost its lock, and the worker blamed its own machine ("a machine overloaded, swapping?")
  it('just after Redis was out of reach, is put down to the outage, not to a busy machine', () => {
    let now = 1_000_000;
    const logged: { msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void logged.push(JSON.parse(l)) });
    const trouble = new RedisTrouble({ now: () => now });
    const report = reportRedisErrors(trouble, logger, undefined, 'worker');
    report(new Error('connect ECONNREFUSED 127.0.0.1:6392'));
    now += 20_000;
    trouble.reconnected(); // Redis restarted, without its data
    now += 1_000;
    report(new Error('could not renew lock for job 42'));
    expect(logged.map((l) => l.msg)).toEqual(['worker: Redis cannot be reached (reconnecting)', expect.stringMatching(/^worker: a job's lock could not be renewed in time \(could not renew lock for job 42\): Redis was out of reach just before: the lock ran out meanwhile, or Redis restarted without its data/)]);
    expect(logged[1].msg).not.toMatch(/overloaded/);
    expect(trouble.current()).toBeUndefined(); // the lock loss itself is no Redis trouble
  });

  // a Redis restarted within a second: the connection dropped and came back with no command
  // failing meanwhile, so no "cannot be reached" was ever noted, and the locks that went with
  // its data were put down to a busy machine (test/production/worker-job-vanished.test.ts)
  it('just after a connection came back (no command failed meanwhile), is put down to the restart', () => {
    let now = 1_000_000;
    const logged: { msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void logged.push(JSON.parse(l)) });
    const trouble = new RedisTrouble({ now: () => now });
    const ready = reportRedisReady(trouble, logger, 'worker');
    // a reporter per lock loss: it says one a minute, on the wall clock
    const report = () => reportRedisErrors(trouble, logger, undefined, 'worker');
    ready(); // connected at start: no reconnection
    now += 5 * 60_000;
    report()(new Error('could not renew lock for job 41'));
    expect(logged.pop()?.msg).toMatch(/overloaded/);
    now += 5 * 60_000;
    ready(); // the connection dropped and is ready again
    now += 1_000;
    report()(new Error('could not renew lock for job 42'));
    expect(logged.map((l) => l.msg)).toEqual([expect.stringMatching(/^worker: a job's lock could not be renewed in time \(could not renew lock for job 42\): Redis was out of reach just before/)]);
  });
});
