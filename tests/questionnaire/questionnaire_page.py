"""A stand-in browser for the HTML questionnaire: the page's form controls, a person's edits, and the page's
own script run in Node.js on the fields as a browser's FormData would give them.

`Page.parse(html)` reads the controls of `<form id="questionnaire">` in document order the way a
browser does (attribute values and text unescaped, the line break right after `<textarea>` dropped,
a select's selected option), so a test fills the page only through inputs that exist on it.
`Page.download()` runs the inline script (extracted from the page, not a copy) in Node and returns
what its pure function `answerFileFromEntries` produced: the answers file and the page's problems.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js ('node') is not installed: the page's script cannot be run")

_DRIVER = """
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const meta = JSON.parse(input.meta);
process.stdout.write(JSON.stringify(globalThis.mlopsAuditQuestionnaire.answerFileFromEntries(meta, input.entries)));
"""


@dataclass
class Control:
    tag: str  # input, textarea, select
    type: str  # text, radio, checkbox, textarea, select
    name: str
    value: str
    checked: bool = False
    in_form: bool = True


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[Control] = []
        self.scripts: dict[str, str] = {}
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.style = ""
        self._text: list[str] | None = None  # textarea, script or style content being read
        self._script_id: str | None = None
        self._in_form = False
        self._select: Control | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v if v is not None else "" for k, v in attrs}
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in a.items()]
        if tag == "form" and a.get("id") == "questionnaire":
            self._in_form = True
        elif tag == "input":
            kind = a.get("type", "text")
            default = "on" if kind in ("radio", "checkbox") else ""
            self.controls.append(Control("input", kind, a.get("name", ""), a.get("value", default), "checked" in a, self._in_form))
        elif tag == "textarea":
            self.controls.append(Control("textarea", "textarea", a.get("name", ""), "", in_form=self._in_form))
            self._text = []
        elif tag == "select":
            self._select = Control("select", "select", a.get("name", ""), "", in_form=self._in_form)
            self._options = []
        elif tag == "option":
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag in ("script", "style"):
            self._text = []
            self._script_id = a.get("id", "") if tag == "script" else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._text is not None:
            text = "".join(self._text)
            self.controls[-1].value = text.removeprefix("\n")  # one leading line break is dropped, as browsers do
            self._text = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self._select.value = chosen[-1] if chosen else ""
            self.controls.append(self._select)
            self._select = None
        elif tag == "script" and self._text is not None:
            self.scripts[self._script_id or ""] = "".join(self._text)
            self._text = None
        elif tag == "style" and self._text is not None:
            self.style = "".join(self._text)
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


@dataclass
class Page:
    html: str
    controls: list[Control]
    scripts: dict[str, str]
    tags: list[str]
    attrs: list[tuple[str, str, str]]
    style: str
    edits: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, html: str | bytes) -> Page:
        text = html.decode("utf-8") if isinstance(html, bytes) else html
        parser = _Parser()
        parser.feed(text)
        parser.close()
        return cls(text, parser.controls, parser.scripts, parser.tags, parser.attrs, parser.style)

    # What the page shows -------------------------------------------------------------------

    def named(self, name: str) -> list[Control]:
        return [c for c in self.controls if c.name == name]

    def value_of(self, name: str) -> str:
        [control] = self.named(name)
        return control.value

    def checked(self, name: str) -> list[str]:
        return [c.value for c in self.named(name) if c.checked]

    def options(self, name: str) -> list[str]:
        return [c.value for c in self.named(name) if c.type == "radio"]

    def question_ids(self) -> list[str]:
        return list(dict.fromkeys(c.name.split(":", 1)[1] for c in self.controls if c.name.startswith("value:")))

    @property
    def meta(self) -> dict[str, Any]:
        return json.loads(self.scripts["questionnaire-meta"])

    # What a person does ---------------------------------------------------------------------

    def type(self, name: str, text: str) -> Page:
        [control] = [c for c in self.named(name) if c.type in ("text", "textarea")]
        control.value = text
        return self

    def choose(self, name: str, value: str) -> Page:
        radios = [c for c in self.named(name) if c.type == "radio"]
        assert value in [r.value for r in radios], f"no radio button {name}={value!r} on the page"
        for radio in radios:
            radio.checked = radio.value == value
        return self

    def tick(self, name: str, value: str, on: bool = True) -> Page:
        [box] = [c for c in self.named(name) if c.type == "checkbox" and c.value == value]
        box.checked = on
        return self

    def select(self, name: str, value: str) -> Page:
        [control] = [c for c in self.named(name) if c.type == "select"]
        control.value = value
        return self

    def entries(self) -> list[list[str]]:
        """The form's fields as FormData lists them: checked boxes only, in document order."""
        out = []
        for c in self.controls:
            if not c.in_form or not c.name or (c.type in ("radio", "checkbox") and not c.checked):
                continue
            out.append([c.name, c.value])
        return out

    # The page's script -------------------------------------------------------------------------

    def download(self) -> tuple[dict[str, Any], list[str]]:
        """Run the page's own script in Node on the current fields: (answers file, problems)."""
        assert NODE is not None
        payload = json.dumps({"meta": self.scripts["questionnaire-meta"], "entries": self.entries()})
        done = subprocess.run(
            [NODE, "-e", self.scripts["questionnaire-logic"] + _DRIVER],
            input=payload,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        return result["file"], result["problems"]
