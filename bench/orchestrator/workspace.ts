// A synthetic but realistic workspace for the changeset benchmark: 50 TypeScript modules of 100-300 lines
// (interfaces, a class with methods, helper functions, imports between modules) and the answer a model would
// give to a cross-cutting request, one or two SEARCH/REPLACE blocks per file. Deterministic for a given seed.
import { seededRandom } from './perturb.ts';

const ENTITIES = [
  'User',
  'Order',
  'Invoice',
  'Product',
  'Cart',
  'Payment',
  'Shipment',
  'Review',
  'Coupon',
  'Account',
  'Session',
  'Report',
  'Ticket',
  'Project',
  'Task',
  'Comment',
  'Team',
  'Invite',
  'Webhook',
  'Audit',
  'Metric',
  'Alert',
  'Schedule',
  'Upload',
  'Folder',
  'Tag',
  'Plan',
  'Quota',
  'Region',
  'Tenant',
  'Device',
  'Token',
  'Message',
  'Channel',
  'Thread',
  'Draft',
  'Template',
  'Export',
  'Import',
  'Job',
  'Queue',
  'Worker',
  'Cache',
  'Feature',
  'Flag',
  'Setting',
  'Profile',
  'Address',
  'Contact',
  'Vendor',
];
const KINDS = ['Service', 'Repository', 'Store', 'Controller', 'Manager'];
const FIELD_TYPES = [
  'string',
  'number',
  'boolean',
  'Date',
  'string[]',
  'number | null',
  'Record<string, string>',
];
const FIELDS = [
  'name',
  'title',
  'status',
  'createdAt',
  'updatedAt',
  'ownerId',
  'amount',
  'count',
  'enabled',
  'labels',
  'notes',
  'priority',
  'version',
  'region',
  'email',
  'total',
  'archived',
  'score',
  'parentId',
  'metadata',
];
const VERBS = [
  'find',
  'load',
  'update',
  'remove',
  'validate',
  'summarize',
  'merge',
  'refresh',
  'count',
  'export',
];

export interface SyntheticWorkspace {
  files: Map<string, string>;
  /** The model's answer: prose plus every block. */
  answer: string;
  blocks: number;
  /** Each file after the answer's edits, to check the pipeline did what it should. */
  expected: Map<string, string>;
}

const kebab = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

interface Method {
  name: string;
  text: string;
}

function methodText(entity: string, verb: string, index: number, random: () => number): Method {
  const name = `${verb}${entity}${index === 0 ? '' : String(index)}`;
  const field = FIELDS[Math.floor(random() * FIELDS.length)] ?? 'name';
  const limit = 10 + Math.floor(random() * 90);
  const lines = [
    `  /** ${verb} ${entity.toLowerCase()} records matching the filter, at most ${limit}. */`,
    `  async ${name}(filter: Partial<${entity}Record>, limit = ${limit}): Promise<${entity}Record[]> {`,
    `    const started = Date.now();`,
    `    const matches: ${entity}Record[] = [];`,
    `    for (const record of this.records.values()) {`,
    `      if (matches.length >= limit) break;`,
    `      if (filter.${field} !== undefined && record.${field} !== filter.${field}) continue;`,
    `      matches.push(record);`,
    `    }`,
  ];
  if (random() < 0.5) {
    lines.push(
      `    if (matches.length === 0) {`,
      `      this.log.debug('${name}: nothing matched', { filter });`,
      `      return [];`,
      `    }`,
    );
  }
  lines.push(
    `    this.metrics.observe('${kebab(entity)}.${verb}', Date.now() - started);`,
    `    return matches.sort((a, b) => a.id.localeCompare(b.id));`,
    `  }`,
  );
  return { name, text: lines.map((l) => `${l}\n`).join('') };
}

function helperText(entity: string, index: number, random: () => number): Method {
  const name = `${lowerFirst(entity)}Helper${index}`;
  const threshold = Math.floor(random() * 1000);
  const text = [
    `export function ${name}(records: readonly ${entity}Record[], threshold = ${threshold}): Map<string, number> {`,
    `  const totals = new Map<string, number>();`,
    `  for (const record of records) {`,
    `    const key = record.id.slice(0, ${2 + (index % 4)});`,
    `    const value = (totals.get(key) ?? 0) + record.version;`,
    `    if (value > threshold) {`,
    `      totals.set(key, threshold);`,
    `    } else {`,
    `      totals.set(key, value);`,
    `    }`,
    `  }`,
    `  return totals;`,
    `}`,
  ]
    .map((l) => `${l}\n`)
    .join('');
  return { name, text };
}

function moduleFor(index: number, random: () => number) {
  const entity = ENTITIES[index % ENTITIES.length] ?? 'Thing';
  const kind = KINDS[index % KINDS.length] ?? 'Service';
  const target = 100 + Math.floor(random() * 200);
  const fieldCount = 5 + Math.floor(random() * 8);
  const fields = [...FIELDS].sort(() => random() - 0.5).slice(0, fieldCount);
  const neighbour = ENTITIES[(index + 1) % ENTITIES.length] ?? 'Thing';
  const head = [
    `// ${entity} ${kind.toLowerCase()}: keeps ${entity.toLowerCase()} records in memory and answers queries on them.`,
    `import type { Logger, Metrics } from '../lib/observability.ts';`,
    `import type { ${neighbour}Record } from './${kebab(neighbour)}.ts';`,
    ``,
    `export interface ${entity}Record {`,
    `  id: string;`,
    `  version: number;`,
    ...fields.map((f) => `  ${f}?: ${FIELD_TYPES[Math.floor(random() * FIELD_TYPES.length)] ?? 'string'};`),
    `  related?: ${neighbour}Record['id'][];`,
    `}`,
    ``,
    `export type ${entity}Event = { type: 'created'; id: string } | { type: 'removed'; id: string; reason: string };`,
    ``,
    `export const ${entity.toUpperCase()}_PAGE_SIZE = ${20 + index};`,
    ``,
    `export class ${entity}${kind} {`,
    `  private readonly records = new Map<string, ${entity}Record>();`,
    `  private readonly listeners = new Set<(event: ${entity}Event) => void>();`,
    ``,
    `  constructor(`,
    `    private readonly log: Logger,`,
    `    private readonly metrics: Metrics,`,
    `  ) {}`,
    ``,
    `  add(record: ${entity}Record): void {`,
    `    this.records.set(record.id, record);`,
    `    for (const listener of this.listeners) listener({ type: 'created', id: record.id });`,
    `  }`,
    ``,
  ]
    .map((l) => `${l}\n`)
    .join('');
  const methods: Method[] = [];
  const helpers: Method[] = [];
  let lines = head.split('\n').length;
  for (let m = 0; lines < target * 0.7; m++) {
    const method = methodText(
      entity,
      VERBS[m % VERBS.length] ?? 'find',
      Math.floor(m / VERBS.length),
      random,
    );
    methods.push(method);
    lines += method.text.split('\n').length;
  }
  for (let h = 0; lines < target; h++) {
    const helper = helperText(entity, h, random);
    helpers.push(helper);
    lines += helper.text.split('\n').length;
  }
  const content =
    head + methods.map((m) => m.text).join('\n') + '}\n\n' + helpers.map((h) => h.text).join('\n');
  return { path: `src/${kebab(entity)}.ts`, entity, content, methods, helpers };
}

const FENCE = '```';

export function syntheticWorkspace(fileCount = 50, seed = 42): SyntheticWorkspace {
  const random = seededRandom(seed);
  const files = new Map<string, string>([
    [
      'src/lib/observability.ts',
      'export interface Logger {\n  debug(message: string, data?: unknown): void;\n}\n\n' +
        'export interface Metrics {\n  observe(name: string, ms: number): void;\n}\n',
    ],
  ]);
  const expected = new Map(files);
  const answer = [
    'I will add a cancellation check to one query of every store and, where a module has helpers, ' +
      'a batched variant of its first helper.\n',
  ];
  let blocks = 0;
  for (let i = 0; i < fileCount; i++) {
    const mod = moduleFor(i, random);
    files.set(mod.path, mod.content);
    const parts: string[] = [];
    let after = mod.content;

    // Block 1: a guard at the top of one method: the signature and first two body lines, quoted exactly.
    const method = mod.methods[Math.floor(random() * mod.methods.length)] ?? mod.methods[0];
    if (method === undefined) throw new Error('module without methods');
    const head = method.text.split('\n').slice(1, 4).join('\n') + '\n';
    const [signature = '', ...rest] = head.split('\n');
    const guarded =
      signature.replace('limit = ', 'signal?: AbortSignal, limit = ') +
      '\n    signal?.throwIfAborted();\n' +
      rest.join('\n');
    parts.push(block(head, guarded));
    after = after.replace(head, () => guarded);

    // Block 2 (files with helpers): the whole first helper, followed by a batched variant.
    const helper = mod.helpers[0];
    if (helper !== undefined && random() < 0.6) {
      const batched =
        helper.text +
        '\n' +
        `export function ${helper.name}Batched(\n` +
        `  batches: readonly (readonly ${mod.entity}Record[])[],\n` +
        `): Map<string, number>[] {\n` +
        `  return batches.map((records) => ${helper.name}(records));\n` +
        `}\n`;
      parts.push(block(helper.text, batched));
      after = after.replace(helper.text, () => batched);
    }
    blocks += parts.length;
    expected.set(mod.path, after);
    answer.push(`${mod.path}\n${FENCE}ts\n${parts.join('')}${FENCE}\n`);
  }
  return { files, answer: answer.join('\n'), blocks, expected };
}

function block(search: string, replace: string): string {
  return `<<<<<<< SEARCH\n${search}=======\n${replace}>>>>>>> REPLACE\n`;
}
