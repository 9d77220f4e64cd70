"""The fresh-machine install waits for the package manager's lock (scripts/services.sh):
a stand-in apt-get that finds the lock held fails the first calls, as a real one does while
another install runs, and the install goes on once the lock is free."""

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "services.sh"


def fake_apt_get(tmp_path: Path, busy_calls: int) -> Path:
    script = tmp_path / "apt-get"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{tmp_path}/calls"\n'
        f'n=$(wc -l < "{tmp_path}/calls")\n'
        f'if [ "$n" -le {busy_calls} ]; then\n'
        '  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1'
        ' (apt-get)" >&2\n'
        "  exit 100\n"
        "fi\n"
    )
    script.chmod(0o755)
    return script


def run(tmp_path: Path, busy_calls: int, attempts: int) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "APT_GET": str(fake_apt_get(tmp_path, busy_calls)),
        "APT_RETRY_SECONDS": "0",
        "APT_ATTEMPTS": str(attempts),
    }
    return subprocess.run(
        ["bash", str(SCRIPT), "apt-get", "install", "-y", "redis-server"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_install_waits_while_another_install_holds_the_lock(tmp_path):
    result = run(tmp_path, busy_calls=2, attempts=5)

    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert len(calls) == 3
    assert all(call.startswith("-o DPkg::Lock::Timeout=300 install") for call in calls)
    assert "waiting 0s for the package lock" in result.stderr


def test_the_install_gives_up_with_the_error_after_its_attempts(tmp_path):
    result = run(tmp_path, busy_calls=10, attempts=3)

    assert result.returncode != 0
    assert len((tmp_path / "calls").read_text().splitlines()) == 3
    assert "Could not get lock" in result.stderr
