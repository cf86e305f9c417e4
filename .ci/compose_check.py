"""Checks on docker-compose.yml as compose resolves it (`docker compose config --format json` on
stdin; .ci/run's compose step). Standard library only. Exit 1 naming what is wrong.

- the database container gets only its own variables (MARIADB_*), none of the app's
  (SECRET_KEY, the Alipay keys, DATABASE_URL …);
- nginx is the one service published to the network (others, if at all, on the loopback only);
- nginx mounts docker/nginx.conf and the media volume read-only, and the app writes uploads to
  that same volume;
- api, worker, beat and migrate run the one image with the app's env file.
"""

import json
import sys

APP_SERVICES = ("migrate", "api", "worker", "beat")


def problems(config: dict) -> list[str]:
    services = config["services"]
    found = []
    db_env = services["db"].get("environment") or {}
    foreign = sorted(name for name in db_env if not name.startswith(("MARIADB_", "MYSQL_")))
    if foreign:
        found.append(f"the db container gets variables that are not its own: {foreign}")
    # published beyond the host's loopback (Flower, for operators, is on 127.0.0.1 only)
    published = sorted(
        name
        for name, service in services.items()
        for port in service.get("ports", [])
        if port.get("host_ip") not in ("127.0.0.1", "::1")
    )
    if published != ["nginx"]:
        found.append(f"the one service published to the network should be nginx: {published}")
    web = services.get("nginx", {})
    if not web.get("image", "").startswith("nginx"):
        found.append("the 'nginx' service does not run nginx")
    mounts = {
        (volume.get("source", ""), volume["target"], bool(volume.get("read_only"))) for volume in web.get("volumes", [])
    }
    if not any(target == "/srv/media" and source == "media" and read_only for source, target, read_only in mounts):
        found.append("nginx does not mount the media volume read-only at /srv/media")
    if not any(source.endswith("docker/nginx.conf") and read_only for source, _, read_only in mounts):
        found.append("nginx does not mount docker/nginx.conf read-only")
    for name in APP_SERVICES:
        service = services[name]
        env = service.get("environment") or {}
        if "SECRET_KEY" not in env:
            found.append(f"{name} does not get the app's env file")
        if not any(v.get("source") == "media" and v["target"] == "/app/media" for v in service.get("volumes", [])):
            found.append(f"{name} does not write uploads to the media volume")
    return found


def main() -> int:
    found = problems(json.load(sys.stdin))
    for problem in found:
        print(f"docker-compose.yml: {problem}", file=sys.stderr)
    if not found:
        print("compose checks: db has only its own variables; nginx is the front; uploads are shared")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
