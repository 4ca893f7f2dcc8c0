import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { sql } from '../platform/database/sql';
import { PushReceiptEntity } from './push-receipt.entity';

export interface PushReceipt {
  signature: string;
  timestamp: string;
  nonce: string;
}

/** component_push_receipts: one row per accepted push, so a replay is answered but not processed again. */
@Injectable()
export class PushReceiptsRepository {
  private readonly receipts: Repository<PushReceiptEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.receipts = dataSource.getRepository(PushReceiptEntity);
  }

  /** True for the first receipt of this (signature, timestamp, nonce); false for a replay. */
  async recordFirst(r: PushReceipt, infoType: string | null): Promise<boolean> {
    const { rows } = await sql(
      this.dataSource,
      `INSERT INTO component_push_receipts (msg_signature, timestamp, nonce, info_type) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [r.signature, r.timestamp, r.nonce, infoType],
    );
    return rows.length > 0;
  }

  /** Forgets a receipt so WeChat's retry of the same push is processed. */
  async forget(r: PushReceipt): Promise<void> {
    await this.receipts.delete({ msgSignature: r.signature, timestamp: r.timestamp, nonce: r.nonce });
  }

  /** Housekeeping: receipts older than a day can match no replay (the window is 300 s). */
  async deleteOlderThanOneDay(): Promise<number> {
    const { count } = await sql(
      this.dataSource,
      `DELETE FROM component_push_receipts WHERE received_at < now() - interval '1 day'`,
    );
    return count;
  }
}
