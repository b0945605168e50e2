-- $1 org_id bigint
-- The exact way, for a request of which some records are stored already (a retry) or were staged twice (those
-- delete_repeated_staged_messages removed first): inserts the staged records not stored yet into messages, and
-- removes every other one from the session's message_staging table, so that the rollups that follow
-- (add_staged_to_rollups) count exactly the inserted ones.
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
    returning direction, message_id, received_at
)
delete from message_staging s
where not exists (
    select
    from inserted i
    where i.direction = s.direction and i.message_id = s.message_id and i.received_at = s.received_at
)
