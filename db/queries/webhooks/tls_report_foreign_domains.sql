-- $1 org_id bigint, $2 report_key bigint
-- Null when no enabled subscription wants `tls_report.received` (nothing to queue: webhooks/enqueue_tls_report
-- need not run). Else the report's policy domains that are not one of the organization's accepted domains (nor
-- a subdomain of one; db/migrations/0019), '' for a policy without one: the same predicate, distinct values and
-- order as the report list's foreign_domains (tls_reports/list_tls_reports), so the event's flag_reason is the
-- list's. With no accepted domain listed, none.
-- The test of a policy's domain is the one of db/migrations/0020's view, written out: read through the view, this
-- statement (which runs in the transaction that stored the report's policies) fails on Citus ("a column definition
-- list is required for functions returning record").
select case when exists (select from webhook_subscriptions s
                         where s.org_id = $1 and s.enabled and 'tls_report.received' = any(s.events))
            then coalesce((
                select array_agg(coalesce(d.policy_domain, '') order by d.policy_domain)
                from (select distinct p.policy_domain
                      from tls_report_policies p
                      where p.org_id = $1 and p.report_key = $2
                        and exists (select from accepted_domains a where a.org_id = $1)
                        and not exists (select from accepted_domains a
                                        where a.org_id = $1 and (a.domain = rtrim(lower(p.policy_domain), '.')
                                              or right(rtrim(lower(p.policy_domain), '.'), length(a.domain) + 1)
                                                 = '.' || a.domain))) d), '{}')
       end as foreign_domains
