"""dev.py, the README's two commands: its embedded Redis for a machine with none."""

import os
import socket

import dev


def test_embedded_redis_starts_when_nothing_answers_and_stops_on_exit(monkeypatch):
    monkeypatch.setattr(dev, "DEFAULT_REDIS", ("127.0.0.1", 1))  # "nothing answers on 6379"
    env = {}
    process = dev.start_embedded_redis(env)
    try:
        host, port = env["REDIS_URL"].removeprefix("redis://").split(":")
        assert process is not None and dev.redis_answers(host, int(port))
    finally:
        dev.stop(process)
    assert process.poll() is not None
    with socket.socket() as probe:
        assert probe.connect_ex((host, int(port))) != 0


def test_the_test_command_starts_its_own_redis_even_when_one_answers_locally(monkeypatch):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    monkeypatch.setattr(dev, "DEFAULT_REDIS", server.getsockname())
    monkeypatch.setattr(
        dev,
        "redis_answers",
        lambda host, port, real=dev.redis_answers: (host, port) == dev.DEFAULT_REDIS or real(host, port),
    )
    env = {}
    process = dev.start_embedded_redis(env, reuse_local=False)
    try:
        assert process is not None
        assert env["REDIS_URL"] != "redis://{}:{}".format(*dev.DEFAULT_REDIS)
    finally:
        dev.stop(process)
        server.close()
    assert dev.start_embedded_redis({}) is None  # `run` keeps using the local one


def test_configured_or_running_redis_is_used_as_it_is(monkeypatch):
    env = {"REDIS_URL": "redis://example.invalid:6379"}
    assert dev.start_embedded_redis(env) is None
    assert env["REDIS_URL"] == "redis://example.invalid:6379"


def test_dotenv_values_count_but_the_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("# comment\nDATABASE_URL=mysql://root:@db/x\nexport REDIS_URL='redis://r:1'\n")
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    environment = {"REDIS_URL": "redis://from-env:2"}
    monkeypatch.setattr(os, "environ", environment)  # the test's process environment stays untouched

    dev.load_dotenv()

    assert environment == {"REDIS_URL": "redis://from-env:2", "DATABASE_URL": "mysql://root:@db/x"}
    assert [path.name for path in dev.requirement_files()] == [
        "requirements.txt",
        "requirements-dev.txt",
        "requirements-mysql.txt",
    ]


def test_venv_installs_only_from_the_locks_with_hashes(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(dev, "VENV", tmp_path)
    monkeypatch.setattr(dev, "PYTHON", tmp_path / "python")
    (tmp_path / "python").write_text("")
    monkeypatch.setattr(dev.subprocess, "run", lambda args, **kwargs: calls.append(args))
    monkeypatch.setattr(os, "environ", {})

    dev.ensure_venv()

    (install,) = calls
    assert install[:6] == [str(tmp_path / "python"), "-m", "pip", "install", "-q", "--require-hashes"]
    assert install[6:] == ["-r", str(dev.ROOT / "requirements.txt"), "-r", str(dev.ROOT / "requirements-dev.txt")]
    calls.clear()
    dev.ensure_venv()  # the stamp: nothing to do until a lock changes
    assert calls == []


def test_lock_compiles_the_three_locks_in_order_from_the_index_only(monkeypatch):
    calls = []
    monkeypatch.setattr(dev, "ensure_venv", lambda: None)
    monkeypatch.setattr(
        dev.subprocess,
        "run",
        lambda args, **kwargs: calls.append((args, kwargs["env"])) or dev.subprocess.CompletedProcess(args, 0),
    )
    monkeypatch.setattr(
        os,
        "environ",
        {"PATH": "/usr/bin", "PIP_FIND_LINKS": "/opt/wheels", "PIP_EXTRA_INDEX_URL": "file:///opt/pypi/simple"},
    )

    assert dev.lock(["--upgrade-package", "celery"]) == 0

    assert [args[2:5] for args, _ in calls] == [
        ["-o", "requirements.txt", "requirements.in"],
        ["-o", "requirements-mysql.txt", "requirements-mysql.in"],
        ["-o", "requirements-dev.txt", "requirements-dev.in"],
    ]
    for args, env in calls:
        assert args[0].endswith("pip-compile") and args[-2:] == ["--upgrade-package", "celery"]
        assert env["PIP_CONFIG_FILE"] == os.devnull
        assert "PIP_FIND_LINKS" not in env and "PIP_EXTRA_INDEX_URL" not in env
        assert env["CUSTOM_COMPILE_COMMAND"] == "python3 dev.py lock"


def test_the_test_command_runs_a_process_per_core_unless_the_arguments_choose(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert dev.parallel(["-q"]) == ["-n", "2"]
    assert dev.parallel(["-q", "-m", "not rabbitmq"]) == ["-n", "2"]
    for chosen in (["-n", "0"], ["-n4"], ["--numprocesses=3"], ["-p", "no:xdist"], ["--pdb"], ["-s"]):
        assert dev.parallel(["-q", *chosen]) == [], chosen
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert dev.parallel([]) == ["-n", "4"]  # each process needs four of Redis's 16 databases
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert dev.parallel([]) == []
