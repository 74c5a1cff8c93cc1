/**
 * `npm start`: reads the configuration, starts the service and closes it gracefully on SIGTERM or
 * SIGINT (see shutdown.ts). A bad configuration prints one line naming the variable and exits
 * with code 1.
 */
import { startService } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createLogger } from './observability/logger.ts';
import { handleShutdownSignals } from './shutdown.ts';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Configuration error: ${error.message}`);
  process.exit(1);
}

const logger = createLogger({
  level: config.logLevel,
  // Never in a line, whatever field or message they might reach.
  secrets: [
    ...config.apiKeys.map((key) => key.secret),
    ...(config.stripeSecretKey === null ? [] : [config.stripeSecretKey]),
  ],
});

try {
  const service = await startService(config, logger);
  logger.info({ url: service.url }, 'payments api listening');
  handleShutdownSignals({
    close: () => service.close(),
    timeoutMs: config.shutdownTimeoutMs,
    logger,
    exit: (code) => process.exit(code),
  });
} catch (error) {
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
}
