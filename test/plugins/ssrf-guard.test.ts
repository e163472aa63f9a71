import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import createHttpBrowse from '../../plugins/browse/http.js';
import { isPublicAddress } from '../../plugins/browse/ssrf-guard.js';
import { BlockedAddressError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import type { BrowsePlugin } from '../../src/plugins/plugin-types.js';
import { startWireServer, type WireServer } from '../helpers/wire-server.js';

const context = { logger: silentLogger(), cacheDirectory: '/tmp', env: {} };

describe('the SSRF guard', () => {
  it.each([
    ['127.0.0.1', false],
    ['10.0.0.8', false],
    ['172.16.5.4', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['100.100.100.200', false],
    ['0.0.0.0', false],
    ['255.255.255.255', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fd00:ec2::254', false],
    ['fc00::1', false],
    ['fe80::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['64:ff9b::7f00:1', false],
    ['8.8.8.8', true],
    ['93.184.216.34', true],
    ['2606:4700:4700::1111', true],
    ['::ffff:8.8.8.8', true],
  ])('classifies %s as public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  describe('when browsing', () => {
    let internal: WireServer;
    let browse: BrowsePlugin;
    beforeAll(async () => {
      internal = await startWireServer((request, response) => {
        if (request.url === '/to-metadata') {
          response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        } else if (request.url === '/to-localhost-name') {
          response.writeHead(302, { location: `http://localhost:${internal.port}/secret` });
        } else {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('internal secret');
        }
        response.end();
      });
      browse = await createHttpBrowse({ use: 'http', timeoutMs: 2_000 }, context);
    });
    afterAll(async () => {
      await browse.close?.();
      await internal.close();
    });

    it.each([
      'http://127.0.0.1:{port}/secret',
      'http://2130706433:{port}/secret',
      'http://0x7f.0.0.1:{port}/secret',
      'http://017700000001:{port}/secret',
      'http://127.1:{port}/secret',
      'http://[::1]:{port}/secret',
      'http://[::ffff:127.0.0.1]:{port}/secret',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
    ])('refuses %s', async (template) => {
      const error = await browse
        .browse(template.replace('{port}', String(internal.port)))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BlockedAddressError);
      expect((error as BlockedAddressError).statusCode).toBe(403);
    });

    it('refuses a name that resolves to loopback, checked at connect time', async () => {
      const error = await browse.browse(`http://localhost:${internal.port}/secret`).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BlockedAddressError);
      expect((error as Error).message).toContain('localhost is a loopback address (127.0.0.1)');
      expect(internal.requests.filter((request) => request.url === '/secret')).toHaveLength(0);
    });

    it('refuses non-http schemes', async () => {
      for (const url of ['file:///etc/passwd', 'ftp://example.org/x', 'gopher://127.0.0.1:70/']) {
        await expect(browse.browse(url)).rejects.toBeInstanceOf(BlockedAddressError);
      }
    });

    it('checks every redirect hop, by address and by name', async () => {
      // Only this host is allowed; where it redirects to is checked again.
      const allowed = await createHttpBrowse(
        { use: 'http', timeoutMs: 2_000, allowHosts: [`127.0.0.1:${internal.port}`] },
        context,
      );
      try {
        await expect(allowed.browse(`http://127.0.0.1:${internal.port}/to-metadata`)).rejects.toBeInstanceOf(
          BlockedAddressError,
        );
        await expect(allowed.browse(`http://127.0.0.1:${internal.port}/to-localhost-name`)).rejects.toBeInstanceOf(
          BlockedAddressError,
        );
        expect((await allowed.browse(`http://127.0.0.1:${internal.port}/secret`)).content).toBe('internal secret');
      } finally {
        await allowed.close?.();
      }
    });
  });
});
