import { Column, Entity, PrimaryColumn } from 'typeorm';

/** WeChat calls per hour, API and outcome (wechat-call-counts.ts writes them; the console's chart reads them). */
@Entity({ name: 'wechat_call_counts' })
export class WeChatCallCountsEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'wechat_call_counts_pkey', type: 'timestamptz', precision: 0 })
  hour: Date;

  @PrimaryColumn({ primaryKeyConstraintName: 'wechat_call_counts_pkey', type: 'varchar', length: 64 })
  api: string;

  @PrimaryColumn({ primaryKeyConstraintName: 'wechat_call_counts_pkey', type: 'varchar', length: 32 })
  outcome: string;

  @Column({ type: 'integer', default: 0 })
  calls: number;
}
