#!/usr/bin/env bash
# Runs the statement checks and the e2e suite against SQL Server 2022 in Docker (issue 16).
# Not run in this repo's CI (no Docker there): see README, "Databases".
set -euo pipefail
cd "$(dirname "$0")/../.."
export MSSQL_SA_PASSWORD="${MSSQL_SA_PASSWORD:-OrderSync-Test-2022!}"
docker compose -f ops/sqlserver/docker-compose.yml up -d --wait
docker compose -f ops/sqlserver/docker-compose.yml exec -T sqlserver /opt/mssql-tools18/bin/sqlcmd -C \
  -S localhost -U sa -P "$MSSQL_SA_PASSWORD" -Q "if db_id('test') is null create database test"
export ORDER_SYNC_TEST_MSSQL_URL="mssql://sa:$(node -p 'encodeURIComponent(process.env.MSSQL_SA_PASSWORD)')@127.0.0.1:1433/test?trustServerCertificate=true"
npx vitest run test/db test/sync test/serve "$@"
