-- Client submission: mail a user's mail client hands to the organization's servers (submission and
-- smtps listeners, SMTP AUTH) is its own direction, `submission`, never inbound internet mail. The
-- rollups carry it like the other directions; reports and insights ask for the directions they mean.
alter table messages drop constraint messages_direction_check;
alter table messages add constraint messages_direction_check
    check (direction in ('inbound', 'outbound', 'submission'));
