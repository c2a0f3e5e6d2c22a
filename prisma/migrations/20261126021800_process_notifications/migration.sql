-- Every change to a process or to one of its steps is announced on the channel loom_process_changes with the
-- process id as payload, after the writing transaction commits (NOTIFY's semantics): the gateway streams
-- progress (GET /api/processes/{id}/events) from these, without polling.
CREATE FUNCTION "notify_process_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- One branch per table: PL/pgSQL resolves NEW's fields per expression, and each table has only its own.
  IF TG_TABLE_NAME = 'processes' THEN
    PERFORM pg_notify('loom_process_changes', NEW."id"::text);
  ELSE
    PERFORM pg_notify('loom_process_changes', NEW."process_id"::text);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "processes_notify" AFTER INSERT OR UPDATE ON "processes" FOR EACH ROW EXECUTE FUNCTION "notify_process_change"();
CREATE TRIGGER "process_steps_notify" AFTER INSERT OR UPDATE ON "process_steps" FOR EACH ROW EXECUTE FUNCTION "notify_process_change"();
