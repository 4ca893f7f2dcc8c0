import { existsSync } from 'node:fs';
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
export const SIM_PROCESS = join(__dirname, 'sim-process.js');
export const MINIMAL_PROXY_PROCESS = join(__dirname, 'minimal-proxy.js');
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
  SecretCipher: new (currentKey: Buffer) => { decrypt(sealed: string): string; encrypt(plaintext: string): string };
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
