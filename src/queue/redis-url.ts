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
