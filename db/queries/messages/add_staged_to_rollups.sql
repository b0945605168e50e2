-- $1 org_id bigint
-- Adds every row of the session's message_staging table to the hourly, daily, remote-party daily and transit
-- daily rollups, and bumps the organization's data generation (when there is any row), in this one statement.
-- Only the messages just inserted are left there (db/messages.py): each is counted once.
-- One pass over the rows: `fine` counts them per UTC hour and every property a rollup keys or counts on (mail
-- repeats its parties and versions, so there are far fewer groups than rows), and each rollup sums those groups.
-- Returns how many rows were added.
with fine as materialized (
    select date_bin('1 hour', s.received_at, timestamptz '2000-01-01 00:00:00+00') as hour, s.direction,
           coalesce(s.connector_id, 0) as connector_id, s.tls_bucket,
           -- the remote party: the sender's domain inbound, the recipient's outbound ('' not known; at most the
           -- 253 characters of a DNS name, so a key always fits the index); client submissions have none
           left(coalesce(case s.direction when 'inbound' then s.sender_domain
                                          when 'outbound' then s.recipient_domain end, ''), 253) as domain,
           left(coalesce(s.server_domain, ''), 253) as server_domain,
           s.tls_security, s.blocked_reason is not null as blocked,
           count(*) as messages, coalesce(sum(s.size_bytes), 0) as bytes
    from message_staging s
    group by 1, 2, 3, 4, 5, 6, 7, 8
),
hours as (
    select f.hour, f.direction, f.connector_id, sum(f.messages) as messages,
           sum(case when f.tls_bucket = 'none' then f.messages else 0 end) as no_tls,
           sum(case when f.tls_bucket = 'TLS1.0' then f.messages else 0 end) as tls10,
           sum(case when f.tls_bucket = 'TLS1.1' then f.messages else 0 end) as tls11,
           sum(case when f.tls_bucket = 'TLS1.2' then f.messages else 0 end) as tls12,
           sum(case when f.tls_bucket = 'TLS1.3' then f.messages else 0 end) as tls13,
           sum(case when f.tls_bucket = 'unknown' then f.messages else 0 end) as unknown,
           sum(f.bytes) as bytes
    from fine f
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
    insert into remote_daily_rollups as r (
        org_id, direction, day, connector_id, domain, server_domain, messages, no_tls, tls10, tls11, tls12, tls13,
        unknown, bytes
    )
    select $1, f.direction, (f.hour at time zone 'UTC')::date, f.connector_id, f.domain, f.server_domain,
           sum(f.messages),
           sum(case when f.tls_bucket = 'none' then f.messages else 0 end),
           sum(case when f.tls_bucket = 'TLS1.0' then f.messages else 0 end),
           sum(case when f.tls_bucket = 'TLS1.1' then f.messages else 0 end),
           sum(case when f.tls_bucket = 'TLS1.2' then f.messages else 0 end),
           sum(case when f.tls_bucket = 'TLS1.3' then f.messages else 0 end),
           sum(case when f.tls_bucket = 'unknown' then f.messages else 0 end),
           sum(f.bytes)
    from fine f
    where f.direction <> 'submission'
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
    select $1, (f.hour at time zone 'UTC')::date, f.connector_id,
           sum(case when not f.blocked and f.tls_security = 'dane' then f.messages else 0 end),
           sum(case when not f.blocked and f.tls_security = 'mta_sts' then f.messages else 0 end),
           sum(case when not f.blocked and f.tls_security = 'verified' then f.messages else 0 end),
           sum(case when not f.blocked and f.tls_security = 'opportunistic' then f.messages else 0 end),
           sum(case when not f.blocked and f.tls_security = 'none' then f.messages else 0 end),
           sum(case when not f.blocked and f.tls_security = 'unknown' then f.messages else 0 end),
           sum(case when f.blocked then f.messages else 0 end)
    from fine f
    where f.direction = 'outbound'
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
    select $1, 1 where exists (select from fine)
    on conflict (org_id) do update set generation = g.generation + 1
)
select coalesce(sum(f.messages), 0) from fine f
