import { ApiExtension, type OpenAPIObject } from '@nestjs/swagger';

type PathItemObject = OpenAPIObject['paths'][string];
type OperationObject = NonNullable<PathItemObject['get']>;

const KEY = 'x-path-aliases';

/** What the operation of one of a handler's paths says differently from the others. */
export interface PathAliasDoc {
  operationId: string;
  summary?: string;
}

/**
 * For a handler a controller serves at several paths (`@Controller([a, b])`): per controller path
 * (as written there), that path's operation id and summary. Nest documents each path as its own
 * operation but names them `Controller_method[i]` with one summary; documentPathAliases applies these.
 */
export const ApiPathAliases = (byControllerPath: Record<string, PathAliasDoc>) => ApiExtension(KEY, byControllerPath);

/** `v1/tenants/:tenantId/x` → `/v1/tenants/{tenantId}/x`, as paths appear in the document. */
const documentPath = (controllerPath: string) => `/${controllerPath.replace(/:(\w+)/g, '{$1}')}`;

/**
 * Gives each aliased operation its own id and summary (the longest controller path its path starts
 * with), and drops path parameters its path does not have (a parameter documented for the class,
 * such as `tenantId`, belongs to the paths that carry it only).
 */
export function documentPathAliases(doc: OpenAPIObject): OpenAPIObject {
  /** Per aliased path, the position of its controller path among the aliases, to list them in that order. */
  const aliasIndex = new Map<string, number>();
  for (const [path, item] of Object.entries(doc.paths) as [string, PathItemObject][]) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method] as (OperationObject & { [KEY]?: Record<string, PathAliasDoc> }) | undefined;
      const aliases = op?.[KEY];
      if (!op || !aliases) continue;
      delete op[KEY];
      const prefix = Object.keys(aliases)
        .filter((controllerPath) => path === documentPath(controllerPath) || path.startsWith(`${documentPath(controllerPath)}/`))
        .sort((a, b) => b.length - a.length)[0];
      if (prefix === undefined) throw new Error(`${method.toUpperCase()} ${path}: no path alias documents it`);
      const alias = aliases[prefix];
      aliasIndex.set(path, Object.keys(aliases).indexOf(prefix));
      op.operationId = alias.operationId;
      if (alias.summary !== undefined) op.summary = alias.summary;
      op.parameters = op.parameters?.filter((p) => !('in' in p) || p.in !== 'path' || path.includes(`{${p.name}}`));
    }
  }
  // Nest lists a handler's paths one after the other; the document lists each controller path's
  // operations together (the first path's, then the next's), in the places the aliased paths held.
  const paths = Object.keys(doc.paths);
  const aliased = paths.filter((p) => aliasIndex.has(p));
  const grouped = [...aliased].sort((a, b) => aliasIndex.get(a)! - aliasIndex.get(b)! || aliased.indexOf(a) - aliased.indexOf(b));
  let next = 0;
  doc.paths = Object.fromEntries(paths.map((p) => (aliasIndex.has(p) ? grouped[next++] : p)).map((p) => [p, doc.paths[p]]));
  return doc;
}
