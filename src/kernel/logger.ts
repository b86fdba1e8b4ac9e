import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    // Personal data never reaches the logs: buyers' names, phones, addresses, ids and secrets.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'password',
        '*.password',
        'token',
        '*.token',
        '*.buyerName',
        '*.buyerTelephone',
        '*.buyerIdNumber',
        '*.consignee',
        '*.consigneeAddress',
      ],
      censor: '[redacted]',
    },
  });
}
