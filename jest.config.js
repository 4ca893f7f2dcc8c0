/** Unit specs sit beside the code; end-to-end suites live in test/. Both run against a real PostgreSQL. */
const moduleNameMapper = {
  '^@app/wechat-sim(|/.*)$': '<rootDir>/libs/wechat-sim/src$1',
  '^@app/wechat(|/.*)$': '<rootDir>/libs/wechat/src$1',
  '^@app/common(|/.*)$': '<rootDir>/libs/common/src$1',
  '^@app/database(|/.*)$': '<rootDir>/libs/database/src$1',
  '^@app/client(|/.*)$': '<rootDir>/libs/client/src$1',
};
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
  moduleNameMapper,
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  // Suites that measure latency run afterwards on their own (jest.alone.config.js), so the
  // suites running beside them cannot stretch what they measure.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/alone/'],
};
