/**
 * `npm run test:postman [-- <folder name>...]`: starts the API (`tsx src/main.ts`) on a free port
 * with a fresh DATA_DIR, the embedded sandbox and an API key, runs the Postman collection against
 * it with newman, and stops the server whatever happens. Exits 1 when any assertion fails.
 * Folder names, if given, run only those folders (e.g. "1. Success path").
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import newman, { type Summary } from 'newman';
import { type ApiProcess, startLocalApi } from './api-process.ts';

const ROOT = join(import.meta.dirname, '..');
const COLLECTION = join(ROOT, 'postman/payments-api.postman_collection.json');
const ENVIRONMENT = join(ROOT, 'postman/localhost.postman_environment.json');
const HOST = '127.0.0.1';

function runCollection(baseUrl: string, apiKey: string, folders: string[]): Promise<Summary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: COLLECTION,
        environment: ENVIRONMENT,
        envVar: [
          { key: 'baseUrl', value: baseUrl },
          { key: 'apiKey', value: apiKey },
        ],
        ...(folders.length > 0 ? { folder: folders } : {}),
        reporters: 'cli',
        timeoutRequest: 30_000,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
  });
}

async function main(folders: string[]): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'payments-postman-'));
  // A key of this run only: the collection's script sends it as `Authorization: Bearer ...`.
  const apiKey = randomBytes(16).toString('hex');
  let api: ApiProcess | undefined;
  const cleanUp = async () => {
    await api?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const interrupted = () => {
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    api = await startLocalApi({ root: ROOT, dataDir, apiKeys: `postman:${apiKey}`, host: HOST });

    const summary = await runCollection(api.url, apiKey, folders);
    const failed = summary.run.failures.length > 0 || summary.run.error !== null;
    if (failed) console.error(`\nThe API's log (warnings and errors):\n${api.output()}`);
    return failed ? 1 : 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  } finally {
    await cleanUp();
  }
}

process.exitCode = await main(process.argv.slice(2));
