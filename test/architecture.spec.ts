import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

/*
 * The house rules of docs/architecture.md, checked on the source: feature folders of the gateway
 * form an acyclic graph, apps never import other apps, libraries never import apps, only
 * repositories (and platform/database/ itself) touch SQL or the DataSource, a tenant's WeChat calls go
 * through tenant-calls/ alone, no feature reaches into blacklist/ but its jobs, background work
 * (pg-boss, timer loops) lives in platform/background/, and platform/ imports no feature folder.
 * Every finder is also tried on planted files here, hence the length.
 */

const ROOT = resolve(__dirname, '..');
const GATEWAY = join(ROOT, 'apps/gateway/src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Relative import targets of a file, resolved to absolute paths. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m) => resolve(dirname(file), m[1]));
}

/**
 * The gateway folder a path is in: a feature folder (`tenants`) or a platform folder
 * (`platform/database`); undefined for the composition root (app.module.ts, main.ts, …).
 */
function folderOf(path: string, base = GATEWAY): string | undefined {
  const rel = relative(base, path);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(sep);
  // An import of a folder (its index.ts) names the folder itself.
  const inFolder = parts.length > 1 || (existsSync(path) && statSync(path).isDirectory());
  if (parts[0] === 'platform' && parts.length > 1) return `platform/${parts[1]}`;
  return inFolder ? parts[0] : undefined;
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(GATEWAY)) {
    const from = folderOf(file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const target of relativeImports(file)) {
      const to = folderOf(target);
      if (to && to !== from) edges.add(to);
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** What TenantCalls is made of: no other folder may call WeChat for a tenant around it. */
const TENANT_CALL_PARTS = ['api-gate', 'tenant-call-limiter', 'quota-blocks.service', 'quota-blocks.repository'].map((name) =>
  join(GATEWAY, 'tenant-calls', name),
);

/** Files outside tenant-calls/ that import the gate, the limiter or the quota blocks. */
function tenantCallPartImporters(files: string[]): string[] {
  return files
    .filter((file) => folderOf(file) !== 'tenant-calls')
    .filter((file) => relativeImports(file).some((target) => TENANT_CALL_PARTS.includes(target.replace(/\.ts$/, ''))))
    .map((file) => relative(GATEWAY, file));
}

/**
 * Background work outside platform/background/: a pg-boss of its own (a value import: an instance, a queue,
 * a schedule) or an interval timer. `allowed` names the one kind a file may have and why:
 * platform/config/environment.ts only parses cron expressions with pg-boss, and the blacklist job worker
 * renews the leases of the chunks it holds while it holds them, which is no periodic task.
 */
const BACKGROUND_KINDS = { 'pg-boss': /^import (?!type )[^;]*from 'pg-boss'/m, interval: /setInterval\(/ };
const BACKGROUND_ALLOWED: Record<string, keyof typeof BACKGROUND_KINDS> = {
  [join('platform', 'config', 'environment.ts')]: 'pg-boss',
  [join('blacklist-jobs', 'blacklist-job-worker.service.ts')]: 'interval',
};
function backgroundOutsiders(base: string, files: string[], allowed = BACKGROUND_ALLOWED): string[] {
  return files.flatMap((file) => {
    const rel = relative(base, file);
    if (folderOf(file, base) === 'platform/background') return [];
    const text = readFileSync(file, 'utf8');
    return Object.entries(BACKGROUND_KINDS)
      .filter(([kind, pattern]) => pattern.test(text) && allowed[rel] !== kind)
      .map(([kind]) => `${rel}: ${kind}`);
  });
}

/** Feature folders importing `target` other than those allowed to (the composition root may). */
function importersOf(graph: Map<string, Set<string>>, target: string, allowed: string[]): string[] {
  return [...graph].filter(([from, to]) => to.has(target) && !allowed.includes(from)).map(([from]) => from);
}

/** The feature folders platform/ may import, each with why. */
const PLATFORM_MAY_IMPORT: Record<string, string> = {
  tenants: "tenancy's TenantId, and the tenant lookup that the API-key guard (platform/auth/) needs",
};

/**
 * Imports from platform/ of anything but platform/, libraries and packages (and the folders of
 * `allowed`): a feature folder, or the composition root (app.module.ts, app.factory.ts, …).
 */
function platformOutsiders(base: string, files: string[], allowed = PLATFORM_MAY_IMPORT): string[] {
  return files.flatMap((file) => {
    if (!folderOf(file, base)?.startsWith('platform/')) return [];
    return relativeImports(file)
      .filter((target) => !relative(base, target).startsWith('..'))
      .filter((target) => {
        const to = folderOf(target, base);
        return !to?.startsWith('platform/') && !(to && to in allowed);
      })
      .map((target) => `${relative(base, file)} → ${relative(base, target)}`);
  });
}

/** Runs `check` on a throwaway folder; `write` plants a file there and answers its path. */
function planted(check: (root: string, write: (rel: string, text: string) => string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'wtg-arch-'));
  try {
    check(root, (rel, text) => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
      return join(root, rel);
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Folders that are built, installed or written at run time: not the repository's own files. */
const NOT_OURS = new Set(['node_modules', 'dist', '.git', '.data', 'coverage', 'artifacts', '.build']);
const READS_FILES = /\.(ts|js|mjs|cjs|json|sh)$|^(run|Dockerfile|docker-compose\.yml)$/;

function repositoryFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (NOT_OURS.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return repositoryFiles(path);
    return READS_FILES.test(name) ? [path] : [];
  });
}

/**
 * The folders a file's relative paths resolve from: its own, and for compiled code the folder its
 * build runs from (`dist/` for apps, libs and migrations; `bench/.build/` for the benchmarks).
 */
function runsFrom(root: string, file: string): string[] {
  const rel = relative(root, file);
  const own = dirname(file);
  if (/\.(spec|e2e-spec)\.ts$/.test(rel) || !rel.endsWith('.ts')) return [own];
  if (/^(apps|libs|migrations)\//.test(rel)) return [own, dirname(join(root, 'dist', rel))];
  if (rel.startsWith('bench/')) return [own, dirname(join(root, 'bench/.build', rel.slice('bench/'.length)))];
  return [own];
}

/**
 * Paths in `text` (a file at `file`) that climb above `root` from wherever the file runs: relative
 * string literals (`'../../x'`, `join(__dirname, '..', '..')`), and any `../shared` path.
 */
export function pathsOutside(root: string, file: string, text: string): string[] {
  const inside = (...parts: string[]) =>
    runsFrom(root, file).some((from) => {
      const p = resolve(from, ...parts);
      return p === root || p.startsWith(root + sep);
    });
  const found: string[] = [];
  for (const m of text.matchAll(/['"`]((?:\.\.\/)+[^'"`\s]*)['"`]/g)) {
    if (!inside(m[1])) found.push(m[1]);
  }
  for (const m of text.matchAll(/__dirname((?:\s*,\s*['"]\.\.['"])+)/g)) {
    if (!inside(...Array<string>(m[1].match(/\.\./g)!.length).fill('..'))) found.push(`__dirname${m[1]}`);
  }
  for (const m of text.matchAll(/\.\.\/shared\b[^'"`\s]*/g)) found.push(m[0]);
  return [...new Set(found)];
}

describe('architecture', () => {
  it('the gateway’s feature folders import one another without cycles', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(10);
    expect(findCycle(graph)).toBeUndefined();
  });

  it('the cycle finder finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('apps never import other apps, and libraries never import apps', () => {
    const offenders: string[] = [];
    for (const file of [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]) {
      const own = relative(ROOT, file).split(sep).slice(0, 2).join('/');
      const text = readFileSync(file, 'utf8');
      for (const target of relativeImports(file)) {
        const rel = relative(ROOT, target).split(sep);
        if (rel[0] === 'apps' && `${rel[0]}/${rel[1]}` !== own) offenders.push(`${relative(ROOT, file)} → ${rel.join('/')}`);
      }
      if (own.startsWith('apps/wechat-sim') && /@app\/gateway/.test(text)) offenders.push(relative(ROOT, file));
    }
    expect(offenders).toEqual([]);
  });

  it('only repositories and platform/database/ hold the DataSource or run SQL', () => {
    const offenders = sources(GATEWAY)
      .filter((file) => /InjectDataSource|\.query\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(GATEWAY, file))
      .filter((rel) => !rel.endsWith('.repository.ts') && !rel.startsWith(join('platform', 'database') + sep));
    expect(offenders).toEqual([]);
  });

  it('only tenant-calls/ uses the gate, the per-tenant limiter and the quota blocks', () => {
    expect(tenantCallPartImporters(sources(GATEWAY))).toEqual([]);
  });

  it('no feature imports blacklist/ except blacklist-jobs/ (the proxy and later features go through tenant-calls/)', () => {
    expect(importersOf(folderGraph(), 'blacklist', ['blacklist-jobs'])).toEqual([]);
  });

  it('background work has one home: no pg-boss and no interval timer outside platform/background/', () => {
    expect(backgroundOutsiders(GATEWAY, sources(GATEWAY))).toEqual([]);
  });

  it('a platform folder imports no feature folder (only platform/, libraries, packages and tenants/)', () => {
    expect(platformOutsiders(GATEWAY, sources(GATEWAY))).toEqual([]);
  });

  it('the platform rule finds a platform file importing a feature or the composition root', () => {
    planted((root, write) => {
      const files = [
        write('platform/auth/guard.ts', "import { Tenants } from '../../tenants/tenants.repository';\n"),
        write(
          'platform/http/hooks.ts',
          "import { Quota } from '../../tenant-calls/quota';\nimport { sql } from '../database/sql';\n",
        ),
        write('webhooks/index.ts', 'export {};\n'),
        write(
          'platform/openapi/doc.ts',
          "import { AppModule } from '../../app.module';\nimport { x } from '@app/wechat';\nimport { y } from '../../webhooks';\n",
        ),
        write('platform/database/sql.ts', "import { Pool } from 'pg';\n"),
        write('feature/service.ts', "import { sql } from '../platform/database/sql';\n"),
      ];
      expect(platformOutsiders(root, files, { tenants: 'allowed' })).toEqual([
        `${join('platform', 'http', 'hooks.ts')} → ${join('tenant-calls', 'quota')}`,
        `${join('platform', 'openapi', 'doc.ts')} → app.module`,
        `${join('platform', 'openapi', 'doc.ts')} → webhooks`,
      ]);
    });
  });

  it('the background rule finds a second pg-boss or a timer loop in a feature', () => {
    planted((root, write) => {
      const files = [
        write('feature/own-queue.ts', "import { PgBoss } from 'pg-boss';\nnew PgBoss('postgres://x');\n"),
        write('feature/own-loop.ts', 'setInterval(() => sweep(), 60_000);\n'),
        write('feature/typed.ts', "import type { Job } from 'pg-boss';\n"),
        write('platform/background/runner.ts', "import { PgBoss } from 'pg-boss';\nsetInterval(() => undefined, 1);\n"),
        write('allowed/parse.ts', "import { PgBoss } from 'pg-boss';\nsetInterval(() => undefined, 1);\n"),
      ];
      expect(backgroundOutsiders(root, files, { [join('allowed', 'parse.ts')]: 'pg-boss' })).toEqual([
        `${join('feature', 'own-queue.ts')}: pg-boss`,
        `${join('feature', 'own-loop.ts')}: interval`,
        `${join('allowed', 'parse.ts')}: interval`,
      ]);
    });
  });

  it('no file of the repository reads anything outside it', () => {
    // This file itself holds the finder's examples of what it refuses.
    const offenders = repositoryFiles(ROOT)
      .filter((file) => file !== __filename)
      .flatMap((file) => pathsOutside(ROOT, file, readFileSync(file, 'utf8')).map((p) => `${relative(ROOT, file)}: ${p}`));
    expect(offenders).toEqual([]);
  });

  it('the outside-path finder finds a path that climbs above the root, and only that', () => {
    planted((root) => {
      const file = join(root, 'libs/x/src/a.spec.ts');
      const built = join(root, 'apps/gateway/src/sandbox/script.ts');
      const climbs = [
        "readFileSync(join(__dirname, '../../../../shared/wechat/v.json'))",
        "path.resolve(__dirname, '..', '..', '..', '..', 'elsewhere')",
        'cat ../shared/wechat/contract.md',
      ];
      for (const text of climbs) expect(pathsOutside(root, file, text)).not.toEqual([]);
      // Compiled code runs from dist/, one folder deeper: five steps up from there is the root.
      expect(pathsOutside(root, built, "join(__dirname, '..', '..', '..', '..', '..', 'x')")).toEqual([]);
      expect(pathsOutside(root, built, "join(__dirname, '..', '..', '..', '..', '..', '..', 'x')")).not.toEqual([]);
      const inside = [
        "join(__dirname, '../../test/fixtures/v.json')",
        "import { x } from '../../y';",
        "join(__dirname, '..', '..')",
      ];
      for (const text of inside) expect(pathsOutside(root, file, text)).toEqual([]);
    });
  });
});
