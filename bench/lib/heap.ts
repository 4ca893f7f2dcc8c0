import { closeSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './http';

/**
 * Heap snapshots of a gateway started with --heapsnapshot-signal=SIGUSR2: V8 runs a full GC
 * before writing one, so its size is what the process really retains (RSS and heapUsed also
 * count garbage not yet collected).
 */
export async function takeHeapSnapshot(pid: number, dir: string, timeoutMs = 120_000): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  let file: string | undefined;
  let lastSize = -1;
  while (Date.now() < deadline) {
    await sleep(500);
    file ??= readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    const size = statSync(join(dir, file)).size;
    // Written as a stream: done once it parses (ends with the closing brace) and stops growing.
    if (size > 0 && size === lastSize) {
      const fd = openSync(join(dir, file), 'r');
      const tail = Buffer.alloc(16);
      readSync(fd, tail, 0, 16, Math.max(0, size - 16));
      closeSync(fd);
      if (tail.toString('utf8').trimEnd().endsWith('}')) return join(dir, file);
    }
    lastSize = size;
  }
  throw new Error(`no heap snapshot from pid ${pid} within ${timeoutMs} ms`);
}

export interface HeapSummary {
  totalMB: number;
  nodes: number;
  /** Self size by node type and constructor/name, largest first. */
  top: { name: string; count: number; MB: number }[];
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

export function summariseHeapSnapshot(file: string, top = 15, remove = true): HeapSummary {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  if (remove) rmSync(file, { force: true });
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const by = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]];
    const size = s.nodes[i + iSize];
    total += size;
    // Strings and code are grouped by type; objects by constructor name.
    const name =
      type === 'object' || type === 'closure' || type === 'native' ? `${type} ${s.strings[s.nodes[i + iName]]}` : `(${type})`;
    const e = by.get(name) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += size;
    by.set(name, e);
  }
  return {
    totalMB: Math.round((total / 2 ** 20) * 10) / 10,
    nodes: s.nodes.length / width,
    top: [...by.entries()]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .slice(0, top)
      .map(([name, e]) => ({ name: name.slice(0, 80), count: e.count, MB: Math.round((e.bytes / 2 ** 20) * 10) / 10 })),
  };
}

/** What grew between two summaries (by self size), largest growth first. */
export function heapGrowth(before: HeapSummary, after: HeapSummary, top = 10) {
  const b = new Map(before.top.map((e) => [e.name, e]));
  return after.top
    .map((e) => ({
      name: e.name,
      countDelta: e.count - (b.get(e.name)?.count ?? 0),
      MBDelta: Math.round((e.MB - (b.get(e.name)?.MB ?? 0)) * 10) / 10,
    }))
    .sort((x, y) => y.MBDelta - x.MBDelta)
    .slice(0, top);
}
