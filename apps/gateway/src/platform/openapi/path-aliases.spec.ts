import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Controller, Get, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiOperation, ApiParam, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ApiPathAliases, documentPathAliases } from './path-aliases';

@Controller(['v1/things', 'v1/owners/:ownerId/things'])
@ApiParam({ name: 'ownerId', format: 'uuid' })
class ThingsController {
  @Post()
  @ApiOperation({ summary: 'Create a shared thing' })
  @ApiPathAliases({
    'v1/things': { operationId: 'SharedThings_create' },
    'v1/owners/:ownerId/things': { operationId: 'OwnedThings_create', summary: 'Create an owner’s thing' },
  })
  create(): void {}

  @Get(':thingId')
  @ApiOperation({ summary: 'One thing' })
  @ApiPathAliases({
    'v1/things': { operationId: 'SharedThings_get' },
    'v1/owners/:ownerId/things': { operationId: 'OwnedThings_get' },
  })
  get(@Param('thingId') _thingId: string): void {}
}

@Controller('v1/others')
class OthersController {
  @Get()
  list(): void {}
}

@Module({ controllers: [OthersController, ThingsController] })
class DocumentedModule {}

type Op = { operationId: string; summary?: string; parameters?: { name: string; in: string }[] } & Record<string, unknown>;

describe('documentPathAliases', () => {
  let raw: OpenAPIObject;
  beforeAll(async () => {
    const app = await NestFactory.create(DocumentedModule, new FastifyAdapter(), { logger: false });
    raw = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    await app.close();
  });
  const fresh = () => structuredClone(raw);
  const op = (doc: OpenAPIObject, path: string, method: 'get' | 'post') => doc.paths[path][method] as unknown as Op;

  it('gives each path of a handler its own operation id and summary, and no alias extension', () => {
    const doc = documentPathAliases(fresh());
    expect(op(doc, '/v1/things', 'post')).toMatchObject({ operationId: 'SharedThings_create', summary: 'Create a shared thing' });
    expect(op(doc, '/v1/owners/{ownerId}/things', 'post')).toMatchObject({
      operationId: 'OwnedThings_create',
      summary: 'Create an owner’s thing',
    });
    expect(op(doc, '/v1/owners/{ownerId}/things/{thingId}', 'get')).toMatchObject({
      operationId: 'OwnedThings_get',
      summary: 'One thing',
    });
    expect(op(doc, '/v1/others', 'get').operationId).toBe('OthersController_list');
    expect(JSON.stringify(doc)).not.toContain('x-path-aliases');
  });

  it('keeps a path parameter on the paths that carry it only', () => {
    const doc = documentPathAliases(fresh());
    const names = (path: string, method: 'get' | 'post') => (op(doc, path, method).parameters ?? []).map((p) => p.name).sort();
    expect(names('/v1/things', 'post')).toEqual([]);
    expect(names('/v1/things/{thingId}', 'get')).toEqual(['thingId']);
    expect(names('/v1/owners/{ownerId}/things', 'post')).toEqual(['ownerId']);
    expect(names('/v1/owners/{ownerId}/things/{thingId}', 'get')).toEqual(['ownerId', 'thingId']);
  });

  it('lists the first path’s operations, then the next path’s, where the aliased paths stood', () => {
    expect(Object.keys(documentPathAliases(fresh()).paths)).toEqual([
      '/v1/others',
      '/v1/things',
      '/v1/things/{thingId}',
      '/v1/owners/{ownerId}/things',
      '/v1/owners/{ownerId}/things/{thingId}',
    ]);
  });

  it('refuses an aliased operation whose path no alias names', () => {
    const doc = fresh();
    doc.paths['/v1/elsewhere'] = structuredClone(doc.paths['/v1/things']);
    expect(() => documentPathAliases(doc)).toThrow('POST /v1/elsewhere: no path alias documents it');
  });
});
