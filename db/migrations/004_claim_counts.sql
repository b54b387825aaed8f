-- Claims per campaign, kept by triggers in the claim's own transaction, so "is it sold out?" reads a
-- few rows instead of counting the ledger (count(*) over 300,000 fresh claims took 40-80 ms of
-- PostgreSQL CPU under load, and every grab arriving at the sell-out waited for it: docs/performance.md).
-- A campaign's count is spread over 16 slots (the backend's pid picks one) so that concurrent claim
-- batches do not queue on one row lock until their commits; the count is the slots' sum.
CREATE TABLE claim_counts (
    campaign_id  bigint NOT NULL,
    slot         smallint NOT NULL,
    claimed      bigint NOT NULL,
    amount_cents bigint NOT NULL,
    PRIMARY KEY (campaign_id, slot)
);

CREATE FUNCTION claim_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In campaign order: two batches on one slot take their row locks in the same order (no deadlock).
    INSERT INTO claim_counts AS c (campaign_id, slot, claimed, amount_cents)
    SELECT campaign_id, pg_backend_pid() % 16, count(*), sum(amount_cents) FROM added GROUP BY campaign_id ORDER BY campaign_id
    ON CONFLICT (campaign_id, slot) DO UPDATE SET claimed = c.claimed + excluded.claimed, amount_cents = c.amount_cents + excluded.amount_cents;
    RETURN NULL;
END $$;

CREATE FUNCTION claim_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO claim_counts AS c (campaign_id, slot, claimed, amount_cents)
    SELECT campaign_id, pg_backend_pid() % 16, -count(*), -sum(amount_cents) FROM removed GROUP BY campaign_id ORDER BY campaign_id
    ON CONFLICT (campaign_id, slot) DO UPDATE SET claimed = c.claimed + excluded.claimed, amount_cents = c.amount_cents + excluded.amount_cents;
    RETURN NULL;
END $$;

CREATE TRIGGER claims_counted_on_insert AFTER INSERT ON claims
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION claim_counts_add();
CREATE TRIGGER claims_counted_on_delete AFTER DELETE ON claims
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION claim_counts_remove();
-- Claims are never updated; should one be, its old row leaves the count and its new row joins it.
CREATE TRIGGER claims_counted_on_update_old AFTER UPDATE ON claims
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION claim_counts_remove();
CREATE TRIGGER claims_counted_on_update_new AFTER UPDATE ON claims
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION claim_counts_add();
-- TRUNCATE cannot be counted row by row: it empties the counts too.
CREATE FUNCTION claim_counts_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM claim_counts;
    RETURN NULL;
END $$;
CREATE TRIGGER claims_counted_on_truncate AFTER TRUNCATE ON claims
    FOR EACH STATEMENT EXECUTE FUNCTION claim_counts_clear();

-- The claims already in the ledger. CREATE TRIGGER locked claims against writes until this migration
-- commits, so no claim falls between this count and the triggers.
INSERT INTO claim_counts (campaign_id, slot, claimed, amount_cents)
SELECT campaign_id, 0, count(*), sum(amount_cents) FROM claims GROUP BY campaign_id;
