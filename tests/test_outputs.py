"""Output safety (issue 14): ruralsim replaces only its own output of the same kind, never a user's files."""

import errno
import json
import os
import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.ui import outputs
from sim.ui.cli import main
from sim.core.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "baseline.toml"
FAST = ["--scale", "0.01", "--years", "1", "--quiet"]
ALT = 'name = "alt"\n[shocks]\nillness_cost_mean_yuan = 5000.0\n'


def cli(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


@pytest.fixture
def alt_file(tmp_path):
    path = tmp_path / "alt.toml"
    path.write_text(ALT)
    return path


def test_a_foreign_manifest_and_user_files_survive_run_and_compare(tmp_path, alt_file, capsys):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "manifest.json").write_text('{"name": "my web app", "files": ["index.html"]}')
    (project / "notes.txt").write_text("keep me")
    (project / "src" / "data.csv").write_text("a,b\n1,2\n")
    before = snapshot(project)
    for command in (["run", *FAST, "--out", project], ["run", *FAST, "--out", project, "--force"],
                    ["compare", BASE, alt_file, *FAST, "--replicates", "2", "--out", project],
                    ["compare", BASE, alt_file, *FAST, "--replicates", "2", "--out", project, "--force"]):
        code, _, err = cli(command, capsys)
        assert code == 2, command
        assert one_line(err) and str(project) in err and "--out" in err
        assert snapshot(project) == before, f"{command[0]} touched the directory"
    assert not list(tmp_path.glob(".project.*")), "no staging directory left behind"


def test_rerunning_the_same_command_replaces_its_own_output(tmp_path, alt_file, capsys):
    out = tmp_path / "out"
    assert cli(["run", *FAST, "--out", out], capsys)[0] == 0
    assert cli(["run", *FAST, "--seed", "9", "--out", out], capsys)[0] == 0
    assert json.loads((out / "manifest.json").read_text())["seeds"]["root"] == 9
    cmp = tmp_path / "cmp"
    for _ in range(2):
        code, _, err = cli(["compare", BASE, alt_file, *FAST, "--replicates", "2", "--out", cmp], capsys)
        assert code == 0, err
    assert json.loads((cmp / outputs.MARKER).read_text())["kind"] == "compare"


def test_a_file_added_to_an_output_is_never_deleted(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli(["run", *FAST, "--out", out], capsys)[0] == 0
    (out / "my_notes.txt").write_text("mine")
    before = snapshot(out)
    for extra in ([], ["--force"]):
        code, _, err = cli(["run", *FAST, "--out", out, *extra], capsys)
        assert code == 2 and one_line(err) and "my_notes.txt" in err and "did not write" in err
        assert snapshot(out) == before


def test_another_kind_needs_force_and_a_sweep_store_is_never_replaced(tmp_path, alt_file, capsys):
    cmp = tmp_path / "cmp"
    assert cli(["compare", BASE, alt_file, *FAST, "--replicates", "2", "--out", cmp], capsys)[0] == 0
    code, _, err = cli(["run", *FAST, "--out", cmp], capsys)
    assert code == 2 and one_line(err) and "compare output" in err and "--force" in err
    assert cli(["run", *FAST, "--out", cmp, "--force"], capsys)[0] == 0
    assert json.loads((cmp / outputs.MARKER).read_text())["kind"] == "run"

    for store in (tmp_path / "store", tmp_path / "legacy_store"):
        (store / "results").mkdir(parents=True)
        (store / "results" / "part-1.parquet").write_bytes(b"PAR1")
        (store / "design.parquet").write_bytes(b"PAR1")
    outputs.write_marker(tmp_path / "store", "sweep", [])
    (tmp_path / "legacy_store" / "manifest.json").write_text(
        json.dumps({"kind": "sweep", "spec_hash": "abc", "files": ["manifest.json", "design.parquet", "results"]}))
    for store in (tmp_path / "store", tmp_path / "legacy_store"):
        before = snapshot(store)
        for command in (["run", *FAST, "--out", store, "--force"],
                        ["compare", BASE, alt_file, *FAST, "--replicates", "2", "--out", store, "--force"]):
            code, _, err = cli(command, capsys)
            assert code == 2 and one_line(err) and "store" in err
            assert snapshot(store) == before


def test_an_output_of_an_earlier_ruralsim_without_marker_needs_force(tmp_path, capsys):
    old = tmp_path / "old"
    assert cli(["run", *FAST, "--out", old], capsys)[0] == 0
    (old / outputs.MARKER).unlink()  # as written before the marker existed
    code, _, err = cli(["run", *FAST, "--out", old], capsys)
    assert code == 2 and one_line(err) and "--force" in err
    assert cli(["run", *FAST, "--out", old, "--force"], capsys)[0] == 0
    assert (old / outputs.MARKER).exists()


def _mount_point() -> str:
    for candidate in ("/proc", "/sys", "/dev", "/dev/shm", "/tmp", "/run"):
        if os.path.ismount(candidate):
            return candidate
    pytest.skip("no mount point to try")


@pytest.mark.parametrize("target", ["", " ", ".", "..", "/", "~", "mount", "file", "link"])
def test_unusable_out_paths_exit_2(target, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    path = {"mount": _mount_point(), "file": "a_file", "link": "link", "~": str(Path.home())}.get(target, target)
    before = snapshot(tmp_path)
    for command in (["run", *FAST, "--out", path], ["compare", BASE, BASE, *FAST, "--out", path]):
        code, _, err = cli(command, capsys)
        assert code == 2 and one_line(err) and "--out" in err, err
    assert snapshot(tmp_path) == before


# --- the rule, property-tested on check_target directly (fast) ---------------------------------
NAMES = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=12).filter(
    lambda n: n not in (".", "..", outputs.MARKER))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.sets(NAMES, max_size=5), listed=st.sets(NAMES, max_size=5),
       marker_kind=st.sampled_from([None, *outputs.KINDS]), kind=st.sampled_from(["run", "compare", "targets"]),
       force=st.booleans())
def test_check_target_accepts_only_directories_holding_nothing_but_our_files(tmp_path_factory, files, listed,
                                                                            marker_kind, kind, force):
    out = tmp_path_factory.mktemp("o") / "out"
    out.mkdir()
    for name in files:
        (out / name).write_text("x")
    if marker_kind is not None:
        outputs.write_marker(out, marker_kind, sorted(listed))
    entries = set(files) | ({outputs.MARKER} if marker_kind else set())
    try:
        outputs.check_target(out, kind, force=force)
        accepted = True
    except InputError as exc:
        accepted = False
        assert str(out) in str(exc) and "\n" not in str(exc)
    if accepted and entries:
        assert marker_kind is not None and marker_kind not in outputs.STORE_KINDS
        assert entries <= set(listed) | {outputs.MARKER}, "a file ruralsim did not write would be replaced"
        assert marker_kind == kind or force
    if not entries:
        assert accepted


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.text(min_size=0, max_size=8), min_size=1, max_size=3))
def test_any_out_path_is_refused_cleanly_or_is_a_new_directory(tmp_path_factory, parts):
    base = tmp_path_factory.mktemp("p")
    raw = "/".join(parts)
    path = str(base / raw) if raw.strip() else raw
    try:
        checked = outputs.check_path(path)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    except ValueError:  # NUL in a path: os functions refuse it
        pytest.fail("a NUL in the path must give an InputError")
    resolved = checked.resolve()
    assert resolved != Path(resolved.anchor) and not os.path.ismount(resolved)
    assert not checked.exists() or checked.is_dir()


# --- I/O failures: exit 1, one line, the previous result intact ---------------------------------
@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EACCES])
def test_a_failed_write_keeps_the_previous_output(failure, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert cli(["run", *FAST, "--out", out], capsys)[0] == 0
    before = snapshot(out)

    def fail(self, path, *a, **k):
        raise OSError(failure, os.strerror(failure), str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail)
    code, _, err = cli(["run", *FAST, "--seed", "5", "--out", out], capsys)
    assert code == 1 and one_line(err), err
    assert os.strerror(failure) in err and "nothing was written" in err and "previous output" in err
    assert snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")], "no staging directory left"


def test_a_failed_swap_restores_the_previous_output(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert cli(["run", *FAST, "--out", out], capsys)[0] == 0
    before = snapshot(out)
    real_rename = Path.rename

    def rename(self, target):
        if self.name.startswith(".out.partial"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    code, _, err = cli(["run", *FAST, "--seed", "5", "--out", out], capsys)
    assert code == 1 and one_line(err) and "Permission denied" in err
    assert snapshot(out) == before


def test_a_failed_first_write_leaves_no_directory(tmp_path, monkeypatch, capsys):
    def fail(self, path, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail)
    code, _, err = cli(["run", *FAST, "--out", tmp_path / "new"], capsys)
    assert code == 1 and one_line(err) and "no directory was created" in err
    assert list(tmp_path.iterdir()) == []
