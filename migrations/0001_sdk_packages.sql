CREATE TABLE "sdk_archives" (
	"version_id" integer NOT NULL,
	"lang" text NOT NULL,
	"generator" text NOT NULL,
	"package_version" text NOT NULL,
	"manifest" json,
	"tarball" "bytea" NOT NULL,
	"shasum" text NOT NULL,
	"integrity" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sdk_archives_version_id_lang_generator_pk" PRIMARY KEY("version_id","lang","generator")
);
--> statement-breakpoint
ALTER TABLE "contract_versions" ADD COLUMN "package_version" text;--> statement-breakpoint
ALTER TABLE "contract_versions" ADD COLUMN "package_reason" json;--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "package_version" text;--> statement-breakpoint
ALTER TABLE "sdk_archives" ADD CONSTRAINT "sdk_archives_version_id_contract_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."contract_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sdk_archives_package" ON "sdk_archives" USING btree ("lang","package_version");