import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The floor of `bench:proxy`: the least any Node.js proxy does for a call, in a process of its own as agentd
 * is. It reads the request, sends it on to the upstream given as argument over a keep-alive agent, and
 * answers with the upstream's status and body: no auth, no parsing, no limiter, no ledger, no log. What it
 * costs per request on this machine (two HTTP exchanges on loopback, one in each direction) is what agentd
 * cannot go below, so the bench reports agentd against it as well as against the upstream alone. Prints its
 * port, answers a `cpu` message with its CPU usage, and stops on SIGTERM.
 */
const upstream = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const server = createServer((incoming, response) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => {
    const body = Buffer.concat(chunks);
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: `${upstream.pathname.replace(/\/$/, '')}${incoming.url?.replace(/^\/v1/, '') ?? ''}`,
        method: incoming.method,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.byteLength },
      },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          response.writeHead(answer.statusCode ?? 502, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
          });
          response.end(text);
        });
      },
    );
    outgoing.on('error', () => {
      response.writeHead(502).end();
    });
    outgoing.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('message', () => process.send?.(process.cpuUsage()));
process.once('SIGTERM', () => process.exit(0));
