-- The whole system's schema. One database shared by the services; each table has one writer:
-- users (account), campaigns/packets/release_batches/outcome_counts/processed_event_batches (monitor),
-- claims (redpacket: the ledger, the arbiter of every win).

CREATE TABLE users (
    id           bigint PRIMARY KEY,
    display_name text NOT NULL,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaigns (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL,
    total_cents      bigint NOT NULL CHECK (total_cents > 0),
    packet_count     integer NOT NULL CHECK (packet_count > 0),
    batch_count      integer NOT NULL CHECK (batch_count > 0 AND batch_count <= packet_count),
    interval_seconds integer NOT NULL CHECK (interval_seconds >= 0),
    starts_at        timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'releasing', 'released', 'closed')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz,
    CHECK (total_cents >= packet_count)
);

CREATE TABLE packets (
    id           bigserial PRIMARY KEY,
    campaign_id  bigint NOT NULL REFERENCES campaigns (id),
    batch_no     integer NOT NULL,
    amount_cents integer NOT NULL CHECK (amount_cents >= 1),
    expired_at   timestamptz
);
CREATE INDEX packets_campaign_batch ON packets (campaign_id, batch_no);

CREATE TABLE release_batches (
    campaign_id  bigint NOT NULL REFERENCES campaigns (id),
    batch_no     integer NOT NULL,
    due_at       timestamptz NOT NULL,
    packet_count integer NOT NULL,
    released_at  timestamptz,
    PRIMARY KEY (campaign_id, batch_no)
);
CREATE INDEX release_batches_due ON release_batches (due_at) WHERE released_at IS NULL;

-- The ledger. unique(packet) = no oversell; unique(campaign, user) = one win per user.
CREATE TABLE claims (
    packet_id    bigint PRIMARY KEY REFERENCES packets (id),
    campaign_id  bigint NOT NULL,
    user_id      bigint NOT NULL,
    amount_cents integer NOT NULL,
    claimed_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT claims_one_win_per_user UNIQUE (campaign_id, user_id)
);
CREATE INDEX claims_campaign_time ON claims (campaign_id, claimed_at DESC);

CREATE TABLE outcome_counts (
    campaign_id bigint NOT NULL,
    outcome     text NOT NULL,
    count       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, outcome)
);

-- Outcome events arrive in batches with an id; a batch seen twice (redelivery) is counted once.
CREATE TABLE processed_event_batches (
    batch_id     uuid PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);
