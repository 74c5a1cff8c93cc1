/**
 * `npm start`: reads the configuration, starts the service and closes it on SIGTERM/SIGINT.
 * A bad configuration prints one line naming the variable and exits with code 1.
 */
import pino from 'pino';
import { startService } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Configuration error: ${error.message}`);
  process.exit(1);
}

const logger = pino({
  level: config.logLevel,
  // Belt and braces: nothing should log these, and if something does, the value is hidden.
  redact: ['req.headers.authorization', '*.clientSecret', '*.client_secret', '*.secretKey'],
});

try {
  const service = await startService(config, logger);
  logger.info({ url: service.url }, 'payments api listening');

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await service.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
}
