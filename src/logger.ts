import { pino, type DestinationStream, type Logger } from 'pino'

export type { Logger }

/**
 * Creates the JSON application logger. Phone numbers are masked by the code that logs them;
 * the redact list is a second line of defence for fields that must never appear.
 */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'switchboard' },
      redact: {
        paths: [
          'pin',
          '*.pin',
          'apiKey',
          '*.apiKey',
          'authorization',
          '*.authorization',
          'text',
          '*.text',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  )
}
