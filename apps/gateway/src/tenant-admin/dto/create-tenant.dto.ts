import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { NoControlCharacters } from '../../platform/validation/no-control-characters';

export class CreateTenantDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Acme Coffee' })
  @IsString()
  @Length(1, 100)
  @NoControlCharacters()
  name: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 128, description: 'Your own id for this merchant; unique among live tenants.' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  @NoControlCharacters()
  externalId?: string;
}
