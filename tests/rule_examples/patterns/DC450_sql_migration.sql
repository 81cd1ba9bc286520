-- path: db/migrations/0005_cleanup.sql
-- DROP TABLE in a comment does not count  -- ok: DC450
ALTER TABLE orders ADD COLUMN state text;  -- ok: DC450
ALTER TABLE orders DROP COLUMN legacy_status;  -- error: DC450
DROP TABLE IF EXISTS old_orders;  -- error: DC450
ALTER TABLE orders RENAME COLUMN total TO total_cents;  -- error: DC450
TRUNCATE audit_log;  -- error: DC450
INSERT INTO notes (body) VALUES ('drop table x; truncate y');  -- ok: DC450
DELETE FROM sessions;  -- error: DC451
DELETE FROM carts WHERE updated_at < now() - interval '30 days';  -- ok: DC451
UPDATE orders SET state = 'new';  -- error: DC451
ALTER TABLE orders
  ALTER COLUMN note TYPE varchar(20);  -- error: DC450
