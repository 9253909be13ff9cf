"""Command-line entry point. Thin: it parses arguments and calls library functions.

Subcommands live in `mlops_audit.commands.<module>` and are imported only when invoked, so that
`mlops-audit --help` never loads pandas, scikit-learn or WeasyPrint. Their one-line help is kept
here for the same reason; a test checks it matches each command's own help.
"""

from __future__ import annotations

import importlib

import click

from mlops_audit import __version__
from mlops_audit.errors import AuditError

# name -> (module:attribute, one-line help). Adding a command is one line here plus its module.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("mlops_audit.commands.demo:demo", "Run the whole product end to end on bundled material."),
    "rubric": ("mlops_audit.commands.rubric:rubric", "List, show, validate and inspect rubrics."),
    "questionnaire": (
        "mlops_audit.commands.questionnaire:questionnaire",
        "Export, check and merge questionnaires.",
    ),
    "collect": ("mlops_audit.commands.collect:collect", "Collect evidence from a code repository."),
    "pipeline": ("mlops_audit.commands.pipeline:pipeline", "Run the reference MLOps pipeline."),
    "verify": ("mlops_audit.commands.verify:verify", "Verify a pipeline run's audit trail and artefacts."),
    "keygen": ("mlops_audit.commands.keygen:keygen", "Create an Ed25519 key pair for signing run manifests."),
    "assess": ("mlops_audit.commands.assess:assess", "Score answers and evidence against a rubric and write assessment.json."),
    "report": ("mlops_audit.commands.report:report", "Render an assessment as HTML, PDF and exports."),
    "diff": ("mlops_audit.commands.diff:diff", "Compare two assessments."),
    "init": ("mlops_audit.commands.init:init", "Write a starter campaign folder: questionnaire, waiver template and a README of next steps."),
    "portfolio": ("mlops_audit.commands.portfolio:portfolio", "Collect and roll up evidence from many repositories."),
    "serve": ("mlops_audit.commands.serve:serve", "Serve assessment campaigns in the browser, on SQLite or PostgreSQL."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (click docs, 'Lazily Loading')."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target[0].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return _not_built(cmd_name)
            raise
        return getattr(module, attribute)

    def invoke(self, ctx: click.Context) -> object:
        # One place turns an AuditError into its message and exit code, for the console script and
        # for click's test runner alike: no traceback reaches the user.
        try:
            return super().invoke(ctx)
        except AuditError as exc:
            click.echo(f"error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _not_built(name: str) -> click.Command:
    @click.command(
        name=name,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        help=f"NOT BUILT YET: {COMMANDS[name][1]}",
    )
    def placeholder() -> None:
        raise AuditError(f"'mlops-audit {name}' is not built yet in this version.")

    return placeholder


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlops-audit")
def cli() -> None:
    """Assess how well a team runs machine learning in production, against the CAICT MLOps guide
    (人工智能研发运营体系(MLOps)实践指南, 2023).

    Exit codes: 0 ok; 1 below --fail-under or verification failed; 2 bad input.
    """


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="mlops-audit")
