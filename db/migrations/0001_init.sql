-- The mail-flow store. Every table leads its keys with org_id, so the store can be distributed by
-- organization (see ARCHITECTURE.md). The organizations table is the tenant directory itself.

create table organizations (
    org_id bigint generated always as identity primary key,
    name text not null unique check (length(name) between 1 and 200),
    created_at timestamptz not null default now()
);

create table connectors (
    org_id bigint not null references organizations on delete cascade,
    connector_id bigint generated always as identity,
    name text not null check (length(name) between 1 and 200),
    direction text not null check (direction in ('inbound', 'outbound')),
    type text not null check (type in ('partner', 'on_premises')),
    forced_tls boolean not null default false,
    -- attribution rules for importers, kept as data: [{"kind": "ip", "value": "192.0.2.0/24"}, ...]
    rules jsonb not null default '[]',
    created_at timestamptz not null default now(),
    primary key (org_id, connector_id),
    unique (org_id, direction, name)
);

-- One row per message per direction. Partitioned by day of received_at (UTC) so that retention drops
-- whole partitions instead of deleting rows. A retry carries the same received_at, so the primary key
-- (which must include the partition column) makes it a duplicate.
create table messages (
    org_id bigint not null,
    direction text not null check (direction in ('inbound', 'outbound')),
    message_id text not null,
    received_at timestamptz not null,
    connector_id bigint,  -- null: the internet without a connector
    tls_bucket text not null check (tls_bucket in ('none', 'TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3', 'unknown')),
    tls_protocol text,
    cipher text,
    sender_domain text,
    recipient_domain text,
    remote_host text,
    remote_ip inet,
    size_bytes bigint,
    status text,
    primary key (org_id, direction, message_id, received_at)
) partition by range (received_at);

-- Hourly rollups, maintained in the same transaction as the messages they count. Every report reads
-- these. connector_id 0 stands for the internet without a connector. One row per hour, direction and
-- connector with a column per TLS bucket: reports aggregate a sixth of the rows they would with a
-- row per bucket.
create table hourly_rollups (
    org_id bigint not null,
    hour timestamptz not null,
    direction text not null,
    connector_id bigint not null,
    messages bigint not null,  -- every bucket
    no_tls bigint not null,
    tls10 bigint not null,
    tls11 bigint not null,
    tls12 bigint not null,
    tls13 bigint not null,
    unknown bigint not null,
    bytes bigint not null,
    primary key (org_id, hour, direction, connector_id)
);

-- Creates the missing day partitions of messages for the given UTC days. Takes a lock only when a
-- partition is missing, so concurrent ingests do not serialise on it.
create function ensure_message_partitions(days date[]) returns integer
language plpgsql as $$
declare
    d date;
    created integer := 0;
    part text;
begin
    foreach d in array days loop
        part := 'messages_' || to_char(d, 'YYYYMMDD');
        if to_regclass(part) is null then
            perform pg_advisory_xact_lock(hashtext('mailflow.message_partitions'));
            begin
                execute format(
                    'create table %I partition of messages for values from (%L) to (%L)',
                    part, (d::timestamp at time zone 'UTC'), ((d + 1)::timestamp at time zone 'UTC'));
                created := created + 1;
            exception when duplicate_table or unique_violation then
                null;  -- another transaction created it first
            end;
        end if;
    end loop;
    return created;
end;
$$;

-- Drops the day partitions that end before the cutoff; returns how many it dropped.
create function drop_message_partitions_before(cutoff timestamptz) returns integer
language plpgsql as $$
declare
    part record;
    dropped integer := 0;
begin
    for part in
        select c.relname
        from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent
        where p.relname = 'messages'
          and c.relname ~ '^messages_\d{8}$'
          and (to_date(substr(c.relname, 10), 'YYYYMMDD') + 1)::timestamp at time zone 'UTC' <= cutoff
    loop
        execute format('drop table %I', part.relname);
        dropped := dropped + 1;
    end loop;
    return dropped;
end;
$$;
