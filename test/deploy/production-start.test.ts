/**
 * The Dockerfile's steps, outside a container (no container engine runs on these machines):
 * build, install production dependencies only into a clean copy, start `node dist/main.js` with
 * NODE_ENV=production and the required variables, wait for /readyz, stop with SIGTERM.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { freePort, startApiProcess } from '../../scripts/api-process.ts';
import { startSandbox } from '../../src/sandbox/index.ts';

const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('the production image steps', () => {
  it('build, npm ci --omit=dev, then node dist/main.js with NODE_ENV=production gets ready and ' +
    'exits 0 on SIGTERM', { timeout: 300_000 }, async () => {
    const work = await mkdtemp(join(tmpdir(), 'payments-deploy-'));
    const app = join(work, 'app');
    const sandbox = await startSandbox({ port: 0 });
    try {
      // Build stage: `npm run build`, into the copy rather than the checkout's dist/.
      await run('npm', ['run', 'build', '--', '--outDir', join(app, 'dist')], { cwd: ROOT });
      await copyFile(join(ROOT, 'package.json'), join(app, 'package.json'));
      await copyFile(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));

      // Runtime stage: production dependencies only.
      await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
        cwd: app,
        maxBuffer: 16 * 1024 * 1024,
      });
      await assert.rejects(stat(join(app, 'node_modules/typescript')), { code: 'ENOENT' });

      const apiKey = randomBytes(16).toString('hex');
      const port = await freePort();
      // Only what the image sets plus what an operator must provide: nothing from this shell.
      const api = await startApiProcess({
        command: process.execPath,
        args: ['dist/main.js'],
        cwd: app,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATA_DIR: join(work, 'data'),
          STRIPE_SECRET_KEY: 'sk_test_sandbox',
          STRIPE_API_BASE: sandbox.url,
          API_KEYS: `deploy:${apiKey}`,
        },
        host: '127.0.0.1',
        port,
        readyPath: '/readyz',
      });
      try {
        const registered = await fetch(`${api.url}/api/customer`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'deploy@example.com', stripeCreditCardToken: 'tok_visa' }),
        });
        assert.equal(registered.status, 201, await registered.text());
      } finally {
        const code = await api.stop();
        assert.equal(code, 0, api.output());
      }
    } finally {
      await sandbox.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
