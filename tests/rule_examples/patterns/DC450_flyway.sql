-- path: src/main/resources/db/migration/V7__drop_audit.sql
DROP TABLE audit;  -- error: DC450
