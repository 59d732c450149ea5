-- The W3C trace id of the request that placed the order (null for orders that came without
-- one, such as legacy publishers'), so a row leads to its trace and a trace to its row.
ALTER TABLE orders ADD COLUMN trace_id text CHECK (trace_id ~ '^[0-9a-f]{32}$');
