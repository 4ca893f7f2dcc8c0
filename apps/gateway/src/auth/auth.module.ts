import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';

/** Installs the API key guard on every route of the application. */
@Module({ providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }] })
export class AuthModule {}
