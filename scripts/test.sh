#!/usr/bin/env bash
# Runs the whole test suite (unit, integration and end-to-end) against real services.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
npm run format:check
npm run typecheck
npm test
