"""Review of session 13's code over untrusted repositories (review13): each search stays linear in
what a hostile file holds. Structural checks (the shape of a pattern, a count of walks), never timed."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.detectors import experiments
from mlops_audit.evidence.repo.model import FindingOutcome


def _top_level_alternatives(pattern: str, opening: str) -> list[str]:
    """The alternatives of the group that starts with `opening` in `pattern`."""
    start = pattern.index(opening) + len(opening)
    depth, parts, current = 0, [], ""
    for i, char in enumerate(pattern[start:], start):
        escaped = i > 0 and pattern[i - 1] == "\\"
        if char == "(" and not escaped:
            depth += 1
        elif char == ")" and not escaped:
            if depth == 0:
                return [*parts, current]
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    raise AssertionError("unclosed group")


def test_a_score_name_pattern_has_no_underscore_run_before_a_word_run():
    # `^_*(...|\w+_score|...)$` split a long name of underscores every way (`_*` and `\w+` both take
    # `_`), each split scanning to the name's end: quadratic in the name's length.
    after_underscores = _top_level_alternatives(experiments._SCORES.pattern, "_*(?:")
    assert after_underscores and not any(alt.startswith("\\w") for alt in after_underscores)


def test_score_names_are_judged_as_before():
    for name in ("score", "__score", "score_fold", "evaluate", "_evaluate_model", "eval_rmse", "cv_score", "___error",
                 "mean_squared_error", "_val_loss", "log_loss", "objective", "_rmse", "compute_auc", "ndcg_at_10", "mape"):
        assert experiments._SCORES.search(name), name
    for name in ("map", "acc", "precision", "_", "scores_table", "error", "loss", "_" * 5000 + "x", "fit"):
        assert not experiments._SCORES.search(name), name


# --- deployment: request handlers walked once per name -------------------------------------------

def _consumers(count: int, answering: int | None = None) -> str:
    """`count` Channels consumers whose `receive` each call a service; the one numbered `answering`
    (if any) asks the chat service."""
    classes = "".join(
        f"class Room{i}Consumer(AsyncWebsocketConsumer):\n    async def receive(self, text_data=None):\n"
        + ("        await self.send(text_data=await answer(text_data))\n" if i == answering else f"        await store.save_{i}(text_data)\n")
        + "\n\n"
        for i in range(count)
    )
    return "from channels.generic.websocket import AsyncWebsocketConsumer\n\nfrom chat import store\nfrom chat.services import answer\n\n\n" + classes


def _walks(monkeypatch, summary, run) -> tuple[int, int]:
    """(calls of `_reach`, names it returned in all) while `run(summary)` runs."""
    from mlops_audit.evidence.repo.detectors import deployment

    counted = [0, 0]
    reach = deployment._reach

    def counting(*args):
        seen, reached = reach(*args)
        counted[0] += 1
        counted[1] += len(reached)
        return seen, reached

    monkeypatch.setattr(deployment, "_reach", counting)
    run(summary)
    return counted[0], counted[1]


def test_consumers_sharing_a_method_name_are_walked_once_per_file(monkeypatch) -> None:
    # Calls are summarised by the bare name of their function: every class's `receive` reaches the
    # calls of all of them, so one walk per class was quadratic in the number of classes.
    from mlops_audit.evidence.repo.detectors import deployment
    from mlops_audit.evidence.repo.pysource import summarise

    for count in (100, 200):
        summary = summarise("chat/consumers.py", [_consumers(count)])
        entries = []
        walks, names = _walks(monkeypatch, summary, lambda s: entries.extend(deployment._entry_reaches(s)))
        assert [(line, handler) for line, handler, _ in entries] == [(7, "receive")]  # the first class's handler
        assert walks == 1 and names == count
        walks, _ = _walks(monkeypatch, summary, deployment._handlers_reaching_a_model)
        assert walks == 1


def test_the_consumer_asking_the_chain_still_serves_the_model_among_many(tmp_path: Path) -> None:
    from tests.repo.test_recall_session7 import _outcome, _tree
    from tests.repo.test_recall_session13 import CHAT_SERVICE

    store = "".join(f"async def save_{i}(text):\n    return text\n\n\n" for i in range(40))
    root = _tree(tmp_path, {"chat/services.py": CHAT_SERVICE, "chat/store.py": store, "chat/consumers.py": _consumers(40, answering=39)})
    assert _outcome(root, "serves_model")[0] is FindingOutcome.pass_
    relay = _tree(tmp_path / "relay", {"chat/services.py": CHAT_SERVICE, "chat/store.py": store, "chat/consumers.py": _consumers(40)})
    assert _outcome(relay, "serves_model")[0] is FindingOutcome.fail


def test_each_route_still_names_the_function_defined_after_it_among_many() -> None:
    from mlops_audit.evidence.repo.detectors import deployment
    from mlops_audit.evidence.repo.pysource import summarise

    routes = "".join(f"@app.get('/r{i}')\n@app.post('/r{i}')\ndef route{i}():\n    return helper{i}()\n\n\n" for i in range(300))
    summary = summarise("app.py", ["from fastapi import FastAPI\n\napp = FastAPI()\n\n\n" + routes])
    found = [(route.line, handler, reached[0]) for route, handler, _, reached in deployment._route_reaches(summary)]
    # Each of the two decorators of a route names the function after it.
    assert found == [(6 + 6 * i + j, f"route{i}", f"helper{i}") for i in range(300) for j in (0, 1)]


def test_routes_stacked_on_one_function_are_walked_once(monkeypatch) -> None:
    # One handler under many route decorators: its reach holds every decorator's call, and it was
    # walked (and judged) once per decorator.
    from mlops_audit.evidence.repo.detectors import deployment
    from mlops_audit.evidence.repo.pysource import summarise

    for count in (100, 200):
        routes = "".join(f"@app.get('/r{i}')\n" for i in range(count)) + "def index():\n    return page()\n"
        summary = summarise("app.py", ["from fastapi import FastAPI\n\napp = FastAPI()\n\n\n" + routes])
        found = []
        walks, names = _walks(monkeypatch, summary, lambda s: found.extend(deployment._route_reaches(s)))
        assert len(found) == count and walks == 1 and names == count + 1  # `page` and each decorator's `app.get`
        assert _walks(monkeypatch, summary, deployment._routes_reaching_a_model)[0] == 1
        assert deployment._routes_reaching_a_model(summary) == []
    predicting = "".join(f"@app.get('/r{i}')\n" for i in range(3)) + "def index(x):\n    return model.predict(x)\n"
    summary = summarise("app.py", ["from fastapi import FastAPI\nimport joblib\n\napp = FastAPI()\nmodel = joblib.load('m.pkl')\n\n\n" + predicting])
    assert [c.line for c in deployment._routes_reaching_a_model(summary)] == [8, 9, 10]  # each route still reported


# --- data: a function's checks are its own body's, not its nested functions' ----------------------

def _nested_checkers(depth: int, checks: int) -> str:
    """`depth` functions each defined in the one before, the innermost holding `checks` tests."""
    heads = "".join("    " * d + f"def check_{d}(df):\n" + "    " * (d + 1) + "assert df is not None\n" for d in range(depth))
    inner = "    " * depth
    return heads + "".join(f"{inner}missing_{i} = df.isnull().sum()\n{inner}assert not missing_{i}.any()\n" for i in range(checks))


def test_nested_functions_statements_are_walked_by_their_own_function_only(monkeypatch) -> None:
    # Each enclosing function walked (and credited) its nested functions' statements again: depth
    # times the file. Now every statement is walked by the function it belongs to, once for its
    # tests and once each for the names they assign (model outputs, derived tests).
    import ast

    from mlops_audit.evidence.repo.astutil import functions
    from mlops_audit.evidence.repo.detectors import data

    real = data._own_statements
    for depth in (10, 40):
        tree = ast.parse(_nested_checkers(depth, 50))
        walked = []
        monkeypatch.setattr(data, "_own_statements", lambda func: (walked.append(s) or s for s in real(func)))
        found = {func.name: data._checks_data(func) for _, func in functions(tree)}
        statements = 2 * depth + 100  # each head's def and assert, the innermost's 100 lines
        assert len(walked) <= 3 * statements
        assert found[f"check_{depth - 1}"] and all(lines == [] for name, lines in found.items() if name != f"check_{depth - 1}")


def test_a_nested_validator_nobody_calls_is_no_check_of_the_step_around_it(tmp_path: Path) -> None:
    from tests.repo.test_recall_session7 import _outcome, _tree
    from tests.repo.test_recall_session13 import _pipeline

    validator = (
        "    def _validate(frame):\n        if frame.isnull().any().any():\n            raise ValueError('missing values')\n\n"
    )
    unused = _pipeline(validator)
    assert _outcome(_tree(tmp_path / "unused", {"pipeline/prepare.py": unused}), "validates_data")[0] is FindingOutcome.fail
    called = _pipeline(validator + "    _validate(df)\n")
    assert _outcome(_tree(tmp_path / "called", {"pipeline/prepare.py": called}), "validates_data")[0] is FindingOutcome.pass_


# --- data: numpy's isin called with keywords ------------------------------------------------------

def test_values_checked_by_isin_with_keywords_are_judged_not_a_crash(tmp_path: Path) -> None:
    # `np.isin(element=..., test_elements=...)` has no positional argument: reading `args[0]` made the
    # whole validates_data detector crash on the repository.
    from tests.repo.test_recall_session13 import _validates

    keywords = "    if not np.isin(element=df['country'], test_elements=['DE', 'FR']).all():\n        raise ValueError('unknown country')\n"
    assert _validates(tmp_path / "data", keywords) is FindingOutcome.pass_
    setting = "    if not np.isin(element=config['mode'], test_elements=['train', 'serve']):\n        raise ValueError('unknown mode')\n"
    assert _validates(tmp_path / "setting", setting) is FindingOutcome.fail  # a setting tested, not data


# --- validates_data: `a network's own invariants` judges each base once (review13 on precision13) --
class _Summary:
    def __init__(self, classes: list[tuple[str, list[str]]]) -> None:
        self.classes = [(name, bases, 1, 1) for name, bases in classes]


class _CountingRepo:
    """Modules m (n classes deriving k.Y0..), k (n classes); counts how often a module is read."""

    def __init__(self, modules: dict[str, _Summary]) -> None:
        self.modules = modules
        self.reads = 0

    def exists(self, path: str) -> bool:
        return path in self.modules

    def python(self, path: str) -> _Summary:
        self.reads += 1
        return self.modules[path]


def _estate(n: int) -> tuple[_CountingRepo, _Summary]:
    k = _Summary([(f"Y{i}", ["object"]) for i in range(n)] + [("Net", ["torch.nn.Module"])])
    m = _Summary([("X", [f"k.Y{i}" for i in range(n)] + ["k.Net"])])
    here = _Summary([(f"C{i}", ["m.X"]) for i in range(n)])
    return _CountingRepo({"m.py": m, "k.py": k}), here


def test_network_bases_are_judged_once_per_base_and_each_module_read_once() -> None:
    from mlops_audit.evidence.repo.detectors.data import _Networks

    for n in (50, 200):
        repo, here = _estate(n)
        judge = _Networks(repo)  # type: ignore[arg-type]
        assert judge.classes(here) == {f"C{i}" for i in range(n)}  # through m.X -> k.Net -> torch.nn.Module
        assert repo.reads == 2  # m.py and k.py, whatever n


def test_a_project_class_without_a_network_base_is_not_a_network() -> None:
    from mlops_audit.evidence.repo.detectors.data import _Networks

    repo = _CountingRepo({"m.py": _Summary([("X", ["k.Y"])]), "k.py": _Summary([("Y", ["k.Z"]), ("Z", ["torch.nn.Module"])])})
    here = _Summary([("Near", ["m.X"]), ("Direct", ["torch.nn.Module"]), ("Plain", ["object"])])
    # Near is three hops from nn.Module (m.X -> k.Y -> k.Z): beyond MAX_BASE_HOPS, as before the memo
    assert _Networks(repo).classes(here) == {"Direct"}  # type: ignore[arg-type]
