/**
 * A JSON object kept in the browser's localStorage, read and written without ever throwing:
 * where there is no storage (a test, private mode) or it refuses (full), the page just keeps
 * nothing for the next visit.
 */

/** The object stored under `key`, or undefined. */
export function readStoredJson<T extends object>(key: string): Partial<T> | undefined {
  try {
    const saved = JSON.parse(globalThis.localStorage?.getItem(key) ?? 'null') as unknown;
    return saved && typeof saved === 'object' ? (saved as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

export function writeStoredJson(key: string, value: object): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    /* refused: only what the next visit would have reused is lost */
  }
}
