/**
 * The operator's documents against the program: README's "Commands and exit codes" table lists
 * every option each command's --help has (and none it lacks), the configuration's defaults in
 * the code are the schema's (which docs/CONFIGURATION.md is generated from), and every
 * configuration key the documents name in backticks is one the schema knows.
 * Also: every flag of a `chorus-flux <command> …` line the documents show is an option of that
 * command, and the README's dependency table names every runtime dependency (and no other).
 * No process is started: the command line is built in this one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main';
import { configFromObject } from '../../src/config/config';
import schema from '../../schemas/config.schema.json';

const ROOT = path.resolve(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The first cell of the README row documenting `name` (`name <args> [options…]`). */
function readmeUsage(name: string): string | undefined {
  const row = README.split('\n').find((l) => l.startsWith(`| \`${name} `) || l.startsWith(`| \`${name}\``));
  return row?.split(/(?<!\\)\|/)[1];
}

/** The flags written in a usage cell: --long and -s. */
const flagsOf = (usage: string): string[] => [...usage.matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)].map((m) => m[1]);

describe('README commands table and --help', () => {
  const commands = buildProgram().commands.filter((c: Command) => c.name() !== 'help');
  it.each(commands.map((c) => [c.name(), c] as const))('%s: the same options', (name, command) => {
    const usage = readmeUsage(name);
    expect(usage).toBeDefined();
    const options = command.options.filter((o) => o.long !== '--help');
    const flags = flagsOf(usage!);
    // every option of --help is documented, by its long or its short name
    expect(options.filter((o) => !flags.includes(o.long!) && !(o.short && flags.includes(o.short))).map((o) => o.flags)).toEqual([]);
    // every flag documented exists
    expect(flags.filter((f) => !options.some((o) => o.long === f || o.short === f))).toEqual([]);
  });
});

interface SchemaNode {
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
}

/** Every key of the schema, dotted (`partners[].inbox`), with its default when it has one; the keys of a oneOf's object variants too (`recipients[].codeServices[].code`). */
function schemaKeys(node: SchemaNode, at = '', out = new Map<string, SchemaNode>()): Map<string, SchemaNode> {
  if (at && !out.has(at)) out.set(at, node);
  for (const [k, v] of Object.entries(node.properties ?? {})) schemaKeys(v, at ? `${at}.${k}` : k, out);
  if (node.items) schemaKeys(node.items, `${at}[]`, out);
  for (const variant of node.oneOf ?? []) schemaKeys(variant, at, out);
  return out;
}
const KEYS = schemaKeys(schema as SchemaNode);

// found by an audit: docs/CONFIGURATION.md is generated from the schema, but the generator did not
// look inside a oneOf, so the object form of recipients[].codeServices ({ "code", "name" }) had no row
it('docs/CONFIGURATION.md has a row for every key of the schema', () => {
  const doc = readFileSync(path.join(ROOT, 'docs', 'CONFIGURATION.md'), 'utf8');
  // `x[]` is the item of the array `x`, which has its own row; $schema and $comment are the file's own
  const keys = [...KEYS.keys()].filter((k) => !k.endsWith('[]') && !k.startsWith('$'));
  expect(keys.filter((k) => !doc.includes(`| \`${k}\` |`))).toEqual([]);
});

it('the code fills in the defaults the schema (and docs/CONFIGURATION.md) gives', () => {
  const config = configFromObject({ recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }], partners: [{ id: 'op-alpha' }] }, '/tmp', 'test') as unknown as Record<string, unknown>;
  const valueAt = (key: string): unknown => key.split('.').reduce<unknown>((v, k) => (k.endsWith('[]') ? (v as Record<string, unknown[]>)?.[k.slice(0, -2)]?.[0] : (v as Record<string, unknown>)?.[k]), config);
  const differing = [...KEYS].filter(([, n]) => n.default !== undefined).map(([key, n]) => ({ key, schema: n.default, code: valueAt(key) })).filter((d) => JSON.stringify(d.schema) !== JSON.stringify(d.code));
  expect(differing).toEqual([]);
});

it('every configuration key the documents name is in the schema', () => {
  const sections = new Set(Object.keys((schema as SchemaNode).properties ?? {}));
  const docs = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const unknown: string[] = [];
  for (const doc of docs) {
    for (const [, key] of readFileSync(path.join(ROOT, doc), 'utf8').matchAll(/`([a-z][A-Za-z]*(?:\[\])?(?:\.[A-Za-z]+(?:\[\])?)+)`/g)) {
      if (!sections.has(key.split(/[.[]/)[0]) || /\.(ts|js|json|md)$/.test(key)) continue;
      // partners.doneMarker is said for partners[].doneMarker
      if (!KEYS.has(key) && !KEYS.has(key.replace(/^(partners|recipients)\./, '$1[].'))) unknown.push(`${doc}: ${key}`);
    }
  }
  expect(unknown).toEqual([]);
});

// found by an audit: the README's annotated example wrote "paths": { "out": "../out" }, relative
// to the file; saved where the README and the units read it, /etc/chorus-flux/config.json, that
// was /etc/out, which the units may not write (ProtectSystem=strict): watch and worker refused to start
it("README's annotated configuration, its notes taken out and saved as /etc/chorus-flux/config.json, is valid and writes where the units may", () => {
  const block = /```jsonc\n([\s\S]*?)```/.exec(README)?.[1];
  expect(block).toBeDefined();
  const json = block!.replace(/\s+\/\/ .*$/gm, '');
  const config = configFromObject(JSON.parse(json), '/etc/chorus-flux', '/etc/chorus-flux/config.json');
  const writable = readFileSync(path.join(ROOT, 'deploy', 'systemd', 'chorus-flux-worker@.service'), 'utf8').match(/^ReadWritePaths=(.*)$/m)?.[1];
  expect(writable).toBe('/srv/chorus-flux');
  for (const p of [config.paths.out, config.paths.state, config.paths.processing]) expect(p.startsWith(`${writable}/`)).toBe(true);
});

// found by an audit (2026-12-07): the README's table and --help agreed, but nothing looked at
// the command lines the documents show an operator to type (OPERATIONS' `retry … --all`,
// RECONCILIATION's `reconcile --date … --out … --config …`, a `trace … --since`): each flag
// written after `chorus-flux <command>` must be one of that command's options
it('every flag in a `chorus-flux <command> …` line of the documents is an option of that command', () => {
  const commands = new Map(buildProgram().commands.map((c: Command) => [c.name(), c] as const));
  const line = new RegExp(`chorus-flux(?:\\.js)? (${[...commands.keys()].join('|')})(?![\\w-])([^\`\\n]*)`, 'g');
  const docs = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const wrong: string[] = [];
  let seen = 0;
  for (const doc of docs) {
    for (const [, name, rest] of readFileSync(path.join(ROOT, doc), 'utf8').matchAll(line)) {
      seen++;
      const options = commands.get(name)!.options;
      const flags = flagsOf(rest.replace(/\s#.*$/, '')); // a shell comment is no argument
      for (const f of flags) if (!options.some((o) => o.long === f || o.short === f) && f !== '--help' && f !== '-h') wrong.push(`${doc}: chorus-flux ${name} … ${f}`);
    }
  }
  expect(seen).toBeGreaterThan(20);
  expect(wrong).toEqual([]);
});

// the README's "Dependencies and what each is for" names every runtime dependency of
// package.json, each with what it is for, and no package that is not one
it("README's dependency table lists every runtime dependency, and only those, with what it is for", () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const section = README.split(/^## /m).find((s) => s.startsWith('Dependencies and what each is for'));
  expect(section).toBeDefined();
  const listed = new Map<string, string>();
  for (const row of section!.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| package') && !l.startsWith('| dev:'))) {
    const [, names, what] = row.split('|').map((c) => c.trim());
    // "sonic-boom 5", "cron-parser (the version bullmq pins)": the name is the first word
    for (const name of names.split(',').map((n) => n.trim().split(/\s/)[0])) listed.set(name, what);
  }
  expect(Object.keys(pkg.dependencies).filter((d) => !listed.get(d))).toEqual([]);
  expect([...listed.keys()].filter((d) => !(d in pkg.dependencies))).toEqual([]);
});

// found by an audit (2026-12-07): the README's journal row named every kind of line but the
// `start` and `stop` each process writes (which the reconciliation reads to know a day's
// configuration): every `event` of src/journal/events.ts is named in that row
it("README's journal row names every kind of journal line", () => {
  const events = [...readFileSync(path.join(ROOT, 'src', 'journal', 'events.ts'), 'utf8').matchAll(/\bevent: '([a-z-]+)'/g)].map((m) => m[1]);
  expect(events.length).toBeGreaterThan(5);
  const row = README.split('\n').find((l) => l.startsWith('| `journal/'));
  expect(row).toBeDefined();
  expect([...new Set(events)].filter((e) => !row!.includes(`\`${e}\``))).toEqual([]);
});
