-- account keeps the blocked users in memory and re-reads them every few seconds: a partial index
-- makes that read proportional to the blocked users, not to every user.
CREATE INDEX users_blocked ON users (id) WHERE status = 'blocked';
