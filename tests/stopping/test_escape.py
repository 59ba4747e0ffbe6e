"""No step process escapes (issue 12, point 3): a child that leaves its step's process group and
session (`setsid`) is still found, below the work horse, a child subreaper, and killed when the
step is canceled, when it ends, and when its worker is killed."""
import subprocess
import sys

from jobgate.tools import processes
from tests.conftest import ROOT
from tests.stopping.conftest import all_gone, at_the_gate, ended, kill_leftovers
from tests.test_steps import process_gone, wait_for


def session_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[3])


def escaping(stack, tmp_path):
    """An EscapingJob at its gate (at_the_gate), its escaped child alive in a session of its own."""
    return at_the_gate(stack, "EscapingJob", tmp_path / "gate")


def check_escaped(pids) -> None:
    assert not process_gone(pids["escaped"]) and not process_gone(pids["child"])
    assert session_of(pids["escaped"]) != session_of(pids["step"]) == session_of(pids["child"])


def test_cancel_kills_the_child_that_left_the_step_s_process_group(stack, tmp_path):
    with escaping(stack, tmp_path) as (ref, pids):
        check_escaped(pids)
        asked = stack.http().post(f"{stack.url}/api/v1/executions/{ref}/cancel", timeout=10)
        assert asked.status_code < 300, asked.text
        assert ended(stack, ref)["state"] == "CANCELED"
        assert all_gone([pids["escaped"], pids["child"], pids["step"]])


def test_a_step_that_ends_leaves_none_of_its_processes_behind(stack, tmp_path):
    with escaping(stack, tmp_path) as (ref, pids):
        check_escaped(pids)
        (tmp_path / "gate").touch()
        assert ended(stack, ref)["state"] == "SUCCEEDED"
        assert all_gone([pids["escaped"], pids["child"]])


def test_a_killed_worker_leaves_none_of_its_step_s_processes_behind(stack, tmp_path):
    with escaping(stack, tmp_path) as (_, pids):
        check_escaped(pids)
        stack.worker.kill()
        stack.worker.wait()
        assert all_gone([pids["escaped"], pids["child"], pids["step"], pids["horse"]])


#: a subreaper whose shell child leaves a grandchild in a session of its own, then ends: the
#: grandchild is handed to the subreaper, which finds it, ends it and says its pid
SUBREAPER = """
import subprocess, sys
from jobgate.tools import processes
assert processes.subreaper()
shell = subprocess.run(["sh", "-c", "setsid sleep 300 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True)
escaped = int(shell.stdout)
found = processes.descendants()
print(escaped, escaped in found, processes.end_descendants() == [escaped], processes.descendants())
"""


def test_a_subreaper_finds_and_ends_an_orphan_that_left_its_session():
    ran = subprocess.run([sys.executable, "-c", SUBREAPER], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert ran.returncode == 0, ran.stderr
    escaped, found, ended, left = ran.stdout.split(maxsplit=3)
    try:
        assert (found, ended, left.strip()) == ("True", "True", "[]")
        assert process_gone(int(escaped))
    finally:
        kill_leftovers([int(escaped)])


def test_ending_a_tree_kills_every_process_below_it_but_those_it_spares():
    tree = subprocess.Popen(["sh", "-c", "sleep 300 & sleep 300 & wait"])
    try:
        assert wait_for(lambda: len(processes.descendants(tree.pid)) == 2, timeout=10)
        kept, doomed = processes.descendants(tree.pid)
        assert processes.end_descendants(tree.pid, spare=[kept], reap=False) == [doomed]
        assert all_gone([doomed]) and not process_gone(kept)
        assert processes.end_descendants(tree.pid, reap=False) == [kept] and all_gone([kept])
        assert tree.wait(10) == 0                        # its children ended, its `wait` returned
    finally:
        tree.kill()
        tree.wait()
