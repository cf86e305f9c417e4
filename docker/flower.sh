#!/bin/sh
# Flower, the Celery dashboard (docker-compose.yml's `flower` service): never without a password.
# FLOWER_BASIC_AUTH=user:password (Flower reads it itself; several: comma-separated). A missing
# one, or the example file's change-me placeholder, stops the container instead of opening
# an unauthenticated dashboard that can revoke tasks and shut workers down.
set -eu
auth="${FLOWER_BASIC_AUTH:-}"
case "$auth" in
  *:change-me*) echo "flower: FLOWER_BASIC_AUTH still has the example's change-me password" >&2; exit 64 ;;
  ?*:?*) ;;
  *) echo "flower: FLOWER_BASIC_AUTH (user:password) is required" >&2; exit 64 ;;
esac
exec celery -A fsapi flower --address="${FLOWER_ADDRESS:-0.0.0.0}" --port="${FLOWER_PORT:-5555}" "$@"
