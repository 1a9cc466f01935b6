#!/usr/bin/env bash
# Makes this machine able to run tagflow's demo and tests: Debian packages, npm dependencies and a
# local Redis. Idempotent: installs or starts only what is missing. Safe to source or to run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_pkgs=()
command -v docker-registry >/dev/null 2>&1 || need_pkgs+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need_pkgs+=(apache2-utils)
command -v git >/dev/null 2>&1 || need_pkgs+=(git)
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
[ -x /usr/sbin/sshd ] || need_pkgs+=(openssh-server)        # git over SSH tests: a real sshd
command -v ssh-keygen >/dev/null 2>&1 || need_pkgs+=(openssh-client)
command -v gpg >/dev/null 2>&1 || need_pkgs+=(gnupg)        # signed commits (openpgp)
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium) # the dashboard test (playwright-core)
command -v kubectl >/dev/null 2>&1 || need_pkgs+=(kubernetes-client) # kubectl kustomize renders
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${need_pkgs[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_pkgs[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >/dev/null
fi

# the built distribution the tagflow command runs (bin/tagflow.js falls back to the sources when stale)
node scripts/build.mjs

REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export REDIS_URL
redis_host=$(node -e 'const u=new URL(process.argv[1]);console.log(u.hostname)' "$REDIS_URL")
redis_port=$(node -e 'const u=new URL(process.argv[1]);console.log(u.port||6379)' "$REDIS_URL")
if ! redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
  echo "setup: starting redis-server on $redis_host:$redis_port" >&2
  mkdir -p .tagflow/redis
  redis-server --daemonize yes --bind "$redis_host" --port "$redis_port" --save '' --appendonly no \
    --dir "$PWD/.tagflow/redis" --logfile "$PWD/.tagflow/redis/redis.log" --pidfile "$PWD/.tagflow/redis/redis.pid"
  for _ in $(seq 1 50); do redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null
fi
