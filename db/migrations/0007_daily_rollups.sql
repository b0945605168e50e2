-- Daily rollups: the hourly rollups summed per UTC day, kept in the same statement as the hourly ones.
-- A report whose days are UTC days reads whole days here and only its partial edge days from the hourly
-- rollups (a 7-day window: about 7 rows per connector instead of 168).

create table daily_rollups (
    org_id bigint not null,
    day date not null,  -- the UTC day
    direction text not null,
    connector_id bigint not null,
    messages bigint not null,
    no_tls bigint not null,
    tls10 bigint not null,
    tls11 bigint not null,
    tls12 bigint not null,
    tls13 bigint not null,
    unknown bigint not null,
    bytes bigint not null,
    primary key (org_id, day, direction, connector_id)
);

insert into daily_rollups (
    org_id, day, direction, connector_id, messages, no_tls, tls10, tls11, tls12, tls13, unknown, bytes
)
select org_id, (hour at time zone 'UTC')::date, direction, connector_id, sum(messages), sum(no_tls), sum(tls10),
       sum(tls11), sum(tls12), sum(tls13), sum(unknown), sum(bytes)
from hourly_rollups
group by 1, 2, 3, 4;

grant select, insert, update, delete on daily_rollups to mailflow_app;
alter table daily_rollups enable row level security;
create policy tenant on daily_rollups to mailflow_app using (org_id = mailflow_org_id())
    with check (org_id = mailflow_org_id());
