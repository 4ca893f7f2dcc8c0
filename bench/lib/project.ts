import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The benchmarks measure the build that ships: the gateway runs as `node <build>/apps/gateway/src/main.js`
 * (production mode), and the few library pieces the runner needs are loaded from the same build
 * (typed here by hand, so the runner's own compilation never includes app code).
 */
// Compiled to bench/.build/lib/: three levels up is the repository.
export const ROOT = resolve(__dirname, '..', '..', '..');
// The bench's own build of the gateway (npm run bench makes it with bench/tsconfig.gateway.json);
// BENCH_DIST points at another build instead (e.g. to compare two commits).
export const DIST = process.env.BENCH_DIST ? resolve(process.env.BENCH_DIST) : join(ROOT, 'bench', '.build', 'dist');
export const GATEWAY_MAIN = join(DIST, 'apps/gateway/src/main.js');

/**
 * The Node flags the gateway ships with, read from package.json's `start` script (the Dockerfile's
 * CMD carries the same), so the bench runs it as production does. BENCH_GATEWAY_FLAGS replaces
 * them (an empty value runs without any).
 */
export function gatewayNodeFlags(): string[] {
  if (process.env.BENCH_GATEWAY_FLAGS !== undefined) return process.env.BENCH_GATEWAY_FLAGS.split(/\s+/).filter(Boolean);
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  return start.split(/\s+/).filter((t) => t.startsWith('--'));
}
export const SIM_PROCESS = join(__dirname, 'sim-process.js');
export const MINIMAL_PROXY_PROCESS = join(__dirname, 'minimal-proxy.js');
export const STACK_FLOOR_PROCESS = join(__dirname, 'stack-floor.js');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

export interface RunningPostgres {
  url: string;
  adminUrl: string;
  stop(): Promise<void>;
}

interface DatabaseLib {
  startEmbeddedPostgres(opts: {
    dataDir: string;
    port: number;
    database: string;
    onLog?: (line: string) => void;
  }): Promise<RunningPostgres>;
  findFreePort(): Promise<number>;
}

interface CommonLib {
  SecretCipher: new (currentKey: Buffer) => {
    decrypt(sealed: string, at: { table: string; column: string; row: string }): string;
    encrypt(plaintext: string, at: { table: string; column: string; row: string }): string;
  };
}

interface WeChatLib {
  WeChatMessageCrypto: new (opts: { token: string; encodingAESKey: string; appId: string }) => {
    encrypt(message: string): string;
    sign(timestamp: string, nonce: string, encrypt: string): string;
  };
  buildWeChatXml(fields: Record<string, string | number>): string;
}

function load<T>(rel: string): T {
  const file = join(DIST, rel);
  if (!existsSync(`${file}.js`) && !existsSync(join(file, 'index.js'))) {
    throw new Error(`${file} is missing: run the benchmarks with "npm run bench", which builds the gateway first`);
  }
  return require(file) as T;
}

export const database = () => load<DatabaseLib>('libs/database/src');
export const common = () => load<CommonLib>('libs/common/src');
export const wechat = () => load<WeChatLib>('libs/wechat/src');
