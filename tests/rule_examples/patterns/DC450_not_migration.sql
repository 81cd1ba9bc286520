-- path: reports/cleanup.sql
DROP TABLE tmp_report;  -- ok: DC450
