"""The stored form of a cache entry (cacheform): call lines checked by hand exactly as the
documented `CallRow` type allows, decoded only when a rule reads them, and an entry whose call
lines fail the check never used (parsed again, counted corrupt, rewritten)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from mlops_audit.evidence.repo import cacheform, filecache
from mlops_audit.evidence.repo.cacheform import CallRow, StoredSummary, decode_call_rows
from mlops_audit.evidence.repo.filecache import ParseCache, content_digest
from mlops_audit.evidence.repo.pysource import Call, summarise

ROWS = TypeAdapter(list[CallRow])

# Rows the check accepts, with the calls they give.
GOOD = {
    '[]': [],
    '[["f",1,[],[],null]]': [Call("f", 1)],
    '[["m.f",null,[["k",true],["n",null]],[1,1.0,"s",false],"fn"]]': [Call("m.f", None, (("k", True), ("n", None)), (1, 1.0, "s", False), "fn")],
    '[["f",2,[["b",{"t":"bytes","v":"00ff"}]],[{"t":"ellipsis"},{"t":"float","v":"-inf"},{"t":"complex","v":[1,2.5]},{"t":"dict","v":3}],null]]': [
        Call("f", 2, (("b", b"\x00\xff"),), (Ellipsis, float("-inf"), complex(1.0, 2.5), {"__dict_size__": 3}))
    ],
}

# Rows `CallRow` refuses: the check refuses them too.
BAD_SHAPE = [
    '{}', '"f"', '[["f",1,[],[]]]', '[["f",1,[],[],null,0]]', '[[1,1,[],[],null]]', '[["f","1",[],[],null]]',
    '[["f",true,[],[],null]]', '[["f",1.0,[],[],null]]', '[["f",1,{},[],null]]', '[["f",1,[],{},null]]',
    '[["f",1,[],[],3]]', '[["f",1,[["k"]],[],null]]', '[["f",1,[["k",1,2]],[],null]]', '[["f",1,[[1,1]],[],null]]',
    '[["f",1,[],[[1]],null]]', '[["f",1,[],[{"t":"bytes","v":"00","x":1}],null]]', '[["f",1,[],[{"t":"set"}],null]]',
    '[["f",1,[],[{"v":1}],null]]', '[["f",1,[],[{"t":"bytes","v":[1]}],null]]', '[["f",1,[],[{"t":"complex","v":[true,1.0]}],null]]',
    '[["f",1,[],[{"t":"complex","v":[1.0]}],null]]', '[["f",1,[],[{"t":"float","v":1.5}],null]]', "[" * 100_000 + "]" * 100_000,
    # a bad keyword pair after a tagged one (checked all the same)
    '[["f",1,[["k",{"t":"ellipsis"}],{"a":1,"b":2}],[],null]]', '[["f",1,[["k",{"t":"ellipsis"}],[1,2]],[],null]]',
    '[["f",1,[["k",{"t":"ellipsis"}],["j",[1]]],[],null]]',
]

# Rows `CallRow` allows but whose tagged constant decodes to nothing: refused (as format 5 refused them).
BAD_TAG = [
    '[["f",1,[],[{"t":"bytes","v":"not hex"}],null]]', '[["f",1,[],[{"t":"float","v":"1.5"}],null]]',
    '[["f",1,[],[{"t":"dict","v":"3"}],null]]', '[["f",1,[],[{"t":"complex","v":"1j"}],null]]', '[["f",1,[],[NaN],null]]',
    '[["f",1,[],[{"t":"complex","v":[1' + "0" * 400 + ',1.0]}],null]]',  # an integer past the float range
]


@pytest.mark.parametrize("text", list(GOOD))
def test_good_rows_decode_to_their_calls_as_the_model_allows(text: str) -> None:
    ROWS.validate_json(text)  # the documented type allows it
    calls = decode_call_rows(text.encode())
    assert calls == GOOD[text]
    assert [[type(v) for v in c.args] for c in calls] == [[type(v) for v in c.args] for c in GOOD[text]]  # 1 stays int, 1.0 float


@pytest.mark.parametrize("text", BAD_SHAPE)
def test_rows_the_model_refuses_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        ROWS.validate_json(text)
    with pytest.raises(ValueError):
        decode_call_rows(text.encode())


@pytest.mark.parametrize("text", BAD_TAG)
def test_tagged_constants_that_decode_to_nothing_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        decode_call_rows(text.encode())


SOURCE = "import mlflow\nmlflow.log_param('a', 1)\n\n@mlflow.trace\ndef f():\n    mlflow.log_metric('m', 2.0)\n"


def test_a_hit_decodes_its_calls_only_when_read_and_equals_a_fresh_parse(tmp_path: Path) -> None:
    ParseCache(tmp_path, b"k" * 32).summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    cache = ParseCache(tmp_path, b"k" * 32)
    hit = cache.summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    assert isinstance(hit, StoredSummary) and hit.undecoded is not None and cache.stats.hits == 1
    assert hit.imports_module("mlflow") and hit.undecoded is not None  # the head needs no call
    # A query decodes only the rows it returns (the row map, line 5); reading `calls` decodes them all.
    assert [c.name for c in hit.calls_to("mlflow")] == ["mlflow.log_param", "mlflow.log_metric"] and hit.undecoded is not None
    assert hit.calls == summarise("a.py", [SOURCE]).calls and hit.undecoded is None
    fresh = summarise("a.py", [SOURCE])
    assert hit == fresh and fresh == hit and hit.decorators == fresh.decorators
    assert hit != summarise("a.py", [SOURCE + "mlflow.end_run()\n"])


def test_an_entry_rewritten_from_a_hit_keeps_its_call_lines_byte_for_byte(tmp_path: Path) -> None:
    cold = ParseCache(tmp_path, b"k" * 32)
    first = cold.summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    digest = content_digest([SOURCE], is_notebook=False)
    written = cold.entry_bytes(digest, first)
    warm = ParseCache(tmp_path, b"k" * 32)
    hit = warm.summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    assert warm.entry_bytes(digest, hit) == written and hit.undecoded is not None  # no decoding to store it again
    assert hit.calls == first.calls and warm.entry_bytes(digest, hit) == written  # nor after


@pytest.mark.parametrize("line", [1, 2], ids=["calls", "decorators"])
def test_an_authentic_entry_whose_call_line_fails_the_check_is_parsed_again_and_rewritten(tmp_path: Path, line: int) -> None:
    cache = ParseCache(tmp_path, b"k" * 32)
    cache.summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    folder, name = cache._name(content_digest([SOURCE], is_notebook=False))
    path = tmp_path / folder / name
    lines = path.read_bytes().partition(b"\n")[2].split(b"\n")
    lines[line] = json.dumps([["mlflow.log_param", "not a line", [], [], None]]).encode()  # the head checks out
    body = b"\n".join(lines)
    path.write_bytes(filecache._MAGIC + b" " + cache._mac(body).encode() + b"\n" + body)

    warm = ParseCache(tmp_path, b"k" * 32)
    hit = warm.summarise("a.py", [SOURCE], is_notebook=False, on_tree=None)
    assert warm.stats.hits == 1  # the head was fine: nothing read from the call lines yet
    assert hit.calls == summarise("a.py", [SOURCE]).calls and hit.decorators == summarise("a.py", [SOURCE]).decorators  # never the bad rows
    assert (warm.stats.hits, warm.stats.misses, warm.stats.rejected["corrupt"], warm.stats.stored) == (0, 1, 1, 1)
    again = ParseCache(tmp_path, b"k" * 32)
    assert again.summarise("a.py", [SOURCE], is_notebook=False, on_tree=None) == summarise("a.py", [SOURCE])
    assert again.stats.hits == 1 and sum(again.stats.rejected.values()) == 0


def test_the_stored_form_is_part_of_the_parser_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Editing cacheform.py (how entries are laid out) makes older entries other_version."""
    before = filecache.parser_version()
    edited = tmp_path / "cacheform.py"
    edited.write_bytes(Path(cacheform.__file__).read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(cacheform, "__file__", str(edited))
    filecache.parser_version.cache_clear()
    try:
        assert filecache.parser_version() != before
    finally:
        monkeypatch.undo()
        filecache.parser_version.cache_clear()
    assert filecache.parser_version() == before


def test_any_mutation_of_a_call_line_decodes_or_is_refused_never_another_error() -> None:
    """Whatever bytes an authentic line holds, the check gives calls or a ValueError (then the
    calls are parsed again): 3,000 seeded random edits of a real line with tagged constants."""
    import random

    from tests.portfolio.test_filecache import TRICKY

    line = cacheform._dumps([cacheform._encode_call(c) for c in summarise("t.py", [TRICKY]).calls if "\\ud800" not in repr(c)])
    alphabet = b'[]{}",:0123456789.-eE+tfnulrsa\\ \x00\xff'
    rng = random.Random(14)
    outcomes = {"decoded": 0, "refused": 0}
    for _ in range(3000):
        data = bytearray(line)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            choice = rng.random()
            if choice < 0.4:
                data[at] = rng.choice(alphabet)
            elif choice < 0.7:
                del data[at : at + rng.randint(1, 8)]
            else:
                data[at:at] = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
        try:
            calls = decode_call_rows(bytes(data))
        except ValueError:
            outcomes["refused"] += 1
        else:
            assert all(isinstance(c, Call) for c in calls)
            outcomes["decoded"] += 1
    assert outcomes["refused"] > 1000 and outcomes["decoded"] > 50  # both paths exercised
