/**
 * Five-field cron (minute hour day-of-month month day-of-week, UTC) for the gateway's periodic
 * work: numbers, `*`, ranges `a-b`, lists `a,b` and steps `x/n`. Day of month and day of week
 * combine as in cron: when both are restricted, either may match.
 */
export class CronExpression {
  private constructor(
    private readonly fields: Set<number>[],
    private readonly restricted: { dom: boolean; dow: boolean },
  ) {}

  static parse(text: string): CronExpression {
    const parts = text.trim().split(/\s+/);
    if (parts.length !== 5) throw new Error('a cron expression has five fields');
    const fields = parts.map((p, i) => parseField(p, RANGES[i]));
    return new CronExpression(fields, { dom: parts[2] !== '*', dow: parts[4] !== '*' });
  }

  static isValid(text: string): boolean {
    try {
      CronExpression.parse(text);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether the UTC minute of `at` is an occurrence. */
  matches(at: Date): boolean {
    const [min, hour, dom, month, dow] = this.fields;
    if (!min.has(at.getUTCMinutes()) || !hour.has(at.getUTCHours()) || !month.has(at.getUTCMonth() + 1)) return false;
    const domOk = dom.has(at.getUTCDate());
    const dowOk = dow.has(at.getUTCDay()) || (at.getUTCDay() === 0 && dow.has(7));
    if (this.restricted.dom && this.restricted.dow) return domOk || dowOk;
    return domOk && dowOk;
  }
}

const RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

function parseField(text: string, [lo, hi]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new Error(`unreadable cron field ${text}`);
    const from = m[1] === '*' ? lo : Number(m[2]);
    const to = m[1] === '*' ? hi : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? hi : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < lo || to > hi || from > to || step < 1) throw new Error(`cron field ${text} is out of range`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}
