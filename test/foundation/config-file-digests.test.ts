/**
 * What `watch` publishes for the workers to compare theirs with is its configuration file as it
 * is now (config-file-digests.ts): an edit is followed at the next rescan; a file that cannot be
 * read as it is now keeps the digests last read, said once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { configDigests } from '../../src/config/config-digest';
import { ConfigFileDigests } from '../../src/config/config-file-digests';
import { prodSetup, ROUTING } from '../helpers/watch';

function capturingLogger() {
  const said: { msg: string; changed?: string[] }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => said.push(JSON.parse(line)) });
  return { logger, said };
}

describe("watch's configuration file read again", () => {
  it('follows an edit, and keeps the last digests read while the file cannot be read', () => {
    const setup = prodSetup({ partners: ['op-alpha'], extra: { recipients: ROUTING.slice(0, 1) } });
    const { logger, said } = capturingLogger();
    const atStart = configDigests(setup.config);
    const file = new ConfigFileDigests(setup.configFile, atStart, logger);
    expect(file.current()).toEqual(atStart);
    expect(said).toEqual([]);

    const raw = JSON.parse(readFileSync(setup.configFile, 'utf8'));
    writeFileSync(setup.configFile, JSON.stringify({ ...raw, recipients: ROUTING }));
    const edited = file.current();
    expect(edited.recipients).not.toBe(atStart.recipients);
    expect({ ...edited, recipients: atStart.recipients }).toEqual(atStart);
    expect(said.map((l) => [l.changed, l.msg])).toEqual([[['recipients'], expect.stringMatching(/^the configuration file changed in recipients: the workers are compared with it as it is now/)]]);

    writeFileSync(setup.configFile, '{ "recipients": [ '); // an edit under way
    expect(file.current()).toEqual(edited);
    expect(file.current()).toEqual(edited);
    expect(said.slice(1).map((l) => l.msg)).toEqual([expect.stringMatching(/^the configuration file cannot be read as it is now \(.*\): the workers are compared with it as it was last read$/)]);
  });
});
