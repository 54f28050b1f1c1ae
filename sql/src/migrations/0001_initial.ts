import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The whole data model of ARCHITECTURE.md. Enums are CHECK constraints (cheap to extend by a later
 * migration, unlike PostgreSQL enum types); exclusivity of leases lives in a partial unique index.
 */
export default Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.unsafe(`
create table org_units (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('organization', 'company', 'project_department')),
  parent_id uuid references org_units (id) on delete restrict,
  name text not null check (length(name) between 1 and 120),
  name_en text check (name_en is null or length(name_en) between 1 and 120),
  retired_at timestamptz,
  created_at timestamptz not null default now(),
  constraint org_units_root_is_organization check ((kind = 'organization') = (parent_id is null))
);
create index org_units_parent on org_units (parent_id);
create unique index org_units_sibling_name on org_units (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name)) where retired_at is null;

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null check (username ~ '^[a-zA-Z0-9][a-zA-Z0-9._-]{2,31}$'),
  display_name text not null check (length(display_name) between 1 and 80),
  email text,
  phone text,
  password_hash text not null,
  role text not null default 'user' check (role in ('user', 'admin')),
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'disabled')),
  status_reason text,
  org_unit_id uuid references org_units (id) on delete restrict,
  must_change_password boolean not null default false,
  -- bumped to revoke every token issued before (logout everywhere, disable, password or role change)
  token_version integer not null default 0,
  approved_by uuid references users (id) on delete set null,
  approved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_username_key on users (lower(username));
create index users_status on users (status, created_at);
create index users_org_unit on users (org_unit_id);

create table machines (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  mac text not null check (mac ~ '^([0-9a-f]{2}:){5}[0-9a-f]{2}$'),
  hostname text,
  public_key jsonb,
  key_thumbprint text,
  status text not null default 'pending' check (status in ('pending', 'approved', 'revoked')),
  requested_at timestamptz not null default now(),
  decided_at timestamptz,
  decided_by uuid references users (id) on delete set null,
  last_seen_at timestamptz
);
create unique index machines_user_mac on machines (user_id, mac);
create index machines_status on machines (status, requested_at);

create table slaves (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 120),
  host text not null,
  vh_port integer not null default 7575 check (vh_port between 1 and 65535),
  status text not null default 'offline' check (status in ('online', 'offline', 'decommissioned')),
  access_mode text not null default 'advisory' check (access_mode in ('enforced', 'advisory')),
  degraded boolean not null default false,
  last_seen_at timestamptz,
  last_report_seq bigint not null default 0,
  agent_version text,
  -- sha-256 of the slave's secret: compared in constant time, never bcrypt on the report path
  credential_hash text,
  credential_issued_at timestamptz,
  -- what the agent says identifies its machine, so re-enrollment keeps the slave's id
  machine_fingerprint text,
  labels jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index slaves_name_key on slaves (lower(name));
create unique index slaves_fingerprint_key on slaves (machine_fingerprint) where machine_fingerprint is not null;
create index slaves_status_last_seen on slaves (status, last_seen_at);

create table devices (
  id uuid primary key default gen_random_uuid(),
  slave_id uuid not null references slaves (id) on delete cascade,
  vh_address text not null,
  stable_key text not null,
  vendor_id text not null check (vendor_id ~ '^[0-9a-f]{4}$'),
  product_id text not null check (product_id ~ '^[0-9a-f]{4}$'),
  manufacturer text,
  product text,
  serial text,
  nickname text,
  tags text[] not null default '{}',
  bus_path text,
  speed text,
  state text not null default 'available' check (state in ('available', 'in_use', 'offline', 'removed')),
  bound_client text,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint devices_slave_stable_key unique (slave_id, stable_key)
);
create index devices_slave_state on devices (slave_id, state);
create index devices_state on devices (state);
create index devices_vendor_product on devices (vendor_id, product_id);

create table device_grants (
  id uuid primary key default gen_random_uuid(),
  device_id uuid references devices (id) on delete cascade,
  slave_id uuid references slaves (id) on delete cascade,
  user_id uuid references users (id) on delete cascade,
  org_unit_id uuid references org_units (id) on delete cascade,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint device_grants_one_target check (num_nonnulls(device_id, slave_id) = 1),
  constraint device_grants_one_subject check (num_nonnulls(user_id, org_unit_id) = 1)
);
create unique index device_grants_unique on device_grants (coalesce(device_id, slave_id), coalesce(user_id, org_unit_id));
create index device_grants_device on device_grants (device_id) where device_id is not null;
create index device_grants_slave on device_grants (slave_id) where slave_id is not null;

create table leases (
  id uuid primary key default gen_random_uuid(),
  device_id uuid not null references devices (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  machine_id uuid references machines (id) on delete set null,
  client_identity text not null,
  state text not null default 'pending' check (state in ('pending', 'active', 'suspended', 'ended')),
  started_at timestamptz not null default now(),
  expires_at timestamptz not null,
  suspended_at timestamptz,
  ended_at timestamptz,
  end_reason text check (end_reason in ('released', 'expired', 'device_removed', 'force_released', 'kicked', 'grace_expired', 'bind_failed', 'account_changed')),
  ended_by uuid references users (id) on delete set null,
  constraint leases_ended_consistently check ((state = 'ended') = (ended_at is not null) and (ended_at is null) = (end_reason is null))
);
-- exclusivity lives here, not in memory: two masters or two racing users can never both win
create unique index leases_one_open_per_device on leases (device_id) where ended_at is null;
create index leases_open_by_user on leases (user_id) where ended_at is null;
create index leases_open_by_expiry on leases (expires_at) where ended_at is null;
create index leases_device_history on leases (device_id, started_at desc);
create index leases_user_history on leases (user_id, started_at desc);

create table enrollment_tokens (
  id uuid primary key default gen_random_uuid(),
  token_hash text not null,
  label text not null,
  max_uses integer not null default 1 check (max_uses >= 1),
  uses integer not null default 0 check (uses >= 0),
  expires_at timestamptz not null,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create unique index enrollment_tokens_hash_key on enrollment_tokens (token_hash);

create table refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  family_id uuid not null,
  token_hash text not null,
  audience text not null check (audience in ('portal', 'client', 'admin')),
  machine_id uuid references machines (id) on delete cascade,
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz
);
create unique index refresh_tokens_hash_key on refresh_tokens (token_hash);
create index refresh_tokens_family on refresh_tokens (family_id);
create index refresh_tokens_user_live on refresh_tokens (user_id) where revoked_at is null;

create table device_events (
  id uuid primary key default gen_random_uuid(),
  device_id uuid not null references devices (id) on delete cascade,
  slave_id uuid not null references slaves (id) on delete cascade,
  kind text not null check (kind in ('added', 'removed', 'returned', 'changed', 'bound', 'unbound', 'offline', 'online')),
  details jsonb not null default '{}'::jsonb,
  at timestamptz not null default now()
);
create index device_events_device_time on device_events (device_id, at desc);

create table audit_log (
  id uuid primary key default gen_random_uuid(),
  at timestamptz not null default now(),
  actor_kind text not null check (actor_kind in ('user', 'admin', 'slave', 'system', 'anonymous')),
  actor_id text,
  actor_name text,
  action text not null,
  target_type text,
  target_id text,
  result text not null check (result in ('success', 'denied', 'failed')),
  source_ip text,
  details jsonb not null default '{}'::jsonb
);
create index audit_log_time on audit_log (at desc);
create index audit_log_actor_time on audit_log (actor_id, at desc);
create index audit_log_action_time on audit_log (action, at desc);
`)
)
