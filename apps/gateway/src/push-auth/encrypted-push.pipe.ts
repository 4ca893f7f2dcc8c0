import { Injectable, type PipeTransform } from '@nestjs/common';
import { parseWeChatXml } from '@app/wechat';
import { PushRejectedError } from './push-rejected.error';

/** A push body as WeChat sends it: the plain fields around `Encrypt` (AppId or ToUserName) and the ciphertext. */
export interface EncryptedPush {
  outer: Record<string, string>;
  encrypt: string;
}

/**
 * The body of both push URLs (the text parser hands it over as a string), read as WeChat's
 * envelope before anything else looks at it; a body that is not one is a PushRejectedError (401).
 */
@Injectable()
export class EncryptedPushPipe implements PipeTransform<unknown, EncryptedPush> {
  transform(body: unknown): EncryptedPush {
    if (typeof body !== 'string' || body.length === 0) throw new PushRejectedError('body is not XML');
    let outer: Record<string, string>;
    try {
      outer = parseWeChatXml(body);
    } catch {
      throw new PushRejectedError('body is not valid XML');
    }
    if (!outer.Encrypt) throw new PushRejectedError('Encrypt missing');
    return { outer, encrypt: outer.Encrypt };
  }
}
