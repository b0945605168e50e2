-- $1 org_id bigint, $2 part integer
-- Inserts one part of a request, just copied into the session's message_staging table, into messages: every
-- record of it, or none when one of them is stored already (a retried batch) or staged twice, which the primary
-- key refuses (unique_violation); the caller then stores the request the exact way (keep_new_staged_messages).
-- A plain insert, without ON CONFLICT's check before each row or a sort: it costs about what COPY into messages
-- costs (bench/RESULTS.md, issue 22). The rollups follow once per request (add_staged_to_rollups), so no rollup
-- row is locked before the request's end. Returns how many were inserted.
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
    where s.part = $2
    returning 1  -- on Citus, an INSERT ... SELECT without RETURNING goes by COPY, which row-level security refuses
)
select count(*) from inserted
