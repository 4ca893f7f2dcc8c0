import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Mirrors migrations/1795630400000-MessageReceipts.ts exactly; the schema changes only through migrations. */
@Entity({ name: 'wechat_message_receipts' })
@Index('wechat_message_receipts_received_idx', ['receivedAt'])
export class MessageReceiptEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'wechat_message_receipts_pkey', name: 'app_id', type: 'varchar', length: 64 })
  appId: string;

  @PrimaryColumn({ primaryKeyConstraintName: 'wechat_message_receipts_pkey', name: 'message_key', type: 'varchar', length: 128 })
  messageKey: string;

  /** Exactly what WeChat was answered, so a retry gets the same bytes. */
  @Column({ type: 'text' })
  answer: string;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}
