/** Display formats shared by the console's views. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 KB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

/** A count and its attachment volume, e.g. "12 · 3.0 KB". */
export function formatVolume({ count, bytes }: { count: number; bytes: number }): string {
  return `${count} · ${formatBytes(bytes)}`;
}

/** An ISO instant in the reader's locale. */
export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** Time left until `iso`, e.g. "6d 23h 59m 58s"; "due now" once it has passed. */
export function formatCountdown(iso: string, now = Date.now()): string {
  let seconds = Math.floor((new Date(iso).getTime() - now) / 1000);
  if (seconds <= 0) return 'due now';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    const whole = Math.floor(seconds / size);
    if (whole > 0 || parts.length > 0) parts.push(`${whole}${unit}`);
    seconds -= whole * size;
  }
  parts.push(`${seconds}s`);
  return parts.join(' ');
}
