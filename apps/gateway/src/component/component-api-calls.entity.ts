import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Calls the component made to WeChat on its own quota, per China-time day and API (the budget /v1/component/status shows). */
@Entity({ name: 'component_api_calls' })
export class ComponentApiCallsEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'component_api_calls_pkey', type: 'date' })
  day: string;

  @PrimaryColumn({ primaryKeyConstraintName: 'component_api_calls_pkey', type: 'varchar', length: 64 })
  api: string;

  @Column({ type: 'integer', default: 0 })
  calls: number;
}
