#!/usr/bin/env bash
# Installs, from Debian's packages, whatever the local stack needs and this machine lacks.
# Installing must not start system-wide copies: the stack runs its own on its own ports.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v nginx >/dev/null || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
[ -n "${ERP_WITH_BROWSER:-}" ] && { command -v chromium >/dev/null || missing+=(chromium); }
[ -n "${ERP_WITH_WRK:-}" ] && { command -v wrk >/dev/null || missing+=(wrk); }

if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  # policy-rc.d 101 keeps the packages' own services from starting on their default ports.
  $SUDO sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet on PATH)"
