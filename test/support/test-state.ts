import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestDatabaseState {
  adminUrl: string;
  template: string;
  created: string[];
}

export const TEST_STATE_FILE = join(tmpdir(), 'wtg-test-state.json');
