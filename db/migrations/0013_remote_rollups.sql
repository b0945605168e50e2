-- Who is at the other end: a daily rollup per organization, direction, connector and remote party, beside the
-- hourly and daily ones and filled by the same ingest statement (db/queries/messages/insert_staged_messages.sql),
-- so a retried batch adds nothing and the data generation is bumped by that statement's hourly rollup write.
--
-- The remote party is the sender's domain for inbound mail, the recipient's domain for outbound mail, each
-- with the remote server's registrable domain (the application computes it from the host name with the
-- Public Suffix List, core/domains.py, and stores it on the message). '' stands for "not known" (a null
-- sender, a host without a name). Client submissions have no remote party here: their onward delivery is
-- outbound mail.
--
-- Kept per UTC day: views count whole UTC days (each on the day of its noon). Every key leads with org_id.

alter table messages add column server_domain text;

create table remote_daily_rollups (
    org_id bigint not null,
    direction text not null,
    day date not null,  -- the UTC day
    connector_id bigint not null,  -- 0: the internet without a connector
    domain text not null,  -- the sender's (inbound) or recipient's (outbound) domain; '' not known
    server_domain text not null,  -- the remote server's registrable domain; '' not known
    messages bigint not null,
    no_tls bigint not null,
    tls10 bigint not null,
    tls11 bigint not null,
    tls12 bigint not null,
    tls13 bigint not null,
    unknown bigint not null,
    bytes bigint not null,
    primary key (org_id, direction, day, connector_id, domain, server_domain)
);

grant select, insert, update, delete on remote_daily_rollups to mailflow_app;
alter table remote_daily_rollups enable row level security;
create policy tenant on remote_daily_rollups to mailflow_app using (org_id = mailflow_org_id())
    with check (org_id = mailflow_org_id());

-- Insights name names: the top remote domains and server domains behind a firing rule's condition, with
-- their counts, as the evaluation that last saw it fire found them. Carried in every insight's state.
alter table insights add column remote_domains jsonb not null default '[]',
                     add column remote_servers jsonb not null default '[]';

create or replace view insight_states with (security_invoker = true) as
select i.org_id, i.insight_id, i.rule, i.direction, i.connector_id, i.status, i.resolved_at,
       jsonb_build_object(
           'id', i.insight_id,
           'rule', i.rule,
           'title', i.title,
           'description', i.description,
           'recommended_action', i.recommended_action,
           'severity', i.severity,
           'status', i.status,
           'connector', jsonb_build_object(
               'id', i.connector_id,
               'name', coalesce(c.name, case i.direction when 'inbound' then 'From the internet without a connector'
                                                         else 'To the internet without a connector' end),
               'direction', i.direction,
               'type', coalesce(c.type, 'internet'),
               'forced_tls', coalesce(c.forced_tls, false)),
           'subject', nullif(i.subject, ''),
           'share', i.share,
           'messages', i.messages,
           'volume', i.volume,
           'threshold', i.threshold,
           'window_from', i.window_from,
           'window_to', i.window_to,
           'first_detected_at', i.first_detected_at,
           'last_detected_at', i.last_detected_at,
           'resolved_at', i.resolved_at,
           'dismissed_at', i.dismissed_at,
           'dismiss_reason', i.dismiss_reason,
           'remote_domains', i.remote_domains,
           'remote_servers', i.remote_servers
       ) as state
from insights i
left join connectors c on c.org_id = i.org_id and c.connector_id = i.connector_id;
