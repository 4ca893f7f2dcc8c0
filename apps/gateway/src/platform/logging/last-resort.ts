import { currentRequestId } from './request-context';

interface FatalLog {
  fatal(obj: Record<string, unknown>, msg: string): void;
}

/**
 * process.on('unhandledRejection'): a rejected promise nobody awaited is a bug, but one request's
 * bug must not end every other request (Node's default exits). Logged at fatal, with the request
 * id when the promise belonged to one, and the process keeps serving.
 */
export function lastResortRejectionHandler(log: FatalLog): (reason: unknown) => void {
  return (reason) => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    try {
      log.fatal(
        { requestId: currentRequestId(), errorName: err.name, err: err.message, stack: err.stack },
        'unhandled promise rejection; the process keeps running',
      );
    } catch {
      // Logging must not be what kills the process either.
    }
  };
}
