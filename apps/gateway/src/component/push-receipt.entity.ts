import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per accepted push (signature, timestamp, nonce): a replay is answered but not processed again. */
@Entity({ name: 'component_push_receipts' })
export class PushReceiptEntity {
  @PrimaryColumn({ name: 'msg_signature', type: 'varchar', length: 64 })
  msgSignature: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  timestamp: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  nonce: string;

  @Column({ name: 'info_type', type: 'varchar', length: 64, nullable: true })
  infoType: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
