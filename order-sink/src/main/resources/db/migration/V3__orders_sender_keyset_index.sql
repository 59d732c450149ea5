-- Pages of a sender's orders are read newest first by (created_at, order_id): the order id
-- makes the key unique, so a page boundary never falls between two orders created at the
-- same instant. This index serves those reads (scanned backwards) and everything the index
-- it replaces served. On a large table it can be built beforehand without blocking writes
-- (CREATE INDEX CONCURRENTLY orders_sender_created_order_idx ON orders (sender_user_id,
-- created_at, order_id)); this migration then finds it.
CREATE INDEX IF NOT EXISTS orders_sender_created_order_idx ON orders (sender_user_id, created_at, order_id);

DROP INDEX IF EXISTS orders_sender_created_idx;

-- A page filtered by status compares the latest entry of the status list, an expression:
-- without statistics on it the planner takes it as rare and would read all of a large
-- sender's orders and sort them, instead of reading the index backwards and stopping at a
-- page.
CREATE STATISTICS IF NOT EXISTS orders_latest_status_stats ON (status[cardinality(status)]) FROM orders;
