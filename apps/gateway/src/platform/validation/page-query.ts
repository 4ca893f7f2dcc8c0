import { applyDecorators, type Type } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformTo } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { NoControlCharacters } from './no-control-characters';

/** `?limit=&cursor=` of a list; a list with filters extends its page query with them. */
export interface PageParams {
  limit?: number;
  cursor?: string;
}

export interface PageQueryOptions {
  /** The largest page a caller may ask for. */
  maxLimit: number;
  /** The page when the caller names none (the service applies it; the document shows it). */
  defaultLimit: number;
  /** The kind of cursor the list hands out (page-cursor.ts): keyset ones are JSON, sequence ones short. */
  cursor: 'keyset' | 'sequence';
}

const CURSOR_DESCRIPTION = 'Opaque cursor from the previous page’s nextCursor.';

// applyDecorators applies in array order; stacked decorators apply bottom-up. These lists are
// the old stacks reversed, so constraints register (and their messages list) in the same order.
const limitRules = ({ maxLimit, defaultLimit }: PageQueryOptions) =>
  applyDecorators(
    Max(maxLimit),
    Min(1),
    IsInt(),
    TransformTo(() => Number),
    IsOptional(),
    ApiPropertyOptional({ minimum: 1, maximum: maxLimit, default: defaultLimit }),
  );

const CURSOR_RULES = {
  // A keyset cursor's text is JSON; the codec refuses anything it did not write.
  keyset: () =>
    applyDecorators(
      NoControlCharacters(),
      MaxLength(512),
      IsString(),
      IsOptional(),
      ApiPropertyOptional({ description: CURSOR_DESCRIPTION }),
    ),
  sequence: () =>
    applyDecorators(
      Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'cursor is not valid' }),
      IsString(),
      IsOptional(),
      ApiPropertyOptional({ description: CURSOR_DESCRIPTION }),
    ),
};

/**
 * The one page query of the API's lists: `limit` (1 to `maxLimit`) and an opaque `cursor`,
 * validated like every query DTO (VALIDATION_FAILED naming the field). Use it as the query's type
 * (`@Query() query: AuditPageQuery` with `class AuditPageQuery extends PageQuery({…}) {}`), and
 * add a list's filters in the subclass.
 */
export function PageQuery(options: PageQueryOptions): Type<PageParams> {
  const limit = limitRules(options);
  const cursor = CURSOR_RULES[options.cursor]();
  // Each kind keeps the order its lists have always documented and validated the two in.
  if (options.cursor === 'keyset') {
    class KeysetPageQuery implements PageParams {
      @limit limit?: number;
      @cursor cursor?: string;
    }
    return KeysetPageQuery;
  }
  class SequencePageQuery implements PageParams {
    @cursor cursor?: string;
    @limit limit?: number;
  }
  return SequencePageQuery;
}
