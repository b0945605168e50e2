-- $1 org_id bigint
-- Moves the rows just copied into the session's message_staging table into messages, skipping the ones
-- already stored, and adds exactly the inserted ones to the hourly, daily, remote-party daily and transit daily
-- rollups, and bumps the organization's data generation (when anything was inserted), all in this one
-- statement.
-- Returns how many were inserted.
with inserted as (
    insert into messages (
        org_id, message_id, received_at, direction, connector_id, tls_bucket, tls_protocol, cipher,
        sender_domain, recipient_domain, remote_host, server_domain, remote_ip, size_bytes, status, tls_security,
        blocked_reason
    )
    select $1, s.message_id, s.received_at, s.direction, s.connector_id, s.tls_bucket, s.tls_protocol, s.cipher,
           s.sender_domain, s.recipient_domain, s.remote_host, s.server_domain, s.remote_ip::inet, s.size_bytes,
           s.status, s.tls_security, s.blocked_reason
    from message_staging s
    -- key order: concurrent batches that share messages then wait on each other instead of deadlocking
    order by s.direction, s.message_id, s.received_at
    on conflict do nothing
    returning received_at, direction, connector_id, tls_bucket, size_bytes, sender_domain, recipient_domain,
              server_domain, tls_security, blocked_reason
),
hours as (
    select date_trunc('hour', i.received_at, 'UTC') as hour, i.direction, coalesce(i.connector_id, 0) as connector_id,
           count(*) as messages,
           count(*) filter (where i.tls_bucket = 'none') as no_tls,
           count(*) filter (where i.tls_bucket = 'TLS1.0') as tls10,
           count(*) filter (where i.tls_bucket = 'TLS1.1') as tls11,
           count(*) filter (where i.tls_bucket = 'TLS1.2') as tls12,
           count(*) filter (where i.tls_bucket = 'TLS1.3') as tls13,
           count(*) filter (where i.tls_bucket = 'unknown') as unknown,
           coalesce(sum(i.size_bytes), 0) as bytes
    from inserted i
    group by 1, 2, 3
),
hourly as (
    insert into hourly_rollups as r (
        org_id, hour, direction, connector_id, messages, no_tls, tls10, tls11, tls12, tls13, unknown, bytes
    )
    select $1, h.hour, h.direction, h.connector_id, h.messages, h.no_tls, h.tls10, h.tls11, h.tls12, h.tls13,
           h.unknown, h.bytes
    from hours h
    order by 2, 3, 4  -- a fixed key order, so concurrent batches cannot deadlock on rollup rows
    on conflict (org_id, hour, direction, connector_id) do update set
        messages = r.messages + excluded.messages,
        no_tls = r.no_tls + excluded.no_tls,
        tls10 = r.tls10 + excluded.tls10,
        tls11 = r.tls11 + excluded.tls11,
        tls12 = r.tls12 + excluded.tls12,
        tls13 = r.tls13 + excluded.tls13,
        unknown = r.unknown + excluded.unknown,
        bytes = r.bytes + excluded.bytes
    returning 1
),
daily as (
    insert into daily_rollups as r (
        org_id, day, direction, connector_id, messages, no_tls, tls10, tls11, tls12, tls13, unknown, bytes
    )
    select $1, (h.hour at time zone 'UTC')::date, h.direction, h.connector_id, sum(h.messages), sum(h.no_tls),
           sum(h.tls10), sum(h.tls11), sum(h.tls12), sum(h.tls13), sum(h.unknown), sum(h.bytes)
    from hours h
    group by 2, 3, 4
    order by 2, 3, 4
    on conflict (org_id, day, direction, connector_id) do update set
        messages = r.messages + excluded.messages,
        no_tls = r.no_tls + excluded.no_tls,
        tls10 = r.tls10 + excluded.tls10,
        tls11 = r.tls11 + excluded.tls11,
        tls12 = r.tls12 + excluded.tls12,
        tls13 = r.tls13 + excluded.tls13,
        unknown = r.unknown + excluded.unknown,
        bytes = r.bytes + excluded.bytes
    returning 1
),
remote as (
    -- the remote party: the sender's domain inbound, the recipient's outbound ('' not known; at most the
    -- 253 characters of a DNS name, so a key always fits the index); client submissions have none
    insert into remote_daily_rollups as r (
        org_id, direction, day, connector_id, domain, server_domain, messages, no_tls, tls10, tls11, tls12, tls13,
        unknown, bytes
    )
    select $1, i.direction, (i.received_at at time zone 'UTC')::date, coalesce(i.connector_id, 0),
           left(coalesce(case i.direction when 'inbound' then i.sender_domain else i.recipient_domain end, ''), 253),
           left(coalesce(i.server_domain, ''), 253),
           count(*),
           count(*) filter (where i.tls_bucket = 'none'),
           count(*) filter (where i.tls_bucket = 'TLS1.0'),
           count(*) filter (where i.tls_bucket = 'TLS1.1'),
           count(*) filter (where i.tls_bucket = 'TLS1.2'),
           count(*) filter (where i.tls_bucket = 'TLS1.3'),
           count(*) filter (where i.tls_bucket = 'unknown'),
           coalesce(sum(i.size_bytes), 0)
    from inserted i
    where i.direction <> 'submission'
    group by 2, 3, 4, 5, 6
    order by 2, 3, 4, 5, 6  -- a fixed key order, so concurrent batches cannot deadlock on rollup rows
    on conflict (org_id, direction, day, connector_id, domain, server_domain) do update set
        messages = r.messages + excluded.messages,
        no_tls = r.no_tls + excluded.no_tls,
        tls10 = r.tls10 + excluded.tls10,
        tls11 = r.tls11 + excluded.tls11,
        tls12 = r.tls12 + excluded.tls12,
        tls13 = r.tls13 + excluded.tls13,
        unknown = r.unknown + excluded.unknown,
        bytes = r.bytes + excluded.bytes
    returning 1
),
transit as (
    -- outbound deliveries per UTC day by transit security level; a blocked one counts apart
    insert into transit_daily_rollups as r (
        org_id, day, connector_id, dane, mta_sts, verified, opportunistic, no_tls, unknown, blocked
    )
    select $1, (i.received_at at time zone 'UTC')::date, coalesce(i.connector_id, 0),
           count(*) filter (where i.blocked_reason is null and i.tls_security = 'dane'),
           count(*) filter (where i.blocked_reason is null and i.tls_security = 'mta_sts'),
           count(*) filter (where i.blocked_reason is null and i.tls_security = 'verified'),
           count(*) filter (where i.blocked_reason is null and i.tls_security = 'opportunistic'),
           count(*) filter (where i.blocked_reason is null and i.tls_security = 'none'),
           count(*) filter (where i.blocked_reason is null and i.tls_security = 'unknown'),
           count(*) filter (where i.blocked_reason is not null)
    from inserted i
    where i.direction = 'outbound'
    group by 2, 3
    order by 2, 3  -- a fixed key order, so concurrent batches cannot deadlock on rollup rows
    on conflict (org_id, day, connector_id) do update set
        dane = r.dane + excluded.dane,
        mta_sts = r.mta_sts + excluded.mta_sts,
        verified = r.verified + excluded.verified,
        opportunistic = r.opportunistic + excluded.opportunistic,
        no_tls = r.no_tls + excluded.no_tls,
        unknown = r.unknown + excluded.unknown,
        blocked = r.blocked + excluded.blocked
    returning 1
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from inserted)
    on conflict (org_id) do update set generation = g.generation + 1
)
select count(*) from inserted
