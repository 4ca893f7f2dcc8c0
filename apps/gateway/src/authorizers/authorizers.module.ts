import { Module } from '@nestjs/common';
import { ComponentModule } from '../component/component.module';
import { AuthorizersService } from './authorizers.service';

@Module({ imports: [ComponentModule], providers: [AuthorizersService], exports: [AuthorizersService] })
export class AuthorizersModule {}
