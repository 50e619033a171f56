/**
 * Structured logging (pino). Loggers are created once and passed down; modules take a child with
 * their name. Never log staff names, phone numbers or mail bodies: log ids, counts and statuses.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'trygghetsjouren'): Logger {
  return pino({
    name,
    level,
    // Belt and braces: if a field with these names slips into a log object, it is censored.
    redact: { paths: ['phone', 'staff', 'html', '*.phone', 'authorization', 'headers.authorization'], censor: '[redacted]' }
  });
}

/** A logger that writes nothing: for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
