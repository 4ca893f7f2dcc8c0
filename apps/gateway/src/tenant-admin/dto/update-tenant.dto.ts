import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';
import { OptionalNotNull } from '../../platform/validation/optional-not-null';

export class UpdateTenantDto {
  @ApiPropertyOptional({
    type: [String],
    maxItems: 50,
    example: ['https://h5.merchant.example'],
    description:
      'Origins (`scheme://host[:port]`, no path; https only in production) a web-authorization returnUrl may point at; replaces the list',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  webOAuthOrigins?: string[];
}
