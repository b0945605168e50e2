-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz
-- Sessions per policy domain over the TLS reports whose range starts in the window: all, and failed.
-- Summed as numeric: the sum of many reports' counts can be beyond a bigint.
select coalesce(p.policy_domain, '') as policy_domain,
       sum(p.successful_sessions::numeric + p.failed_sessions) as sessions,
       sum(p.failed_sessions::numeric) as failed
from tls_reports r
join tls_report_policies p on p.org_id = r.org_id and p.report_key = r.report_key
where r.org_id = $1 and r.start_at >= $2 and r.start_at < $3
group by 1
