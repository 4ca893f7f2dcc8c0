import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { onCommit } from './transactions';

/** A committed row change: the table and the tenant it belongs to ('*': every tenant, after a TRUNCATE). */
export interface ChangeNotice {
  table: string;
  tenantId: string;
}

/** 'lost': the connection dropped, so changes may have been missed; everything copied must go. */
export type ChangeListener = (notice: ChangeNotice | 'lost') => void;

const CHANNEL = 'wtg_changes';
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

/**
 * The committed row changes PostgreSQL announces for the tables the per-process caches copy
 * (migration ChangeNotices1795631200000), on one LISTEN connection of its own outside the
 * request pool. Caches may keep copies only while `listening`: while the connection is down a
 * change could go unheard, so on loss every listener drops everything and nothing is cached
 * until it is back. Changes this instance makes are also announced to it by `changed`, at
 * once, so its own next request never reads its own stale copy.
 */
@Injectable()
export class ChangeNotices implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ChangeNotices.name);
  private readonly listeners = new Set<ChangeListener>();
  private client?: Client;
  private closed = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer?: NodeJS.Timeout;
  private _listening = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get listening(): boolean {
    return this._listening;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A change this instance made (or is about to commit): dropped here now, elsewhere on commit.
   * Made inside the transaction of `m`, it is announced here again once that commits: a read
   * that started between the two saw the row before the change and must not be kept.
   */
  changed(table: string, tenantId: string, m?: EntityManager): void {
    this.emit({ table, tenantId });
    onCommit(m, () => this.emit({ table, tenantId }));
  }

  /** Listens only where something is cached (a script like secrets:reseal caches nothing). */
  onApplicationBootstrap(): void {
    if (this.listeners.size > 0) void this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.setLost();
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const options = this.dataSource.options as { url?: string };
    const client = new Client({ connectionString: options.url, application_name: 'wtg-change-notices' });
    this.client = client;
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      const at = n.payload.indexOf(':');
      if (at > 0) this.emit({ table: n.payload.slice(0, at), tenantId: n.payload.slice(at + 1) });
    });
    const lost = (why: string) => {
      if (this.client !== client) return;
      this.client = undefined;
      if (this._listening) this.logger.warn({ err: why }, 'change notices connection lost; caches are off until it is back');
      this.setLost();
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', (e) => lost(e.message));
    client.on('end', () => lost('connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.client !== client || this.closed) return;
      this._listening = true;
      this.reconnectDelay = RECONNECT_MIN_MS;
    } catch (e) {
      lost((e as Error).message);
    }
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }

  private setLost(): void {
    this._listening = false;
    this.emit('lost');
  }

  private emit(notice: ChangeNotice | 'lost'): void {
    for (const listener of this.listeners) listener(notice);
  }
}
