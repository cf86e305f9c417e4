#!/usr/bin/env bash
# The long schemathesis run: the CI test tests/test_schema_fuzz.py with many more examples per
# operation (FUZZ_EXAMPLES, default 500). In-process (no server, no network); SQLite unless
# DATABASE_URL says otherwise; Redis from REDIS_URL (or the one dev.py finds or starts).
#   bash bench/fuzz.sh                 # 500 examples per operation (a few minutes)
#   FUZZ_EXAMPLES=2000 bash bench/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-500}"
start=$(date +%s)
python3 dev.py test tests/test_schema_fuzz.py -q "$@"
echo "fuzz: ${FUZZ_EXAMPLES} examples per operation in $(( $(date +%s) - start )) s"
