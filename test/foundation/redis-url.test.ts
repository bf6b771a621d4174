/**
 * The Redis URL shown in logs and messages never carries its credentials.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { redactRedisUrl, redisUrlProblem } from '../../src/queue/redis-url';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/run';

it.each([
  ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ['redis://:s3cr%40t@redis.internal:6380/2', 'redis://:***@redis.internal:6380/2'],
  ['rediss://chorus:s3cret@redis.internal', 'rediss://chorus:***@redis.internal'],
  ['redis://s3cret@redis.internal:6379', 'redis://***@redis.internal:6379'],
  ['redis://redis.internal:6379?password=s3cret&db=1', 'redis://redis.internal:6379?password=***&db=1'],
])('%s is shown as %s', (url, shown) => {
  expect(redactRedisUrl(url)).toBe(shown);
  expect(redactRedisUrl(url)).not.toMatch(/s3cr/);
});

it('a URL that does not parse is shown without what stands before its @', () => {
  const shown = redactRedisUrl('redis://us er:s3cret@host with space');
  expect(shown).not.toMatch(/s3cret/);
  expect(shown).toBe('redis://***@host with space');
});

describe('an address ioredis would misread is refused in plain words', () => {
  it.each([
    ['redis://127.0.0.1:99999', 'REDIS_URL (or redis.url) "redis://127.0.0.1:99999": the port 99999 is out of range (1–65535)'],
    ['redis//127.0.0.1:6399', 'REDIS_URL (or redis.url) "redis//127.0.0.1:6399" is not a URL: write it redis://[:password@]host[:port][/db], or rediss:// for TLS'],
    ['http://127.0.0.1:6379', 'REDIS_URL (or redis.url) "http://127.0.0.1:6379" is not a Redis URL (scheme http:): write it redis://[:password@]host[:port][/db], or rediss:// for TLS'],
    ['redis://127.0.0.1:6379/cache', 'REDIS_URL (or redis.url) "redis://127.0.0.1:6379/cache": the database "cache" is not a number'],
    ['redis://:s3cret@:6379', 'REDIS_URL (or redis.url) "redis://***@:6379" is not a URL: write it redis://[:password@]host[:port][/db], or rediss:// for TLS'],
  ])('%s', (url, expected) => {
    expect(redisUrlProblem(url)).toBe(expected);
  });
  it.each([['redis://127.0.0.1:6379'], ['rediss://u:p@redis.internal:6380/2'], ['redis://localhost'], ['/run/redis/redis.sock']])('%s is taken', (url) => {
    expect(redisUrlProblem(url)).toBeUndefined();
  });
  it('the commands say it and exit 2, without a stack', async () => {
    const dir = tempDir('cf-redis-url-');
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }] }));
    const r = await cli(['jobs', '--config', file], { env: { REDIS_URL: 'redis://127.0.0.1:99999' }, timeoutMs: 30_000 });
    expect([r.code, r.stderr]).toEqual([2, 'chorus-flux: REDIS_URL (or redis.url) "redis://127.0.0.1:99999": the port 99999 is out of range (1–65535)\n']);
  }, 40_000);
});
