"""`mlops-audit verify` exit codes and output; any single flipped byte of audit.jsonl is detected."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_audit.cli import cli
from mlops_audit.errors import InputError
from mlops_audit.evidence.trail import AuditTrail, verify_run
from mlops_audit.evidence.trail.keys import generate_signing_key, save_signing_key


def invoke(*args: str):  # noqa: ANN201
    return CliRunner().invoke(cli, ["verify", *args])


def test_intact_run_exits_0_with_a_summary(run_dir: Path) -> None:
    result = invoke(str(run_dir))
    assert result.exit_code == 0, result.output
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert "INTACT" in result.output and "NOT INTACT" not in result.output
    assert manifest["head_hash"] in result.output and manifest["merkle_root"] in result.output
    assert "signature:         absent" in result.output


def test_tampered_run_exits_1_and_lists_the_problems(run_dir: Path) -> None:
    (run_dir / "data" / "clean.csv").write_text("poisoned\n")
    result = invoke(str(run_dir))
    assert result.exit_code == 1
    assert "NOT INTACT" in result.output and "artefact data/clean.csv changed" in result.output
    assert "error: run run-test-0001 is NOT intact: 1 problem(s)" in result.output
    assert "Traceback" not in result.output


def test_json_format_is_parseable_and_names_the_first_bad_seq(run_dir: Path) -> None:
    lines = (run_dir / "audit.jsonl").read_bytes().split(b"\n")
    del lines[3]
    (run_dir / "audit.jsonl").write_bytes(b"\n".join(lines))
    result = invoke(str(run_dir), "--format", "json")  # click >= 8.2 keeps stdout and stderr apart
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and payload["first_bad_seq"] == 3
    assert "deleted" in [f["kind"] for f in payload["findings"]]
    assert "events" not in payload


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    missing = invoke(str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    empty = invoke(str(tmp_path))
    assert empty.exit_code == 2 and "no audit.jsonl" in empty.output


def test_audit_jsonl_path_is_accepted(run_dir: Path) -> None:
    assert invoke(str(run_dir / "audit.jsonl")).exit_code == 0


def test_pinned_public_key_and_required_signature(make_run, tmp_path: Path) -> None:  # noqa: ANN001
    key = generate_signing_key()
    save_signing_key(tmp_path / "k.pem", key)
    signed = make_run(signing_key=key)
    assert invoke(str(signed), "--public-key", str(tmp_path / "k.pem.pub")).exit_code == 0
    save_signing_key(tmp_path / "other.pem", generate_signing_key())
    assert invoke(str(signed), "--public-key", str(tmp_path / "other.pem.pub")).exit_code == 1
    unsigned = make_run()
    assert invoke(str(unsigned), "--require-signature").exit_code == 1
    assert invoke(str(unsigned), "--public-key", str(tmp_path / "absent.pub")).exit_code == 2


def test_trail_package_imports_without_heavy_dependencies() -> None:
    code = (
        "import sys, mlops_audit.evidence.trail as t, mlops_audit.evidence.trail.verify;"
        "heavy = [m for m in ('pandas', 'sklearn', 'numpy', 'cryptography') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- property: any single flipped byte is detected ------------------------------------------------

_step = st.fixed_dictionaries(
    {
        "clause": st.sampled_from(["PA.1.step1", "PA.2.step2", "PA.5.step3", "CASE.mra.2", "LC.loop"]),
        "action": st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12),
        "params": st.dictionaries(
            st.text(max_size=6),
            st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8), st.none()),
            max_size=3,
        ),
        "write_output": st.booleans(),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_step, min_size=1, max_size=5), data=st.data())
def test_flipping_any_byte_of_the_trail_is_detected(tmp_path_factory, steps, data) -> None:  # noqa: ANN001
    from datetime import UTC, datetime, timedelta

    run_dir = tmp_path_factory.mktemp("prop") / "run"
    ticks = iter(range(1000))
    trail = AuditTrail.create(
        run_dir, run_id="prop-run", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=next(ticks))
    )
    for index, step in enumerate(steps):
        outputs = []
        if step["write_output"]:
            (run_dir / f"out{index}.txt").write_text(f"output {index}")
            outputs = [f"out{index}.txt"]
        trail.record(clause=step["clause"], action=step["action"], actor="prop", role="tester",
                     outputs=outputs, params=step["params"], metrics={"i": index})
    trail.close()
    assert verify_run(run_dir).ok

    path = run_dir / "audit.jsonl"
    original = path.read_bytes()
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="xor")
    tampered = bytearray(original)
    tampered[position] ^= flip
    path.write_bytes(bytes(tampered))
    try:
        result = verify_run(run_dir)
    except InputError:
        return  # unreadable input is reported as such (exit 2): also a detection
    assert not result.ok, f"byte {position} ^ {flip:#x} went unnoticed"
    shutil.rmtree(run_dir)
