import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * What the fleet's ingestion needs beyond the initial model: the hash of each slave's last written
 * inventory (an unchanged report then costs no device writes), what its VirtualHere server says
 * about itself, and when it was decommissioned.
 */
export default Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.unsafe(`
alter table slaves add column inventory_hash text;
alter table slaves add column vh_server_name text;
alter table slaves add column vh_server_version text;
alter table slaves add column vh_licensed boolean not null default false;
alter table slaves add column vh_max_devices integer;
alter table slaves add column decommissioned_at timestamptz;
alter table devices add column device_class text;
create index devices_last_seen on devices (last_seen_at);
create index device_events_slave_time on device_events (slave_id, at desc);
create index enrollment_tokens_live on enrollment_tokens (expires_at) where revoked_at is null;
`)
)
