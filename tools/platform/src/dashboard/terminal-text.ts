/** Plain-terminal text pieces of the dashboard: widths that ignore ANSI styles, sparklines, numbers. */

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** Cuts (with "…") or pads `text` to exactly `width` visible characters, keeping ANSI styles. */
export function fitWidth(text: string, width: number): string {
  if (width <= 0) return '';
  const length = visibleLength(text);
  if (length <= width) return text + ' '.repeat(width - length);
  const keep = width - 1;
  let out = '';
  let visible = 0;
  let styled = false;
  for (let i = 0; i < text.length && visible < keep;) {
    // eslint-disable-next-line no-control-regex
    const escape = text[i] === '\u001b' ? /^\u001b\[[0-9;?]*[A-Za-z]/.exec(text.slice(i)) : null;
    if (escape) {
      out += escape[0];
      styled = escape[0] !== '\u001b[0m';
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i) ?? 0x20);
    out += char;
    visible += 1;
    i += char.length;
  }
  return `${out}…${styled ? '\u001b[0m' : ''}`;
}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

const wrap = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const ANSI_STYLE: Style = {
  bold: wrap('1'),
  dim: wrap('2'),
  red: wrap('31'),
  yellow: wrap('33'),
  green: wrap('32'),
  cyan: wrap('36'),
};
const same = (text: string) => text;
export const PLAIN_STYLE: Style = { bold: same, dim: same, red: same, yellow: same, green: same, cyan: same };

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One block character per value, scaled to the largest (or `max`); a missing value is a space. */
export function sparkline(values: ReadonlyArray<number | undefined>, max?: number): string {
  const top = max ?? Math.max(0, ...values.map((v) => v ?? 0));
  return values
    .map((value) => {
      if (value === undefined) return ' ';
      if (top <= 0) return BLOCKS[0];
      const level = Math.round((Math.max(0, value) / top) * (BLOCKS.length - 1));
      return BLOCKS[Math.min(BLOCKS.length - 1, level)];
    })
    .join('');
}

/** A horizontal bar of `share` (0–1) of `width` cells, in eighths. */
export function bar(share: number, width: number): string {
  const eighths = Math.round(Math.min(1, Math.max(0, share)) * width * 8);
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8];
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function percent(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)}%`;
}

/** Minor units of a currency as money: €1,234.56; whole units from 10,000 on (€12,346). */
export function money(minor: number, currency: string, exponent: number): string {
  const major = minor / 10 ** exponent;
  const digits = Math.abs(major) >= 10_000 ? 0 : exponent;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(major);
}

/** 90 → "1m30s", 3700 → "1h01m". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** HH:MM (or HH:MM:SS) of an epoch ms instant in UTC. */
export function clock(ms: number, seconds = false): string {
  return new Date(ms).toISOString().slice(11, seconds ? 19 : 16);
}
