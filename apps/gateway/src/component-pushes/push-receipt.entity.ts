import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One row per accepted push (signature, timestamp, nonce): a replay is answered but not processed again. */
@Entity({ name: 'component_push_receipts' })
@Index('component_push_receipts_received_idx', ['receivedAt'])
export class PushReceiptEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'component_push_receipts_pkey', name: 'msg_signature', type: 'varchar', length: 64 })
  msgSignature: string;

  @PrimaryColumn({ primaryKeyConstraintName: 'component_push_receipts_pkey', type: 'varchar', length: 20 })
  timestamp: string;

  @PrimaryColumn({ primaryKeyConstraintName: 'component_push_receipts_pkey', type: 'varchar', length: 64 })
  nonce: string;

  @Column({ name: 'info_type', type: 'varchar', length: 64, nullable: true })
  infoType: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}
