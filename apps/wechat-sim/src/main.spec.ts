import { readSettings } from './main';

describe('standalone settings', () => {
  it('reads env, and flags win over env in both --flag value and --flag=value forms', () => {
    const s = readSettings(['--port', '4200', '--event-url=http://gw/events'], { SIM_PORT: '4100', SIM_HOST: '0.0.0.0' });
    expect(s).toEqual({ port: '4200', host: '0.0.0.0', 'event-url': 'http://gw/events' });
  });

  it('reads the message URL template from SIM_MESSAGE_URL', () => {
    const url = 'http://127.0.0.1:3000/wechat/authorizers/$APPID$/events';
    expect(readSettings([], { SIM_MESSAGE_URL: url })).toEqual({ 'message-url': url });
  });

  it('rejects unknown flags and flags without a value', () => {
    expect(() => readSettings(['--prot', '1'], {})).toThrow(/unknown flag --prot/);
    expect(() => readSettings(['--port'], {})).toThrow(/needs a value/);
  });
});
