// path: db/lib/cronUtils.ts
import { sql } from "drizzle-orm";
import { db } from "@/db/client";

export const setupJobFunctions = async () => {
  await db.execute(
    sql.raw(`
      create or replace function call_job_endpoint(job_body text) returns text as $$
      declare
        response text;
      begin
        perform http_set_curlopt('CURLOPT_TIMEOUT', '1');  -- (annotation inside the SQL) // error: DC716
        select content into response from http(('POST', 'https://app.example/api/job', array[]::http_header[], 'application/json', job_body)::http_request);
        return response;
      end;
      $$ language plpgsql;
    `),
  );

  await db.execute(sql`
    create or replace function process_jobs() returns text as $$
    declare
      message_record record;
    begin
      loop
        select * into message_record from pgmq.pop('jobs');
        exit when message_record is null;
        perform call_job_endpoint(message_record.message::text);
      end loop;
      return 'done';
    end;
    $$ language plpgsql;
  `);

  await db.execute(sql`select cron.schedule('process-jobs', '1 seconds', 'select process_jobs()');`);  // error: DC716
  await db.execute(sql`comment on table job_runs is 'all runs'`);  // ok: DC716
};
