-- One row per order. order_id is assigned once at intake, so redelivered and retried
-- orders collide here and are stored once (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE orders (
    order_id       uuid        PRIMARY KEY,
    medication_id  text        NOT NULL CHECK (length(medication_id) BETWEEN 1 AND 128),
    sender_user_id text        NOT NULL CHECK (length(sender_user_id) BETWEEN 1 AND 128),
    status         text[]      NOT NULL CHECK (cardinality(status) BETWEEN 1 AND 16),
    channel        text        NOT NULL CHECK (channel IN ('API', 'LEGACY_HTTP', 'LEGACY_QUEUE')),
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    stored_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX orders_sender_created_idx ON orders (sender_user_id, created_at);
