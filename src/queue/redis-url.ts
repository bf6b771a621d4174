/**
 * A Redis URL as it may be shown: in logs, on the console, in error messages. REDIS_URL can
 * carry a password (`redis://:secret@host:6379`, `rediss://user:secret@host`); logs are read
 * by more people than the configuration, and kept longer.
 */
export function redactRedisUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // not a URL at all: show its scheme and host part only if it has no credentials in it
    return url.includes('@') ? `${url.slice(0, url.indexOf('//') + 2)}***@${url.slice(url.lastIndexOf('@') + 1)}` : url;
  }
  if (u.password) u.password = '***';
  else if (u.username) u.username = '***'; // a lone user part (`redis://secret@host`) is often the password
  // ioredis also reads its options from the query (`?password=…`)
  for (const key of [...u.searchParams.keys()]) if (/pass|secret|token/i.test(key)) u.searchParams.set(key, '***');
  return u.toString();
}

/**
 * Why `url` cannot be a Redis address, in words naming where it comes from; undefined when it
 * can. ioredis took `redis://host:99999` for a TypeError with a stack, and `redis//host:6379`
 * (a colon missing) for a Unix socket path, then failed with ENOENT.
 */
export function redisUrlProblem(url: string): string | undefined {
  // as written, unless it holds credentials
  const shown = url.includes('@') ? redactRedisUrl(url) : url;
  const form = 'redis://[:password@]host[:port][/db], or rediss:// for TLS';
  if (url.startsWith('/')) return undefined; // a Unix socket path, as ioredis takes it
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const port = /:(\d+)(?:\/|$)/.exec(url.replace(/^[a-z]+:\/\//i, ''))?.[1];
    if (port && Number(port) > 65535) return `REDIS_URL (or redis.url) "${shown}": the port ${port} is out of range (1–65535)`;
    return `REDIS_URL (or redis.url) "${shown}" is not a URL: write it ${form}`;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return `REDIS_URL (or redis.url) "${shown}" is not a Redis URL (scheme ${u.protocol}): write it ${form}`;
  if (!u.hostname) return `REDIS_URL (or redis.url) "${shown}" names no host: write it ${form}`;
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) return `REDIS_URL (or redis.url) "${shown}": the database "${db}" is not a number`;
  return undefined;
}
