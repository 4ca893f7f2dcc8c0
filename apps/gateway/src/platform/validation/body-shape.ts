import { ValidationError } from '@app/common';

/** No request body of ours nests deeper than a few levels; 32 leaves room and keeps recursion in class-transformer shallow. */
export const MAX_BODY_DEPTH = 32;

/**
 * How deeply `value` nests, counted without recursion (a hostile body must not overflow our stack
 * either); stops counting once past `limit`.
 */
export function exceedsDepth(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    // Bytes (a raw body) are a leaf: walking a Buffer's values would visit every byte.
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The error a JSON body nested deeper than MAX_BODY_DEPTH answers (undefined when it does not). */
export function bodyTooDeep(body: unknown): ValidationError | undefined {
  if (body === null || typeof body !== 'object' || !exceedsDepth(body, MAX_BODY_DEPTH)) return undefined;
  return new ValidationError('The request is invalid.', {
    fields: [{ field: 'body', messages: [`the body nests deeper than ${MAX_BODY_DEPTH} levels`] }],
  });
}
