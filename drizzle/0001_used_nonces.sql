CREATE TABLE "auth_used_nonces" (
	"key" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "auth_used_nonces_expires_at_idx" ON "auth_used_nonces" USING btree ("expires_at");