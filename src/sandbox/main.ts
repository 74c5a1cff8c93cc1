/** `npm run sandbox`: the sandbox as a standalone server, configured by SANDBOX_* variables. */
import { sandboxOptionsFromEnv, startSandbox } from './index.ts';

async function main(): Promise<void> {
  const options = sandboxOptionsFromEnv(process.env);
  const sandbox = await startSandbox(options);
  const where = options.databaseFile ? `state in ${options.databaseFile}` : 'state in memory';
  process.stdout.write(
    `Stripe sandbox listening on ${sandbox.url} (${where})\n` +
      'Point the SDK at it:\n' +
      "  import Stripe from 'stripe';\n" +
      `  const stripe = new Stripe('sk_test_sandbox', { host: '${sandbox.host}', port: ${sandbox.port}, protocol: 'http' });\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: closing the sandbox\n`);
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`sandbox did not close cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `sandbox failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
