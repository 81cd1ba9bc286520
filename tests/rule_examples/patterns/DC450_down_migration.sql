-- path: migrations/0005_cleanup.down.sql
DROP TABLE orders_v2;  -- ok: DC450
DELETE FROM schema_flags;  -- ok: DC451
