#!/usr/bin/env bash
# The seed scenario end to end on local services: a registry standing in for ACR, a git remote
# holding gitops-demo, the Kubernetes API with the gitops-demo Application; then one tagflow cycle.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
exec npx tsx scripts/demo.ts "$@"
