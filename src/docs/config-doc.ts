/**
 * Writes docs/CONFIGURATION.md from schemas/config.schema.json: every key, its type, default
 * and meaning, so the documentation is the schema the program validates against.
 * `npm run docs:config` regenerates it; a test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import schema from '../../schemas/config.schema.json';
import { projectRoot } from '../util/project-root';

interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, Node>;
  items?: Node;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  pattern?: string;
  oneOf?: Node[];
}

function typeOf(n: Node): string {
  if (n.enum) return n.enum.map((e) => JSON.stringify(e)).join(' \\| ');
  if (n.oneOf) return n.oneOf.map(typeOf).join(' or ');
  if (n.type === 'array') return `array of ${n.items ? typeOf(n.items) : 'values'}`;
  return String(n.type ?? 'object');
}

function constraints(n: Node): string {
  const c: string[] = [];
  if (n.pattern) c.push(`pattern \`${n.pattern}\``);
  if (n.minLength !== undefined || n.maxLength !== undefined) c.push(`${n.minLength ?? 0}–${n.maxLength ?? '∞'} characters`);
  if (n.exclusiveMinimum !== undefined) c.push(`more than ${n.exclusiveMinimum}, at most ${n.maximum ?? '∞'}`);
  else if (n.minimum !== undefined || n.maximum !== undefined) c.push(`${n.minimum ?? '−∞'} to ${n.maximum ?? '∞'}`);
  return c.join(', ');
}

function rows(props: Record<string, Node>, required: string[], prefix: string, out: string[]): void {
  for (const [k, n] of Object.entries(props)) {
    if (k === '$schema' || k === '$comment') continue;
    const key = `${prefix}${k}`;
    const def = n.default !== undefined ? `\`${JSON.stringify(n.default)}\`` : required.includes(k) ? '**required**' : '';
    const desc = [n.description, constraints(n)].filter(Boolean).join(' — ');
    out.push(`| \`${key}\` | ${typeOf(n)} | ${def} | ${desc.replace(/\|/g, '\\|')} |`);
    if (n.properties) rows(n.properties, n.required ?? [], `${key}.`, out);
    if (n.items?.properties) rows(n.items.properties, n.items.required ?? [], `${key}[].`, out);
    // an item that may be a string or an object (recipients[].codeServices): the object's keys
    for (const variant of n.items?.oneOf ?? []) if (variant.properties) rows(variant.properties, variant.required ?? [], `${key}[].`, out);
  }
}

export function configMarkdown(): string {
  const s = schema as unknown as Node;
  const out = [
    '# Configuration',
    '',
    'Generated from [`schemas/config.schema.json`](../schemas/config.schema.json) by `npm run docs:config`; do not edit by hand.',
    '',
    s.description ?? '',
    '',
    'The file is validated when a command starts: an unknown key, a missing required key or a value of the wrong',
    'shape stops the command with exit code 2 and a message naming the key (e.g. `recipients.0.siret: "2178778930001" must match pattern "^[0-9]{14}$"`).',
    '`watch` also checks that every inbox exists and that a file can be renamed from it into `paths.processing` (the same file system, and the same mount of it: not a bind mount apart). `run`, `watch` and `worker` refuse an output or state folder inside an inbox (it would be read back as inbound files) an inbox inside another or shared by two partners (a file would belong to two partners), and an inbox that holds the configuration file (it would be taken as an inbound file, and whoever drops files there could rewrite it).',
    '',
    '| key | type | default | meaning |',
    '|---|---|---|---|',
  ];
  rows(s.properties ?? {}, s.required ?? [], '', out);
  out.push('', 'Example: [`config/example.json`](../config/example.json) (the configuration `run` uses without `--config`).', '');
  return out.join('\n');
}

if (require.main === module) {
  const file = path.join(projectRoot(), 'docs', 'CONFIGURATION.md');
  writeFileSync(file, configMarkdown());
  process.stdout.write(`wrote ${file}\n`);
}
