/** Small helpers the adapters share when they read a provider's failure. */

const REASON_MAX = 200;

/** A provider's message on one line, at most 200 characters: enough for an operator, never a payload. */
export function shortReason(text: string): string | undefined {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (!oneLine) return undefined;
  return oneLine.length > REASON_MAX ? `${oneLine.slice(0, REASON_MAX - 1)}…` : oneLine;
}

export function hasName(error: unknown, name: string): boolean {
  return isRecord(error) && error.name === name;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
