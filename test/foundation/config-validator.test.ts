/**
 * The configuration is validated by ajv's standalone code, generated at build time
 * (src/config/validator-gen.ts): the committed file must be what the generator makes from the
 * current schema, and it must say what a compile of the schema at start said.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import schema from '../../schemas/config.schema.json';
import validateGenerated from '../../src/config/config-validator';
import { CONFIG_AJV_OPTIONS, VALIDATOR_FILE, validatorSource } from '../../src/config/validator-gen';

it('src/config/config-validator.ts matches schemas/config.schema.json (run `npm run config:validator`)', () => {
  expect(readFileSync(path.resolve(__dirname, '../..', VALIDATOR_FILE), 'utf8')).toBe(validatorSource());
});

it('gives the errors and fills the defaults a compile of the schema at start did', () => {
  const example = JSON.parse(readFileSync(path.resolve(__dirname, '../../config/example.json'), 'utf8')) as Record<string, unknown>;
  const configs: unknown[] = [
    {},
    example,
    { ...example, unknown: 1, timezone: 42 },
    { ...example, emitter: { id: 'x', nom: 'y' } },
    { ...example, recipients: [{ siret: '21787789300016/FINANCES', recepteurId: '', codeServices: ['', { code: 'A', nom: 'b' }, 7] }] },
    { ...example, facturx: { enabled: 'yes', profile: 'FULL' }, limits: { maxFileBytes: '120MB', maxAttachmentBytes: -1, maxInvoiceBytes: 4294967295 } },
    { ...example, partners: [{ id: 'a', statusFormats: ['PDF'], notifyAccepted: 1 }, 'b'], worker: { concurrency: 0, attempts: 1.5 } },
    { ...example, watch: { notInboxes: [1, ''] }, reconcile: { cron: 5 }, redis: null, metrics: [] },
    [],
    'config',
  ];
  const compiled = new Ajv({ ...CONFIG_AJV_OPTIONS }).compile(schema);
  const validate = validateGenerated as unknown as typeof compiled;
  for (const config of configs) {
    const [a, b] = [structuredClone(config), structuredClone(config)];
    const said = [compiled(a), compiled.errors];
    expect([validate(b), validate.errors]).toEqual(said);
    expect(b).toEqual(a);
  }
  expect(validate(structuredClone(example))).toBe(true);
});
