import { randomBytes } from 'node:crypto';
import { WeChatApiError } from '../errors';
import type { ApiCall, ApiRoute } from './route';

const MEDIA_TYPES = ['image', 'voice', 'video', 'thumb'];

interface FilePart {
  name: string;
  data: Buffer;
}

/** The parts of a multipart/form-data body (enough of RFC 7578 for WeChat's one-file uploads). */
function multipartParts(call: ApiCall): FilePart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(call.contentType ?? '');
  if (!/^multipart\/form-data/i.test(call.contentType ?? '') || !boundary) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: FilePart[] = [];
  let at = call.raw.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (call.raw.subarray(start, start + 2).toString() === '--') break;
    const next = call.raw.indexOf(delimiter, start);
    if (next === -1) break;
    // Each part: CRLF, headers, CRLF CRLF, data, CRLF, then the next delimiter.
    const part = call.raw.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const headers = part.subarray(0, split).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) parts.push({ name, data: part.subarray(split + 4) });
    }
    at = next;
  }
  return parts;
}

/** Temporary media (cgi-bin/media/upload): multipart with the file in field `media`. */
export function mediaRoutes(): ApiRoute[] {
  return [
    {
      name: 'media/upload',
      auth: { param: 'access_token', kinds: ['authorizer'] },
      permissionSets: [11],
      body: 'multipart',
      handle(call) {
        const type = call.query.type;
        if (typeof type !== 'string' || !MEDIA_TYPES.includes(type)) throw new WeChatApiError(40004);
        const media = multipartParts(call).find((p) => p.name === 'media');
        if (!media || media.data.length === 0) throw new WeChatApiError(41005);
        return {
          type,
          media_id: `sim_${randomBytes(12).toString('base64url')}`,
          created_at: call.sim.clock.nowSec(),
        };
      },
    },
  ];
}
