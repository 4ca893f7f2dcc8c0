import { TaskLoop } from './task-loop';

const tick = () => new Promise((r) => setImmediate(r));

describe('TaskLoop', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  function loop(runAtStart: boolean) {
    const started: number[] = [];
    let finish: (() => void) | undefined;
    const l = new TaskLoop({ nextDelayMs: () => 1000, runAtStart, run: async () => undefined }, async () => {
      started.push(Date.now());
      await new Promise<void>((r) => (finish = r));
    });
    return { l, started, finish: () => finish?.() };
  }

  it('runs at start or one delay later, then a delay after each run ends; never two at once', async () => {
    const a = loop(false);
    a.l.start();
    await jest.advanceTimersByTimeAsync(999);
    expect(a.started).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(a.started).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(5000); // still running: nothing new starts
    expect(a.started).toHaveLength(1);
    a.finish();
    await tick();
    await jest.advanceTimersByTimeAsync(1000);
    expect(a.started).toHaveLength(2);
    a.finish();
    await a.l.stop();

    const b = loop(true);
    b.l.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(b.started).toHaveLength(1);
    b.finish();
    await b.l.stop();
  });

  it('a wake during a run starts the next one as soon as it ends; an idle wake runs at once', async () => {
    const a = loop(false);
    a.l.start();
    a.l.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(a.started).toHaveLength(1);
    a.l.wake();
    a.finish();
    await tick();
    await jest.advanceTimersByTimeAsync(0);
    expect(a.started).toHaveLength(2);
    a.finish();
    await a.l.stop();
  });

  it('stop waits for the run in flight, aborts its signal and starts no more', async () => {
    let signal: AbortSignal | undefined;
    let finish: (() => void) | undefined;
    let runs = 0;
    const l = new TaskLoop({ nextDelayMs: () => 10, runAtStart: true, run: async () => undefined }, async (s) => {
      runs++;
      signal = s;
      await new Promise<void>((r) => (finish = r));
    });
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = l.stop().then(() => (stopped = true));
    await tick();
    expect(signal?.aborted).toBe(true);
    expect(stopped).toBe(false);
    finish?.();
    await stopping;
    l.wake();
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
  });
});
