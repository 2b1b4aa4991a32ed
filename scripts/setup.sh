#!/usr/bin/env bash
# Prepares a fresh Debian machine of this project's kind for Veilleur: system packages,
# local services, a virtual environment with Veilleur and its tools. Safe to run again.
# Usage: scripts/setup.sh [--for-tests]
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=false
[ "${1:-}" = "--for-tests" ] && for_tests=true

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=false
need_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  if ! $apt_updated; then as_root apt-get update -qq; apt_updated=true; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Python with venv; the services Veilleur watches by default and its tests use.
command -v python3 >/dev/null || need_packages python3 python3-venv
need_packages postgresql mariadb-server redis-server
# WeasyPrint renders incident reports to PDF with Pango and these fonts.
need_packages libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
if $for_tests; then
  # A real browser for the dashboard tests, and fonts it renders French text with.
  need_packages chromium fonts-dejavu-core
  # pdftotext reads the text of incident reports back in the tests.
  need_packages poppler-utils
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  echo "setup: $2 did not start on port $1" >&2; return 1
}

if ! port_open 5432; then
  echo "setup: starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  wait_port 5432 PostgreSQL
fi
if ! port_open 3306; then
  echo "setup: starting MariaDB"
  as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port 3306 MariaDB
fi
if ! port_open 6379; then
  echo "setup: starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379 Redis
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
extras=""
$for_tests && extras="[dev]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
