#!/usr/bin/env bash
# Start Virtuoso 7 (Debian: apt-get install virtuoso-opensource-7-bin) with policy-kg's minimal
# configuration (deploy/virtuoso.ini), a database in DIR, on loopback, in the foreground.
#   scripts/virtuoso-server.sh DIR [HTTP_PORT=8890] [SQL_PORT=1111]
# Then change the admin password (the default is dba/dba) before anything else:
#   isql-vt 127.0.0.1:1111 dba dba exec='set password "dba" "NEW-PASSWORD";'
set -euo pipefail
dir=$(mkdir -p "${1:?usage: $0 DIR [HTTP_PORT] [SQL_PORT]}" && cd "$1" && pwd)
http_port=${2:-8890}
sql_port=${3:-1111}
here=$(cd "$(dirname "$0")/.." && pwd)
sed -e "s|{dir}|$dir|g" -e "s|{sql_port}|$sql_port|g" -e "s|{http_port}|$http_port|g" \
    "$here/deploy/virtuoso.ini" > "$dir/virtuoso.ini"
exec virtuoso-t +configfile "$dir/virtuoso.ini" +foreground
