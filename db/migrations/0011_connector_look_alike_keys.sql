-- Connector names that look alike (Latin C and Cyrillic С, 'rn' and 'm', 'Contoso' and 'contoso') are one
-- name to a reader. The application computes each name's look-alike key (core/names.py: its Unicode
-- confusables skeleton, case folded) on every insert and rename, and no two connectors of one direction may
-- share one: two concurrent creations of look-alike names cannot both succeed.
--
-- Connectors stored before this migration keep a null key, so a database whose names already look alike
-- still migrates; the application compares every new or changed name with all the names of its direction,
-- keyed or not, and such a connector gets its key when it is renamed.
alter table connectors add column name_key text;

create unique index connectors_name_key on connectors (org_id, direction, name_key) where name_key is not null;
