CREATE TABLE "auth_accounts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_accounts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"email" text NOT NULL,
	"password" text,
	"verified" boolean DEFAULT false NOT NULL,
	"status" integer DEFAULT 0 NOT NULL,
	"rolemask" integer DEFAULT 0 NOT NULL,
	"last_login" timestamp with time zone,
	"force_logout" integer DEFAULT 0 NOT NULL,
	"resettable" boolean DEFAULT true NOT NULL,
	"registered" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_activity_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_activity_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"account_id" integer,
	"actor_account_id" integer,
	"action" text NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"browser" text,
	"os" text,
	"device" text,
	"success" boolean DEFAULT true NOT NULL,
	"metadata" jsonb,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_confirmations" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_confirmations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"account_id" integer NOT NULL,
	"selector" text NOT NULL,
	"validator_hash" text NOT NULL,
	"email" text NOT NULL,
	"expires" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_providers" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_providers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"account_id" integer NOT NULL,
	"provider" text NOT NULL,
	"provider_id" text NOT NULL,
	"provider_email" text,
	"provider_username" text,
	"provider_name" text,
	"provider_avatar" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"reset_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_remembers" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_remembers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"account_id" integer NOT NULL,
	"selector" text NOT NULL,
	"validator_hash" text NOT NULL,
	"previous_hash" text,
	"rotated_at" timestamp with time zone,
	"expires" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_resets" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_resets_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"account_id" integer NOT NULL,
	"selector" text NOT NULL,
	"validator_hash" text NOT NULL,
	"expires" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"sess" text NOT NULL,
	"expires" timestamp with time zone NOT NULL,
	"account_id" integer,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"ip_address" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "auth_2fa_backup_codes" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_2fa_backup_codes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"account_id" integer NOT NULL,
	"code_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_2fa_methods" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_2fa_methods_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"account_id" integer NOT NULL,
	"mechanism" integer NOT NULL,
	"secret" text,
	"verified" boolean DEFAULT false NOT NULL,
	"last_used_step" bigint,
	"created_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "auth_2fa_tokens" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "auth_2fa_tokens_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"account_id" integer NOT NULL,
	"mechanism" integer NOT NULL,
	"selector" text NOT NULL,
	"token_hash" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "auth_activity_log" ADD CONSTRAINT "auth_activity_log_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_activity_log" ADD CONSTRAINT "auth_activity_log_actor_account_id_fk" FOREIGN KEY ("actor_account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_confirmations" ADD CONSTRAINT "auth_confirmations_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_providers" ADD CONSTRAINT "auth_providers_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_remembers" ADD CONSTRAINT "auth_remembers_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_resets" ADD CONSTRAINT "auth_resets_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_2fa_backup_codes" ADD CONSTRAINT "auth_2fa_backup_codes_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_2fa_methods" ADD CONSTRAINT "auth_2fa_methods_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_2fa_tokens" ADD CONSTRAINT "auth_2fa_tokens_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."auth_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "auth_accounts_user_id_key" ON "auth_accounts" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_accounts_email_key" ON "auth_accounts" USING btree ("email");--> statement-breakpoint
CREATE INDEX "auth_accounts_email_pattern_idx" ON "auth_accounts" USING btree ("email" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "auth_accounts_status_idx" ON "auth_accounts" USING btree ("status");--> statement-breakpoint
CREATE INDEX "auth_activity_log_created_at_idx" ON "auth_activity_log" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "auth_activity_log_account_id_idx" ON "auth_activity_log" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "auth_activity_log_actor_account_id_idx" ON "auth_activity_log" USING btree ("actor_account_id");--> statement-breakpoint
CREATE INDEX "auth_activity_log_action_idx" ON "auth_activity_log" USING btree ("action");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_confirmations_selector_key" ON "auth_confirmations" USING btree ("selector");--> statement-breakpoint
CREATE INDEX "auth_confirmations_account_id_idx" ON "auth_confirmations" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "auth_confirmations_expires_idx" ON "auth_confirmations" USING btree ("expires");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_providers_identity_key" ON "auth_providers" USING btree ("provider","provider_id");--> statement-breakpoint
CREATE INDEX "auth_providers_account_id_idx" ON "auth_providers" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "auth_rate_limits_reset_at_idx" ON "auth_rate_limits" USING btree ("reset_at");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_remembers_selector_key" ON "auth_remembers" USING btree ("selector");--> statement-breakpoint
CREATE INDEX "auth_remembers_account_id_idx" ON "auth_remembers" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "auth_remembers_expires_idx" ON "auth_remembers" USING btree ("expires");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_resets_selector_key" ON "auth_resets" USING btree ("selector");--> statement-breakpoint
CREATE INDEX "auth_resets_account_id_idx" ON "auth_resets" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "auth_resets_expires_idx" ON "auth_resets" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "auth_sessions_expires_idx" ON "auth_sessions" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "auth_sessions_account_id_idx" ON "auth_sessions" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_2fa_backup_codes_account_code_key" ON "auth_2fa_backup_codes" USING btree ("account_id","code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_2fa_methods_account_mechanism_key" ON "auth_2fa_methods" USING btree ("account_id","mechanism");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_2fa_tokens_selector_key" ON "auth_2fa_tokens" USING btree ("selector");--> statement-breakpoint
CREATE INDEX "auth_2fa_tokens_account_id_idx" ON "auth_2fa_tokens" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "auth_2fa_tokens_expires_at_idx" ON "auth_2fa_tokens" USING btree ("expires_at");