/** The latency-measuring suites of test/alone/, one at a time, after the rest (see jest.config.js). */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/alone'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
};
