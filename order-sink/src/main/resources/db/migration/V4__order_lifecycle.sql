-- The order lifecycle. status stays the legacy list a producer sent, as it was stored;
-- state is where the order is in its lifecycle, and only status changes move it. version
-- counts the changes applied (1: as placed) and is the order's ETag: a change names the
-- version it acts on and is applied only on that one. Orders stored before start PENDING at
-- version 1, whatever their legacy list says: the list never sets the lifecycle.
-- Columns with constant defaults are added without rewriting or reading the table: their
-- checks hold for every new or changed row (NOT VALID skips the scan of existing rows,
-- which all hold the defaults, valid by construction).
ALTER TABLE orders
    ADD COLUMN state   text    NOT NULL DEFAULT 'PENDING',
    ADD COLUMN version integer NOT NULL DEFAULT 1;

ALTER TABLE orders
    ADD CONSTRAINT orders_state_check
        CHECK (state IN ('PENDING', 'APPROVED', 'REJECTED', 'DISPATCHED', 'DELIVERED', 'CANCELLED')) NOT VALID,
    ADD CONSTRAINT orders_version_check CHECK (version >= 1) NOT VALID;

-- Every status change decided, applied or refused, once per change id.
CREATE TABLE order_status_history (
    change_id    uuid        PRIMARY KEY,
    order_id     uuid        NOT NULL,
    from_state   text,
    to_state     text        NOT NULL,
    outcome      text        NOT NULL CHECK (outcome IN ('APPLIED', 'REFUSED')),
    refusal      text        CHECK (refusal IN ('STALE', 'ILLEGAL', 'FORBIDDEN', 'EXPIRED')),
    detail       text,
    reason       text        CHECK (length(reason) <= 500),
    actor        text        NOT NULL,
    roles        text[]      NOT NULL,
    base_version integer     NOT NULL,
    version      integer,
    requested_at timestamptz NOT NULL,
    decided_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((outcome = 'APPLIED') = (refusal IS NULL))
);

CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, decided_at);

-- Changes whose order, or whose base version, has not arrived yet: kept aside, already
-- acknowledged to the broker, decided when it arrives or refused as EXPIRED.
CREATE TABLE order_status_pending (
    change_id    uuid        PRIMARY KEY,
    order_id     uuid        NOT NULL,
    to_state     text        NOT NULL,
    reason       text,
    actor        text        NOT NULL,
    roles        text[]      NOT NULL,
    base_version integer     NOT NULL,
    requested_at timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX order_status_pending_order_idx ON order_status_pending (order_id, base_version);
CREATE INDEX order_status_pending_received_idx ON order_status_pending (received_at);

-- Pages filtered by status now read state, a column with statistics of its own.
DROP STATISTICS IF EXISTS orders_latest_status_stats;
