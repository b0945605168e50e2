-- Citus-native: the same schema on plain PostgreSQL and on a Citus cluster (README "Scaling out").
--
-- 1. The SIEM cursor no longer rests on transaction ids (on Citus each node has its own). Each event gets a
--    per-organization sequence number, taken from insight_event_counters by the statement that writes the
--    events: the counter row stays locked until that transaction ends, so numbers are handed out in commit
--    order, and a reader that sees number n has every number below it committed. They move with the
--    organization's shard, so a shard move cannot make the cursor skip. Events already stored keep their
--    transaction id as their number and the counters start above every id in use, so cursors given out
--    before keep their place.
-- 2. distribute_tenant_tables(): on a database with the citus extension, makes the global tables reference
--    tables and distributes by org_id, colocated, every table with an org_id column not yet distributed
--    (copying rows already there); a no-op on plain PostgreSQL. db/migrate.py calls it after every migrate,
--    so tables that later migrations add are distributed too.

create table insight_event_counters (
    org_id bigint primary key references organizations on delete cascade,
    last_seq bigint not null
);
insert into insight_event_counters (org_id, last_seq)
select org_id, pg_current_xact_id()::text::bigint from organizations;
grant select, insert, update on insight_event_counters to mailflow_app;
alter table insight_event_counters enable row level security;
create policy tenant on insight_event_counters to mailflow_app using (org_id = mailflow_org_id())
    with check (org_id = mailflow_org_id());

alter table insight_events add column seq bigint;
update insight_events set seq = xid::text::bigint;
alter table insight_events alter column seq set not null;
drop index insight_events_cursor;
alter table insight_events drop column xid;
create index insight_events_cursor on insight_events (org_id, seq, event_id);

create function distribute_tenant_tables() returns integer
language plpgsql as $$
declare
    t regclass;
    anchor regclass;
    fk record;
    distributed integer := 0;
begin
    if not exists (select from pg_extension where extname = 'citus') then
        return 0;
    end if;
    -- foreign keys to a reference table are made over one connection per node
    perform set_config('citus.multi_shard_modify_mode', 'sequential', true);
    -- Citus cannot distribute a table with an identity column once a foreign key to a reference table has made
    -- it a "Citus local" table: the foreign keys of tables still to distribute to organizations are dropped
    -- first (such a table becomes a plain one again) and made again once it is distributed.
    create temp table distribute_foreign_keys on commit drop as
    select f.conrelid::regclass as tab, f.conname::text as name, pg_get_constraintdef(f.oid) as def
    from pg_constraint f
    join pg_class c on c.oid = f.conrelid
    where f.contype = 'f' and f.confrelid = 'organizations'::regclass and c.relnamespace = 'public'::regnamespace
      and not exists (select from pg_dist_partition p where p.logicalrelid = f.conrelid and p.partmethod = 'h');
    for fk in select * from distribute_foreign_keys loop
        execute format('alter table %s drop constraint %I', fk.tab, fk.name);
    end loop;
    -- functions that statements run on the workers (row-level security's mailflow_org_id, the time zone
    -- helpers): in a database made before the extension, the workers do not have them yet
    perform create_distributed_function(p.oid::regprocedure)
    from pg_proc p
    where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'
      and p.oid <> 'distribute_tenant_tables()'::regprocedure
      and not exists (select from pg_dist_object o where o.classid = 'pg_proc'::regclass and o.objid = p.oid);
    -- the tenant directory: every node reads it
    if not exists (select from pg_dist_partition where logicalrelid = 'organizations'::regclass and repmodel = 't') then
        perform create_reference_table('organizations');
    end if;
    select p.logicalrelid into anchor from pg_dist_partition p
    where p.partmethod = 'h' order by p.logicalrelid::oid limit 1;
    loop
        -- the next table with org_id that is not distributed and whose other foreign keys point only at
        -- distributed tables (a parent before its children)
        select c.oid into t
        from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
          and c.relpersistence = 'p'
          and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped)
          and not exists (select from pg_dist_partition p where p.logicalrelid = c.oid and p.partmethod = 'h')
          and c.oid <> 'organizations'::regclass
          and not exists (
              select from pg_constraint f
              where f.conrelid = c.oid and f.contype = 'f' and f.confrelid <> c.oid
                and not exists (select from pg_dist_partition p
                                where p.logicalrelid = f.confrelid and p.partmethod = 'h'))
        order by c.oid
        limit 1;
        exit when t is null;
        if anchor is null then
            perform create_distributed_table(t, 'org_id');
            anchor := t;
        else
            perform create_distributed_table(t, 'org_id', colocate_with => anchor::text);
        end if;
        distributed := distributed + 1;
    end loop;
    for fk in select * from distribute_foreign_keys loop
        execute format('alter table %s add constraint %I %s', fk.tab, fk.name, fk.def);
    end loop;
    -- the coordinator reaches the workers as the role tenant statements run as (README "Scaling out")
    alter role mailflow_app login;
    return distributed;
end;
$$;
