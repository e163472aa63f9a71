import type { FastifyInstance } from 'fastify';

/**
 * Every route the app registers, as `METHOD /url` with fastify's own url pattern (`/v1/runs/:id`), read from
 * `printRoutes`: fastify has no other public list once the routes are registered. HEAD routes are left out:
 * fastify derives them from the GET routes (`exposeHeadRoutes`), with the same handler.
 */
export function registeredRoutes(app: FastifyInstance): string[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const routes: string[] = [];
  // Each line is a node of the radix tree: its depth by indentation, its url segment, then its methods.
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[└├]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line.replaceAll('\u00a0', ' '));
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const url = (prefixes[depth - 1] ?? '') + match[2]!;
    prefixes[depth] = url;
    prefixes.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean))
      if (method !== 'HEAD') routes.push(`${method} ${url}`);
  }
  // The parse must agree with the router: a route it got wrong would be reported as never covered.
  return routes
    .map((route) => {
      const [method, url] = route.split(' ') as [string, string];
      // find-my-way prints a wildcard under its parent without the slash between them (`/v1/models` then `*`).
      const known = [url, url.replace(/([^/])\*$/, '$1/*')].find((candidate) =>
        app.hasRoute({ method: method as 'GET', url: candidate }),
      );
      if (!known) throw new Error(`printRoutes parsed "${route}", which the router does not have`);
      return `${method} ${known}`;
    })
    .sort();
}
