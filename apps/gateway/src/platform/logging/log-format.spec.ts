import { Writable } from 'node:stream';
import { chooseLogFormat, formatLogLine, isStartUpChatter, prettyDestination } from './log-format';

describe('log format', () => {
  it('JSON unless on a terminal; LOG_FORMAT decides when set', () => {
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('a request line reads method, URL, status and time; other fields as key=value', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 1, 12, 0, 1),
      pid: 1,
      hostname: 'h',
      req: { id: 'r1', method: 'GET', url: '/v1/tenants' },
      res: { statusCode: 404 },
      responseTime: 12,
      requestId: 'r1',
      msg: 'request completed',
    });
    expect(formatLogLine(line)).toBe('12:00:01 INFO  GET /v1/tenants → 404 12ms requestId=r1');
  });

  it('a message line keeps its context and quotes values with spaces', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 1),
      context: 'Main',
      msg: 'sandbox ready',
      note: 'a b',
      n: 2,
    });
    expect(formatLogLine(line)).toBe('00:00:00 WARN  [Main] sandbox ready note="a b" n=2');
    expect(formatLogLine('not json')).toBe('not json');
  });

  it('the destination reassembles lines split across writes', async () => {
    const out: string[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c.toString());
        cb();
      },
    });
    const dest = prettyDestination(sink, false);
    const json = JSON.stringify({ level: 50, time: 0, msg: 'boom' });
    dest.write(json.slice(0, 10));
    dest.write(`${json.slice(10)}\n`);
    await new Promise<void>((r) => dest.end(r));
    expect(out).toEqual(['00:00:00 ERROR boom\n']);
  });

  it("Nest's route and module lines are start-up chatter", () => {
    expect(isStartUpChatter('RouterExplorer')).toBe(true);
    expect(isStartUpChatter('RoutesResolver')).toBe(true);
    expect(isStartUpChatter('OnboardingService')).toBe(false);
  });
});
