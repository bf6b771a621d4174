/**
 * The Redis URL shown in logs and messages never carries its credentials.
 */
import { redactRedisUrl } from '../../src/queue/redis-url';

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
