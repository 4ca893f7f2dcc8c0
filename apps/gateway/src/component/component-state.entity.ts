import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The component's own credentials: the latest verify ticket and the component access token (both encrypted). */
@Entity({ name: 'component_state' })
export class ComponentStateEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'component_state_pkey', name: 'component_app_id', type: 'varchar', length: 64 })
  componentAppId: string;

  // Sealed by ComponentStateRepository with the app's SecretCipher (no column transformer: the
  // key belongs to the app instance, not to the process).
  @Column({ type: 'text', nullable: true, select: false })
  ticket: string | null;

  /** WeChat's CreateTime (unix seconds) of the stored ticket: an older push never replaces it. */
  @Column({ name: 'ticket_create_time', type: 'bigint', nullable: true })
  ticketCreateTime: string | null;

  @Column({ name: 'ticket_received_at', type: 'timestamptz', nullable: true })
  ticketReceivedAt: Date | null;

  @Column({ name: 'access_token', type: 'text', nullable: true, select: false })
  accessToken: string | null;

  @Column({ name: 'access_token_expires_at', type: 'timestamptz', nullable: true })
  accessTokenExpiresAt: Date | null;

  /** Last api_start_push_ticket, shared by all instances so WeChat is asked at most once per 10 minutes. */
  @Column({ name: 'push_ticket_requested_at', type: 'timestamptz', nullable: true })
  pushTicketRequestedAt: Date | null;

  /** When component.ticket_stale went out for the current ticket; the next ticket clears it, so it goes out once per gap. */
  @Column({ name: 'ticket_stale_reported_at', type: 'timestamptz', nullable: true })
  ticketStaleReportedAt: Date | null;

  /** Last renewal because WeChat rejected an authorizer token early (at most one per 10 minutes across instances). */
  @Column({ name: 'token_early_renewed_at', type: 'timestamptz', nullable: true })
  tokenEarlyRenewedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
