import { callsChart } from './calls-chart';

describe('callsChart', () => {
  it('24 hourly bars labelled in the operator zone, one series per API and outcome, older hours left out', () => {
    const now = new Date('2026-12-07T09:41:00Z');
    const hour = (h: number) => new Date(Date.UTC(2026, 11, 7, h));
    const chart = callsChart(
      [
        { hour: hour(9), api: 'api_query_auth', outcome: 'ok', calls: 3 },
        { hour: hour(8), api: 'api_query_auth', outcome: 'ok', calls: 2 },
        { hour: hour(9), api: 'api_query_auth', outcome: 'api-error', calls: 1 },
        { hour: new Date(Date.UTC(2026, 11, 6, 9)), api: 'api_query_auth', outcome: 'ok', calls: 99 },
      ],
      now,
      'Asia/Shanghai',
      { ok: '成功', 'api-error': '接口错误' },
    );
    expect(chart.labels).toHaveLength(24);
    expect(chart.labels[23]).toBe('17:00');
    expect(chart.labels[0]).toBe('18:00');
    expect(chart.series).toHaveLength(2);
    const ok = chart.series.find((s) => s.outcome === 'ok')!;
    expect(ok.label).toBe('api_query_auth · 成功');
    expect(ok.calls.slice(21)).toEqual([0, 2, 3]);
    expect(ok.calls.reduce((a, b) => a + b)).toBe(5);
  });
});
