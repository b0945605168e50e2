-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 policy_domain text (null: all)
-- Per policy domain and day (the day each report's range starts, UTC): successful and failed sessions,
-- reports, and failed sessions by result type (a JSON object), over the reports whose range starts in the
-- window. A sender reports the same sessions under every policy that applied to them (an `sts` and a `tlsa`
-- policy for one domain), so a report's sessions for a domain count once: those of its policy for the domain
-- with the most sessions (on a tie, the most failed, then the first listed), with that policy's failures.
-- Sums stay numeric: many reports' counts can add up to more than a bigint. Only the organization's accepted
-- domains (and their subdomains) count, when it lists any (db/migrations/0019; the view of 0020): other policies are flagged in the
-- report list and the report, not counted here.
with policies as (
    select distinct on (p.report_key, coalesce(p.policy_domain, ''))
           (r.start_at at time zone 'UTC')::date as day, coalesce(p.policy_domain, '') as policy_domain,
           p.org_id, p.report_key, p.policy_no, p.successful_sessions, p.failed_sessions
    from tls_reports r
    join tls_report_policies_accepted p on p.org_id = r.org_id and p.report_key = r.report_key
    where r.org_id = $1 and r.start_at >= $2 and r.start_at < $3
      and ($4::text is null or lower(p.policy_domain) = lower($4))
      and p.accepted
    order by p.report_key, coalesce(p.policy_domain, ''), p.successful_sessions::numeric + p.failed_sessions desc,
             p.failed_sessions desc, p.policy_no
),
totals as (
    select day, policy_domain, sum(successful_sessions) as successful, sum(failed_sessions) as failed,
           count(*)::bigint as reports
    from policies
    group by day, policy_domain
),
by_type as (
    select p.day, p.policy_domain, f.result_type, sum(f.failed_sessions) as sessions
    from policies p
    join tls_report_failures f on f.org_id = p.org_id and f.report_key = p.report_key and f.policy_no = p.policy_no
    group by p.day, p.policy_domain, f.result_type
)
select t.day, t.policy_domain, t.successful, t.failed, t.reports,
       coalesce((select jsonb_object_agg(b.result_type, b.sessions order by b.result_type) from by_type b
                 where b.day = t.day and b.policy_domain = t.policy_domain), '{}'::jsonb) as failures
from totals t
order by t.day, t.policy_domain
