"""`mlops-audit verify RUN_DIR`: check a pipeline run's audit trail, manifest and artefacts.

Exit 0 when the run is intact, 1 when it is not (the problems are printed first), 2 when the run
folder cannot be read at all.
"""

from __future__ import annotations

import click


@click.command("verify")
@click.argument("run_dir", type=click.Path(path_type=str))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Human-readable text or a JSON object.")
@click.option("--public-key", "public_key", type=click.Path(path_type=str), default=None,
              help="PEM Ed25519 public key the manifest must be signed with (pins the signer).")
@click.option("--require-signature", is_flag=True, help="Treat an unsigned manifest as a problem.")
def verify(run_dir: str, output_format: str, public_key: str | None, require_signature: bool) -> None:
    """Verify a pipeline run's audit trail and artefacts.

    RUN_DIR is a run folder (holding audit.jsonl and manifest.json) or the path of its audit.jsonl.
    Recomputes every event hash and link, the event count and Merkle root against the manifest,
    every artefact digest and the signature. Exit 0 intact, 1 not intact, 2 unreadable.
    """
    from mlops_audit.errors import VerificationFailed
    from mlops_audit.evidence.trail.verify import verify_run
    from mlops_audit.util.jsonio import pretty_json

    trusted = None
    if public_key is not None:
        from mlops_audit.evidence.trail.keys import load_public_key

        trusted = load_public_key(public_key)
    result = verify_run(run_dir, trusted_public_key=trusted, require_signature=require_signature)
    if output_format == "json":
        click.echo(pretty_json(result.summary_dict()), nl=False)
    else:
        click.echo(format_text(result))
    if not result.ok:
        where = f"; first bad seq {result.first_bad_seq}" if result.first_bad_seq is not None else ""
        raise VerificationFailed(
            f"run {result.run_id or run_dir} is NOT intact: {len(result.problems)} problem(s){where}"
        )


def format_text(result) -> str:  # type: ignore[no-untyped-def]  # VerificationResult, imported lazily
    status = "INTACT" if result.ok else "NOT INTACT"
    manifest_count = "no manifest" if result.manifest_event_count is None else f"manifest: {result.manifest_event_count}"
    signature = {
        "valid": f"valid (Ed25519, key id {(result.signature_keyid or '')[:16]}…)",
        "invalid": "INVALID",
        "absent": "absent (integrity only: anyone able to rewrite the whole folder could forge it)",
    }[result.signature]
    lines = [
        f"run {result.run_id or '?'}: {status}",
        f"  events:            {result.event_count} ({manifest_count})",
        f"  head hash:         {result.head_hash or '-'}",
        f"  merkle root:       {result.merkle_root}",
        f"  artefacts checked: {result.artifacts_checked}",
        f"  signature:         {signature}",
    ]
    if result.first_bad_seq is not None:
        lines.append(f"  first bad seq:     {result.first_bad_seq}")
    if result.problems:
        lines.append(f"problems ({len(result.problems)}):")
        lines.extend(f"  - {problem}" for problem in result.problems)
    return "\n".join(lines)
