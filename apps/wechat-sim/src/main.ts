/* Standalone WeChat simulator: `npm run sim`. The only file here allowed to print. */
import { startWeChatSimulator } from '@app/wechat-sim';

/** Fixed defaults so a standalone sim and a gateway configured for it agree out of the box. */
export const STANDALONE_DEFAULTS = {
  componentAppId: 'wx_sim_component',
  componentAppSecret: 'sim_component_secret_0123456789abcdef',
  componentToken: 'sim_component_token',
  encodingAESKey: 'wxSimComponentEncodingAESKey0123456789ABCDE',
};

const SETTINGS = {
  port: 'SIM_PORT',
  host: 'SIM_HOST',
  'component-appid': 'SIM_COMPONENT_APPID',
  'component-appsecret': 'SIM_COMPONENT_APPSECRET',
  'component-token': 'SIM_COMPONENT_TOKEN',
  'encoding-aes-key': 'SIM_ENCODING_AES_KEY',
  'event-url': 'SIM_EVENT_URL',
  /** The message and event URL template, e.g. http://127.0.0.1:3000/wechat/authorizers/$APPID$/events. */
  'message-url': 'SIM_MESSAGE_URL',
  'public-base-url': 'SIM_PUBLIC_BASE_URL',
  'ticket-interval-ms': 'SIM_TICKET_INTERVAL_MS',
  'max-calls-per-second': 'SIM_MAX_CALLS_PER_SECOND',
  /** The component's 公众号开发域名, comma-separated hosts: web authorization refuses other redirect_uri hosts (10003). */
  'web-oauth-domains': 'SIM_WEB_OAUTH_DOMAINS',
} as const;
type Setting = keyof typeof SETTINGS;

/** `--flag value` or `--flag=value` wins over the environment variable. */
export function readSettings(argv: string[], env: NodeJS.ProcessEnv): Partial<Record<Setting, string>> {
  const out: Partial<Record<Setting, string>> = {};
  for (const [flag, name] of Object.entries(SETTINGS) as Array<[Setting, string]>) {
    if (env[name]) out[flag] = env[name];
  }
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    if (m[1] === 'help') {
      out['help' as Setting] = '1';
      continue;
    }
    if (!(m[1] in SETTINGS))
      throw new Error(
        `unknown flag --${m[1]} (known: ${Object.keys(SETTINGS)
          .map((f) => `--${f}`)
          .join(' ')})`,
      );
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    out[m[1] as Setting] = value;
  }
  return out;
}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return Number(value);
}

/** The standalone simulator talks to a person at a terminal: plain lines on stdout, no logger. */
const say = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const s = readSettings(process.argv.slice(2), process.env);
  if ((s as Record<string, string>).help) {
    say(
      `Usage: node main.js ${Object.entries(SETTINGS)
        .map(([f, e]) => `[--${f} <v> | ${e}]`)
        .join(' ')}`,
    );
    return;
  }
  const sim = await startWeChatSimulator({
    port: int('SIM_PORT', s.port) ?? 4100,
    host: s.host ?? '127.0.0.1',
    componentAppId: s['component-appid'] ?? STANDALONE_DEFAULTS.componentAppId,
    componentAppSecret: s['component-appsecret'] ?? STANDALONE_DEFAULTS.componentAppSecret,
    componentToken: s['component-token'] ?? STANDALONE_DEFAULTS.componentToken,
    encodingAESKey: s['encoding-aes-key'] ?? STANDALONE_DEFAULTS.encodingAESKey,
    eventUrl: s['event-url'],
    webOAuthDomains: s['web-oauth-domains']
      ?.split(',')
      .map((d) => d.trim())
      .filter(Boolean),
    messageUrl: s['message-url'],
    publicBaseUrl: s['public-base-url'],
    ticketIntervalMs: int('SIM_TICKET_INTERVAL_MS', s['ticket-interval-ms']),
    maxCallsPerSecond: int('SIM_MAX_CALLS_PER_SECOND', s['max-calls-per-second']),
    logger: (line) => say(JSON.stringify(line)),
  });
  const o = sim.options;
  say(`WeChat simulator listening on ${sim.url}`);
  say(
    JSON.stringify(
      {
        url: sim.url,
        componentAppId: o.componentAppId,
        componentAppSecret: o.componentAppSecret,
        componentToken: o.componentToken,
        encodingAESKey: o.encodingAESKey,
        eventUrl: o.eventUrl ?? null,
        messageUrl: o.messageUrl ?? null,
        publicBaseUrl: o.publicBaseUrl ?? sim.url,
        ticketIntervalMs: o.ticketIntervalMs,
        maxCallsPerSecond: o.maxCallsPerSecond ?? null,
        control: `${sim.url}/__sim`,
      },
      null,
      2,
    ),
  );
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`wechat-sim: ${err.message ?? err}\n`);
    process.exit(1);
  });
}
