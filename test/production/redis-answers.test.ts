/**
 * RedisAnswers (src/queue/redis-answers.ts) on a real redis-server of the test's own: a silence
 * is said once Redis is frozen (SIGSTOP) past the deadline, and ends at its next answer; a
 * thread held up for seconds while Redis answers is no silence (its timers run before the
 * socket's answer is read).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis } from '../../src/queue/redis';
import { RedisAnswers } from '../../src/queue/redis-answers';
import { describeRedisError } from '../../src/queue/redis-trouble';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

describeIf('RedisAnswers', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('says a silence past the deadline once Redis is frozen, and its end at the next answer; a thread held up is no silence', async () => {
    const conn = createRedis({ url: redis.url });
    const said: string[] = [];
    // the real connection; once, this thread is held up for 3 s (three deadlines) just after a
    // PING went out, before its answer could be read
    let holdUp = false;
    const asked = {
      get status() {
        return conn.status;
      },
      ping() {
        const p = conn.ping();
        if (holdUp) {
          holdUp = false;
          setImmediate(() => {
            const end = Date.now() + 3000;
            while (Date.now() < end);
          });
        }
        return p;
      },
    };
    const answers = new RedisAnswers(asked, { everyMs: 200, deadlineMs: 1000, onSilent: (e) => said.push(`silent: ${describeRedisError(e).kind}`), onAnswer: () => said.push('answers') }).start();
    try {
      await sleep(500);
      holdUp = true;
      await sleep(4000);
      expect(said).toEqual([]);
      expect(answers.answering).toBe(true);

      redis.freeze();
      await sleep(2000);
      expect(said[0]).toBe('silent: not-answering');
      expect(answers.answering).toBe(false);
      redis.thaw();
      await sleep(600);
      expect(said.at(-1)).toBe('answers');
      expect(answers.answering).toBe(true);
    } finally {
      redis.thaw();
      answers.stop();
      conn.disconnect();
    }
  }, 30_000);
});
