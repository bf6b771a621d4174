import path from 'node:path';
import { within } from '../../src/util/path-within';

describe('within: a path is a folder or lies under it', () => {
  it.each([
    ['/srv/sftp/acme', '/srv/sftp/acme', true],
    ['/srv/sftp/acme/in/f.xml', '/srv/sftp/acme', true],
    ['/srv/sftp/acme/..cache', '/srv/sftp/acme', true], // a name beginning with two dots is still a child
    ['/srv/sftp', '/srv/sftp/acme', false],
    ['/srv/sftp/acme-sftp', '/srv/sftp/acme', false],
    ['/srv/sftp/globex/f.xml', '/srv/sftp/acme', false],
    ['/srv/sftp/acme/in/../../globex', '/srv/sftp/acme', false],
    ['relative/inbox', path.resolve('relative'), true],
  ])('%s within %s: %s', (inner, outer, expected) => {
    expect(within(inner, outer)).toBe(expected);
  });
});
