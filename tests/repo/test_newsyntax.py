"""Code written for a newer Python than the one auditing it is still read (evidence/repo/newsyntax.py).

The premise of most cases is an interpreter older than the syntax (CI runs 3.11): under a newer
one the originals parse as they are and there is nothing to rewrite."""

from __future__ import annotations

import ast
import sys

import pytest

from mlops_audit.evidence.repo.newsyntax import downlevel, parse_newer

older = pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs an interpreter older than PEP 701/695 syntax")


def calls(module: ast.Module) -> dict[str, int]:
    """Dotted name of every call -> its line."""
    out = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Call):
            func = node.func
            name = ast.unparse(func)
            out[name] = node.lineno
    return out


@older
def test_an_f_string_reusing_its_quotes_is_blanked_and_the_rest_of_the_file_is_read_on_its_lines() -> None:
    code = 'import mlflow\nrow = {"id": 1}\nprint(f"run {row["id"]} done")\nmlflow.log_param("seed", 42)\n'
    with pytest.raises(SyntaxError):
        ast.parse(code)
    module, rewrite = parse_newer(code, "train.py")
    assert rewrite.blanked == 1 and rewrite.rewritten == 0
    assert calls(module) == {"print": 3, "mlflow.log_param": 4}


@older
def test_a_multi_line_replacement_field_with_a_comment_keeps_the_lines_after_it() -> None:
    code = 'x = 1\nmsg = f"total: {\n    x  # the count\n    + 1\n}"\nmodel.fit(X, y)\n'
    module, rewrite = parse_newer(code, "train.py")
    assert rewrite.blanked == 1
    assert calls(module) == {"model.fit": 6}


@older
def test_nested_format_specs_and_escaped_braces_are_one_literal() -> None:
    code = 's = f"{x!r:>{w}} {y:%H:%M} {{literal}} {d["k"]}"\nrandom.seed(7)\n'
    module, rewrite = parse_newer(code, "a.py")
    assert rewrite.blanked == 1 and calls(module) == {"random.seed": 2}


def test_f_strings_the_interpreter_can_parse_are_kept_as_written() -> None:
    code = "a = f\"{cfg['seed']}\"\nb = f'''{x}\n'''\nc = f\"{{\" + 'x'\ntype(a)\n"
    ast.parse(code)
    assert downlevel(code) is None  # nothing newer in it: nothing rewritten


@older
def test_type_aliases_and_generic_parameter_lists_become_older_syntax_on_the_same_lines() -> None:
    code = (
        "type Vec = list[float]\n"
        "type Pair[T] = tuple[T, T]\n"
        "def first[T](xs: list[T]) -> T:\n"
        "    return xs[0]\n"
        "class Box[T: (int, str)](Base):\n"
        "    pass\n"
        "async def go[T](\n"
        "    x: T): pass\n"
    )
    module, rewrite = parse_newer(code, "types.py")
    assert rewrite.rewritten == 5 and rewrite.blanked == 0
    defs = {n.name: n.lineno for n in ast.walk(module) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    assert defs == {"first": 3, "Box": 5, "go": 7}
    assigned = [n.targets[0].id for n in module.body if isinstance(n, ast.Assign)]
    assert assigned == ["Vec", "Pair"]


def test_type_as_an_ordinary_name_is_not_an_alias() -> None:
    code = "type = 'x'\ntype(obj)\nif type == 'a': pass\ndef f(:\n"
    assert downlevel(code) is None


@older
def test_an_unparenthesised_exception_list_is_parenthesised() -> None:
    code = "try:\n    train()\nexcept ValueError, TypeError:\n    retry()\n"
    module, rewrite = parse_newer(code, "a.py")
    assert rewrite.rewritten == 1
    handler = module.body[0].handlers[0]
    assert isinstance(handler.type, ast.Tuple) and handler.lineno == 3


@older
def test_a_template_string_is_blanked() -> None:
    module, rewrite = parse_newer('name = "x"\ntpl = t"hello {name}"\nrandom.seed(1)\n', "a.py")
    assert rewrite.blanked == 1 and calls(module) == {"random.seed": 3}


def test_broken_code_is_not_mistaken_for_newer_code() -> None:
    assert downlevel("def f(:\n    pass\n") is None
    assert parse_newer("def f(:\n    pass\n", "a.py") is None
    assert downlevel('x = f"{unterminated\n') is None
    assert parse_newer('print(f"{a["b"]}")\ndef g(:\n', "a.py") is None  # newer syntax and broken too: not parsed


def test_quotes_in_comments_and_names_ending_in_prefix_letters_do_not_open_strings() -> None:
    code = "# it's the team's model\nif\"a\" in x: pass\nelif'b' in y: pass\n"
    assert downlevel(code) is None


def test_huge_bracket_runs_are_bounded() -> None:
    code = "def f[" + "[" * 20_000 + "](): pass\n"
    assert downlevel(code) is None


@older
def test_collect_credits_what_a_newer_python_file_does_and_says_what_it_did_not_read(tmp_path) -> None:
    """End to end: the seed set in a 3.12 training script counts, and the problems say which strings were skipped."""
    from datetime import datetime

    from mlops_audit.evidence.repo.collect import collect
    from mlops_audit.evidence.repo.index import RepoIndex
    from mlops_audit.rubric.loader import default_rubric

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(
        "import random\nimport numpy as np\nfrom sklearn.linear_model import LogisticRegression\n\n"
        "def train(cfg, X, y):\n"
        "    random.seed(42)\n    np.random.seed(42)\n"
        '    print(f"training {cfg["name"]}")\n'
        "    model = LogisticRegression(random_state=42)\n    model.fit(X, y)\n    return model\n\n"
        "type Rows = list[dict]\n"
    )
    index = RepoIndex(tmp_path)
    summary = index.python("src/train.py")
    assert summary is not None and summary.syntax_errors == 0 and summary.unread_strings == 1
    assert "random.seed" in {c.name for c in summary.calls}
    assert index.syntax_tree("src/train.py") is not None
    assert [p for p in index.problems if "src/train.py" in p] == [
        f"src/train.py: written for a newer Python than 3.{sys.version_info.minor}: 1 f-/t-string(s) not analysed; the rest was read"
    ]
    result = collect(tmp_path, rubric=default_rubric(), now=datetime(2026, 1, 1))
    seeded = next(f for f in result.findings if f.detector == "is_reproducible")
    assert seeded.outcome.value in ("pass", "partial"), seeded.message
