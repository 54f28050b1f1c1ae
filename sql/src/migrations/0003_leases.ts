import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Everything the lease flow needs beyond the initial table: the one-time bind password's hash, the
 * client's keep-alives (so a lost network is noticed and forgiven for a grace period), why a lease
 * is suspended and what it was before, expiry warnings, the waitlist and release requests.
 */
export default Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.unsafe(`
alter table leases add column bind_password_md5 text;
alter table leases add column last_client_seen_at timestamptz;
alter table leases add column suspended_reason text check (suspended_reason in ('slave_offline', 'client_lost'));
alter table leases add column resume_state text check (resume_state in ('pending', 'active'));
alter table leases add column warned_at timestamptz;
alter table leases alter column client_identity drop not null;
create index leases_open_active on leases (last_client_seen_at) where ended_at is null and state = 'active';

create table lease_waitlist (
  id uuid primary key default gen_random_uuid(),
  device_id uuid not null references devices (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  state text not null default 'waiting' check (state in ('waiting', 'offered', 'claimed', 'cancelled', 'expired')),
  queued_at timestamptz not null default now(),
  offered_at timestamptz,
  claim_expires_at timestamptz
);
create unique index lease_waitlist_one_live_entry on lease_waitlist (device_id, user_id) where state in ('waiting', 'offered');
create index lease_waitlist_device_order on lease_waitlist (device_id, queued_at) where state in ('waiting', 'offered');
create index lease_waitlist_user on lease_waitlist (user_id) where state in ('waiting', 'offered');

create table release_requests (
  id uuid primary key default gen_random_uuid(),
  lease_id uuid not null references leases (id) on delete cascade,
  requested_by uuid not null references users (id) on delete cascade,
  message text not null default '',
  requested_at timestamptz not null default now(),
  declined_at timestamptz
);
create index release_requests_lease on release_requests (lease_id, requested_at desc);
`)
)
