import { JobNotFoundError } from './blacklist-jobs.errors';
import { JobIdPipe } from './create-job-body.pipe';

describe('JobIdPipe', () => {
  it('lower-cases a UUID', async () => {
    await expect(new JobIdPipe().transform('0F8FAD5B-D9CB-469F-A165-70867728950E')).resolves.toBe(
      '0f8fad5b-d9cb-469f-a165-70867728950e',
    );
  });

  it.each(['nope', '', '0f8fad5b-d9cb-469f-a165', "1' OR 1=1"])('%j → 404 JOB_NOT_FOUND, not 400', async (value) => {
    await expect(new JobIdPipe().transform(value)).rejects.toBeInstanceOf(JobNotFoundError);
  });
});
