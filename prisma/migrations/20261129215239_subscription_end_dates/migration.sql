-- Subscriptions terminated before setLifecycle set end_date: their last change is when they ended.
UPDATE "subscriptions" SET "end_date" = "updated_at" WHERE "lifecycle" = 'terminated' AND "end_date" IS NULL;
