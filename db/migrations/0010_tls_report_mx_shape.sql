-- Two details of a TLS report that were not kept as sent: each policy's `mx-host` (and `mx-host-pattern`)
-- in the shape the report gave it, a string or a list (RFC 8460 shows a string, Google sends a list;
-- mx_hosts flattens both), and each failure detail's `receiving-mx-helo`. Reports stored before this
-- migration have null in these columns: what they sent there was not kept.
-- (Numbered 0010, not 0009, so that it cannot collide with a 0009 written on another branch meanwhile.)

alter table tls_report_policies add column mx_host jsonb, add column mx_host_pattern jsonb;

alter table tls_report_failures add column receiving_mx_helo text;

-- The report views select reports by the start of their range.
create index tls_reports_start on tls_reports (org_id, start_at);
