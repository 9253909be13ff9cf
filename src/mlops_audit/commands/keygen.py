"""`mlops-audit keygen`: an Ed25519 key pair for signing run manifests.

The private key signs runs (`pipeline run --sign-key`, or `AuditTrail.close(signing_key)` in your
own pipeline); its public key, given to `assess --trust-key`, makes those runs `verified`.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Private key file to write (PEM, mode 0600); the public key goes beside it as <name>.pub.")
@click.option("--force", is_flag=True, help="Overwrite existing key files.")
def keygen(out: Path, force: bool) -> None:
    """Create an Ed25519 key pair for signing run manifests."""
    from mlops_audit.evidence.trail.keys import generate_signing_key, key_id, save_signing_key

    key = generate_signing_key()
    path = save_signing_key(out, key, overwrite=force)
    click.echo(f"wrote {path} (private: keep it secret; sign runs with 'pipeline run --sign-key {path}')")
    click.echo(f"wrote {path.with_name(path.name + '.pub')} (public: trust it with 'assess --trust-key {path}.pub')")
    click.echo(f"key id {key_id(key)}")
