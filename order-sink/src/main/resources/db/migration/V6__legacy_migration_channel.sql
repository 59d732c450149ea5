-- Orders migrated from the legacy system's table (channel LEGACY_MIGRATION) keep the legacy
-- row's createdAt and updatedAt as stored there.
-- The check is replaced without reading the table: every existing row holds one of the
-- channels before, valid under the wider check by construction (NOT VALID skips the scan,
-- and the check holds for every new or changed row).
ALTER TABLE orders
    DROP CONSTRAINT orders_channel_check,
    ADD CONSTRAINT orders_channel_check
        CHECK (channel IN ('API', 'LEGACY_HTTP', 'LEGACY_QUEUE', 'LEGACY_MIGRATION')) NOT VALID;
