-- $1 org_id bigint, $2 message_ids text[], $3 received_at timestamptz[], $4 directions text[],
-- $5 connector_ids bigint[], $6 tls_buckets text[], $7 tls_protocols text[], $8 ciphers text[],
-- $9 sender_domains text[], $10 recipient_domains text[], $11 remote_hosts text[], $12 remote_ips inet[],
-- $13 sizes bigint[], $14 statuses text[]
-- Inserts new messages, skips ones already stored, and adds exactly the inserted ones to the hourly
-- rollups, all in this one statement (one transaction). Returns how many were inserted.
with inserted as (
    insert into messages (
        org_id, message_id, received_at, direction, connector_id, tls_bucket, tls_protocol, cipher,
        sender_domain, recipient_domain, remote_host, remote_ip, size_bytes, status
    )
    select $1, m.*
    from unnest(
        $2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[],
        $9::text[], $10::text[], $11::text[], $12::inet[], $13::bigint[], $14::text[]
    ) as m (message_id, received_at, direction)
    -- key order: concurrent batches that share messages then wait on each other instead of deadlocking
    order by m.direction, m.message_id, m.received_at
    on conflict do nothing
    returning received_at, direction, connector_id, tls_bucket, size_bytes
),
rolled as (
    insert into hourly_rollups as r (org_id, hour, direction, connector_id, tls_bucket, messages, bytes)
    select $1, date_trunc('hour', i.received_at, 'UTC'), i.direction, coalesce(i.connector_id, 0), i.tls_bucket,
           count(*), coalesce(sum(i.size_bytes), 0)
    from inserted i
    group by 2, 3, 4, 5
    order by 2, 3, 4, 5  -- a fixed key order, so concurrent batches cannot deadlock on rollup rows
    on conflict (org_id, hour, direction, connector_id, tls_bucket)
    do update set messages = r.messages + excluded.messages, bytes = r.bytes + excluded.bytes
    returning 1
)
select count(*) from inserted
