#!/bin/sh
# Run once by the postgres image when it creates the database (docker-entrypoint-initdb.d):
# the schema owner that migrations run as, and the application's role, which owns nothing and is
# granted its privileges by `manage.py migrate --database owner` (ips.db_roles).
set -eu
: "${OWNER_DB_PASSWORD:?set OWNER_DB_PASSWORD in .env.production}"
: "${APP_DB_PASSWORD:?set APP_DB_PASSWORD in .env.production}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$OWNER_DB_PASSWORD" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE ips_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE ips_app LOGIN PASSWORD :'app_password';
ALTER DATABASE :"DBNAME" OWNER TO ips_owner;
ALTER SCHEMA public OWNER TO ips_owner;
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO ips_app;
SQL
