#!/usr/bin/env node
// Runs before `npm start` builds anything: a gateway already running on this data directory
// keeps its dist/ and its PostgreSQL. Reads the lock apps/gateway/src/sandbox/instance-lock.ts
// writes (keep the two in step); plain JavaScript because dist/ may not exist yet.
'use strict';
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const dataDir = resolve(process.env.GATEWAY_DATA_DIR?.trim() || join(process.cwd(), '.data'));
let lock;
try {
  lock = JSON.parse(readFileSync(join(dataDir, 'gateway.lock'), 'utf8'));
} catch {
  process.exit(0); // no lock: nothing runs here
}
let alive = false;
try {
  process.kill(lock.pid, 0);
  alive = true;
} catch (e) {
  alive = e.code === 'EPERM';
}
if (alive) {
  try {
    alive = readFileSync(`/proc/${lock.pid}/cmdline`, 'utf8').includes('node');
  } catch {
    /* no /proc: a live pid is taken at its word */
  }
}
if (alive && Number.isInteger(lock.pid) && typeof lock.url === 'string') {
  process.stderr.write(
    `The gateway is already running at ${lock.url} (pid ${lock.pid}); \`npm run sandbox:info\` shows its banner; stop it with Ctrl-C.\n`,
  );
  process.exit(1);
}
