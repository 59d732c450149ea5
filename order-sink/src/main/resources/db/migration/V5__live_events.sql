-- Live streams of stored orders and status changes (GET /orders/{id}/events,
-- GET /senders/{sender}/events).
--
-- Every order and every decided status change gets an event position: the transaction
-- that wrote it (event_xid) and a number in the order of writing (event_seq). Readers
-- read only below the oldest transaction still running (pg_snapshot_xmin), where every
-- transaction has ended: no row can appear there later, so "everything after position P"
-- read at any time never skips a row that commits afterwards, whatever order concurrent
-- writers commit in. Rows stored before this version have no position and are not in
-- streams (GET /orders/{id} reads them).
--
-- The columns are added without defaults first (no rewrite of the table), then given
-- their defaults for new rows.
CREATE SEQUENCE IF NOT EXISTS order_event_seq CACHE 100;

ALTER TABLE orders
    ADD COLUMN IF NOT EXISTS event_xid xid8,
    ADD COLUMN IF NOT EXISTS event_seq bigint;
ALTER TABLE orders
    ALTER COLUMN event_xid SET DEFAULT pg_current_xact_id(),
    ALTER COLUMN event_seq SET DEFAULT nextval('order_event_seq');

ALTER TABLE order_status_history
    ADD COLUMN IF NOT EXISTS sender_user_id text,
    ADD COLUMN IF NOT EXISTS event_xid xid8,
    ADD COLUMN IF NOT EXISTS event_seq bigint;
ALTER TABLE order_status_history
    ALTER COLUMN event_xid SET DEFAULT pg_current_xact_id(),
    ALTER COLUMN event_seq SET DEFAULT nextval('order_event_seq');

-- Each sink reads every event after its last position (one query per notification);
-- a sender's stream replays the sender's events after the client's position.
CREATE INDEX IF NOT EXISTS orders_event_idx ON orders (event_xid, event_seq);
CREATE INDEX IF NOT EXISTS orders_sender_event_idx ON orders (sender_user_id, event_xid, event_seq);
CREATE INDEX IF NOT EXISTS order_status_history_event_idx ON order_status_history (event_xid, event_seq);
CREATE INDEX IF NOT EXISTS order_status_history_sender_event_idx ON order_status_history (sender_user_id, event_xid, event_seq);

-- One notification per statement that writes orders or history (a batch of orders is one
-- statement), never one per row: it only wakes the sinks, which read the rows themselves.
-- A notifying transaction fails at commit when PostgreSQL's notification queue is full,
-- which a listener that stopped reading causes: writes stop notifying once the queue is
-- more than orders.notify_queue_limit full (a fraction, 0.5 unless set, e.g. with ALTER
-- DATABASE ... SET), so orders are always stored; streams then wait for the queue to drain
-- (the sinks read on each check of the queue meanwhile) and miss nothing.
CREATE FUNCTION order_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_notification_queue_usage()
            < coalesce(nullif(current_setting('orders.notify_queue_limit', true), '')::float8, 0.5) THEN
        PERFORM pg_notify('order_events', pg_current_xact_id()::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER orders_events_notify AFTER INSERT ON orders
    FOR EACH STATEMENT EXECUTE FUNCTION order_events_notify();
CREATE TRIGGER order_status_history_events_notify AFTER INSERT ON order_status_history
    FOR EACH STATEMENT EXECUTE FUNCTION order_events_notify();
