-- $1 org_id bigint, $2 report_key bigint, $3 flag_reason text (null: the report is not flagged)
-- Queues `tls_report.received` for every enabled subscription that wants it, in the transaction that stores
-- the report (after its policies): the report's summary, built once, is the event's data. Its flag and reason
-- are the report list's (db/webhooks.py builds the reason from webhooks/tls_report_foreign_domains).
with report as materialized (
    select r.report_key, r.stored_at,
           jsonb_build_object(
               'id', r.report_key,
               'organization_name', r.organization_name,
               'report_id', r.report_id,
               'from', r.start_at,
               'to', r.end_at,
               'stored_at', r.stored_at,
               'policies', coalesce((
                   select jsonb_agg(jsonb_build_object(
                              'policy_type', p.policy_type, 'policy_domain', p.policy_domain,
                              'successful', p.successful_sessions, 'failed', p.failed_sessions)
                          order by p.policy_no)
                   from tls_report_policies p
                   where p.org_id = $1 and p.report_key = $2), '[]'::jsonb),
               'flagged', $3::text is not null,
               'flag_reason', $3::text) as data
    from tls_reports r
    where r.org_id = $1 and r.report_key = $2
      and exists (select from webhook_subscriptions s
                  where s.org_id = $1 and s.enabled and 'tls_report.received' = any(s.events))
),
queued as (
    insert into webhook_deliveries (org_id, subscription_id, message_id, event_type, data, occurred_at)
    select $1, s.subscription_id, 'tlsrpt_' || report.report_key, 'tls_report.received', report.data,
           report.stored_at
    from report
    join webhook_subscriptions s on s.org_id = $1 and s.enabled and 'tls_report.received' = any(s.events)
    order by s.subscription_id
    returning 1
)
select count(*) from queued
