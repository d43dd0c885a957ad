#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for browser tests, poppler for PDF→PNG checks,
# the Pango libraries WeasyPrint renders with, and Java 17 for the linkage's Spark backend
# (local mode), and Redis for the counters' Redis backend. Installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
# A real Redis for the shared rate-limit counters' Redis backend (tests start their own).
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-system-packages: installing ${need[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
