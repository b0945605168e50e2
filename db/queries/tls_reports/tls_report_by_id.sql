-- $1 org_id bigint, $2 report_key bigint
-- One stored report in full: its policies in report order, each with its failure details in report order,
-- as JSON (json, not jsonb, to keep the keys in this order). One statement, whatever the report holds. Each
-- policy says whether its domain is one of the organization's accepted domains (db/migrations/0019, 0020).
select r.report_key, r.organization_name, r.contact_info, r.report_id, r.start_at, r.end_at, r.stored_at,
       coalesce((
           select json_agg(json_build_object(
                      'policy_type', p.policy_type,
                      'policy_domain', p.policy_domain,
                      'policy_string', coalesce(p.policy_string, '{}'),
                      'mx_host', p.mx_host,
                      'mx_host_pattern', p.mx_host_pattern,
                      'mx_hosts', coalesce(p.mx_hosts, '{}'),
                      'successful', p.successful_sessions,
                      'failed', p.failed_sessions,
                      'detailed_failures', p.detailed_failures,
                      'details_mismatch', p.details_mismatch,
                      'accepted', p.accepted,
                      'failures', coalesce((
                          select json_agg(json_build_object(
                                     'result_type', f.result_type,
                                     'sending_mta_ip', f.sending_mta_ip,
                                     'receiving_mx_hostname', f.receiving_mx_hostname,
                                     'receiving_mx_helo', f.receiving_mx_helo,
                                     'receiving_ip', f.receiving_ip,
                                     'failed_sessions', f.failed_sessions,
                                     'failure_reason_code', f.failure_reason_code,
                                     'additional_information', f.additional_information
                                 ) order by f.failure_no)
                          from tls_report_failures f
                          where f.org_id = p.org_id and f.report_key = p.report_key and f.policy_no = p.policy_no
                      ), '[]')
                  ) order by p.policy_no)
           from tls_report_policies_accepted p
           where p.org_id = r.org_id and p.report_key = r.report_key
       ), '[]') as policies
from tls_reports r
where r.org_id = $1 and r.report_key = $2
