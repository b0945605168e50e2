-- Insights about something other than a connector's own traffic (a policy domain of TLS reports) name
-- it in `subject`; an insight is identified by (organization, rule, connector, subject).

alter table insights add column subject text not null default '';

drop index insights_one_open;
drop index insights_by_key;
create unique index insights_one_open on insights (org_id, rule, direction, connector_id, subject)
    where resolved_at is null;
create index insights_by_key on insights (org_id, rule, direction, connector_id, subject, insight_id desc);

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
           'dismiss_reason', i.dismiss_reason
       ) as state
from insights i
left join connectors c on c.org_id = i.org_id and c.connector_id = i.connector_id;
