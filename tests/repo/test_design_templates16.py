"""Session 16: design documents recognised by the published templates they follow, wherever they sit.

- A document (Markdown, reStructuredText, AsciiDoc, org-mode, a plain-text README) whose filled-in
  sections are those of a published template - an architecture decision record (Nygard, MADR), arc42,
  a design doc / RFC (goals and non-goals, proposed design, alternatives considered), a model card
  (Mitchell et al., Hugging Face), a datasheet for a dataset (Gebru et al.) - is a design document
  wherever it lives; a few sections of a template, or a template left unfilled, are not.
- A diagram drawn as code inside a document (a Mermaid or PlantUML block, the form GitHub, GitLab,
  Sphinx and Asciidoctor render) draws the system's flow: the document is design, except the root
  README (conventions §14) and charts that are not a system's structure (Gantt, pie).
- Diagram files by their published format: draw.io (`.drawio`, `.drawio.svg` with the `mxfile` XML),
  Excalidraw scenes, Structurizr DSL workspaces (C4).
- A plain-text README of a part (`Readme.txt`) and org-mode pages are read for their headings too.
Each rule has at least two pass fixtures written differently from each other and a near miss.
"""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.collect import build_index, run_detector
from mlops_audit.evidence.repo.model import FindingOutcome
from mlops_audit.evidence.repo.registry import get_detector
from tests.repo.test_content_session15 import SYSTEM_CODE
from tests.repo.test_recall_session7 import _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail
SENTENCE = "The nightly job reads the warehouse extract, scores every open claim and writes the scores to the review queue. "


def _paragraph(n: int = 2) -> str:
    return SENTENCE * n


def _design(root: Path) -> tuple[FindingOutcome, list[str], str]:
    found = run_detector(get_detector("has_design_docs"), build_index(root))
    return found.outcome, [loc.path for loc in found.locations], found.message


# --- documents following a published template, anywhere in the tree ----------------------------------

NYGARD_ADR = f"""# 7. Score claims in batches

Date: 2024-03-02

## Status

Accepted

## Context

{_paragraph()}

## Decision

We score all open claims once a night instead of scoring each claim when it is filed.

## Consequences

{_paragraph()}
"""

MADR_RST = f"""Keep features in Postgres
=========================

Context and Problem Statement
-----------------------------

{_paragraph()}

Considered Options
------------------

* a feature store service
* tables in the existing Postgres database

Decision Outcome
----------------

Chosen option: tables in Postgres, because the team already runs it and the volume is small.

Pros and Cons of the Options
----------------------------

{_paragraph()}
"""


def test_a_decision_record_in_nygards_form_is_design_wherever_it_is_kept(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "notes/2024-03-batch-scoring.md": NYGARD_ADR})
    outcome, paths, _ = _design(root)
    assert outcome is PASS and paths == ["notes/2024-03-batch-scoring.md"]


def test_a_madr_record_in_restructuredtext_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "platform/records/postgres-features.rst": MADR_RST})
    outcome, paths, _ = _design(root)
    assert outcome is PASS and paths == ["platform/records/postgres-features.rst"]


ARC42_ADOC = f"""= Claims scoring: architecture

== Introduction and Goals

{_paragraph()}

== Solution Strategy

{_paragraph()}

== Building Block View

{_paragraph()}

== Runtime View

{_paragraph()}
"""

DESIGN_DOC = f"""# Ranking service one-pager

## Objective

{_paragraph(1)}

## Goals and non-goals

Goals: rank the review queue by expected loss. Non-goals: explaining single scores to claimants.

## Proposed design

{_paragraph()}

## Alternatives considered

{_paragraph(1)}

## Rollout

Shadow mode for two weeks, then the queue switches to the new order.
"""


def test_an_arc42_description_in_asciidoc_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "handbook/claims.adoc": ARC42_ADOC})
    assert _design(root)[:2] == (PASS, ["handbook/claims.adoc"])


def test_a_design_doc_with_goals_proposal_and_alternatives_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "services/ranker/ONE_PAGER.md": DESIGN_DOC})
    assert _design(root)[:2] == (PASS, ["services/ranker/ONE_PAGER.md"])


MITCHELL_CARD = f"""# Claim fraud classifier

## Model Details

Gradient-boosted trees trained by the claims analytics team, version 3.

## Intended Use

{_paragraph(1)}

## Factors

Claim type and region; small regions are grouped.

## Metrics

Recall at 5 % review rate, measured per region.

## Ethical Considerations

{_paragraph(1)}

## Caveats and Recommendations

Not for claims filed before 2019.
"""

HF_CARD = f"""---
license: apache-2.0
datasets:
- internal/claims-2024
---

# claims-ner

## Uses

### Direct Use

Tags policy numbers and amounts in claim letters before scoring.

### Out-of-Scope Use

Letters in languages other than English.

## Bias, Risks, and Limitations

{_paragraph(1)}

## Training Details

{_paragraph(1)}
"""


def test_a_model_card_with_mitchells_sections_beside_the_model_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "models/fraud/CARD.md": MITCHELL_CARD})
    assert _design(root)[:2] == (PASS, ["models/fraud/CARD.md"])


def test_a_hugging_face_style_card_in_a_service_folder_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "serving/ner/MODEL_INFO.md": HF_CARD})
    assert _design(root)[:2] == (PASS, ["serving/ner/MODEL_INFO.md"])


DATASHEET = f"""# Claims 2024 extract

## Motivation

{_paragraph(1)}

## Composition

One row per claim with 41 columns; amounts in euros.

## Collection Process

Exported nightly from the claims system by the ingestion job.

## Uses

Training and evaluating the fraud classifier only.

## Maintenance

The data team refreshes it monthly.
"""


def test_a_datasheet_for_the_training_data_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "ingest/DATASET.md": DATASHEET})
    assert _design(root)[:2] == (PASS, ["ingest/DATASET.md"])


def test_everyday_headings_that_share_words_with_templates_are_not_design(tmp_path: Path) -> None:
    """Near miss: a tutorial's 'Decision trees', 'Context managers', 'Status codes', 'Metrics' do not
    make a record; nor do two sections of a model card in a notes file."""
    tutorial = "".join(f"## {title}\n\n{_paragraph()}\n\n" for title in ("Decision trees", "Context managers", "Status codes", "Consequences of leakage"))
    notes = "".join(f"## {title}\n\n{_paragraph()}\n\n" for title in ("Metrics", "Training data", "Usage"))
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "notes/python-tips.md": tutorial, "notes/run-log.md": notes})
    assert _design(root)[0] is FAIL


def test_a_template_left_unfilled_is_not_design(tmp_path: Path) -> None:
    """Near miss: the Hugging Face card template as generated, every section '[More Information Needed]'."""
    sections = ("Model Details", "Uses", "Direct Use", "Out-of-Scope Use", "Bias, Risks, and Limitations", "Training Details", "Evaluation")
    card = "# Model Card for Model ID\n\n" + "".join(f"## {title}\n\n<!-- Provide details. -->\n\n[More Information Needed]\n\n" for title in sections)
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "checkpoints/MODEL_INFO.md": card})
    assert _design(root)[0] is FAIL


# --- diagrams drawn as code inside documents --------------------------------------------------------

MERMAID_RUNBOOK = f"""## Weekly run

{_paragraph()}

```mermaid
flowchart TD
  cfg[config generator] -- upload --> store[(config bucket)]
  store -- pull --> job(batch job)
  data[(gold tables)] -- pull --> job
  job -- write --> out[(results bucket)]
```

## Getting started

Run `make run-prod` from the analyst workstation.
"""

PLANTUML_RST = f"""Scoring requests
================

{_paragraph()}

.. uml::

   @startuml
   actor Reviewer
   Reviewer -> Gateway : open queue
   Gateway -> Ranker : rank(claims)
   Ranker -> FeatureDB : read features
   Ranker --> Gateway : ordered claims
   @enduml
"""

ASCIIDOC_MERMAID = f"""= Ingestion

{_paragraph()}

[mermaid]
....
sequenceDiagram
  Scheduler->>Extractor: start
  Extractor->>Warehouse: query claims
  Extractor->>Validator: rows
  Validator-->>Scheduler: report
....
"""


def test_a_runbook_with_a_mermaid_flow_of_the_system_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "ops/WEEKLY_RUN.md": MERMAID_RUNBOOK})
    assert _design(root)[:2] == (PASS, ["ops/WEEKLY_RUN.md"])


def test_a_sphinx_page_with_a_plantuml_sequence_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "services/api/requests.rst": PLANTUML_RST})
    assert _design(root)[:2] == (PASS, ["services/api/requests.rst"])


def test_an_asciidoc_page_with_a_mermaid_block_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "pipeline/ingest.adoc": ASCIIDOC_MERMAID})
    assert _design(root)[:2] == (PASS, ["pipeline/ingest.adoc"])


def test_charts_small_diagrams_and_the_root_readmes_diagram_are_not_design(tmp_path: Path) -> None:
    """Near misses: a Gantt plan, a pie chart, a two-box sketch, and the root README's flowchart."""
    gantt = f"# Plan\n\n{_paragraph()}\n\n```mermaid\ngantt\n  title Q3\n  section Data\n  Extract :a1, 2024-07-01, 10d\n  Clean :after a1, 5d\n  Train :after a1, 5d\n```\n"
    pie = f"# Sources\n\n{_paragraph()}\n\n```mermaid\npie title Claims\n  \"web\" : 40\n  \"phone\" : 35\n  \"mail\" : 25\n```\n"
    sketch = f"# Sketch\n\n{_paragraph()}\n\n```mermaid\ngraph LR\n  A --> B\n```\n"
    root_readme = f"# Project\n\n{_paragraph()}\n\n```mermaid\nflowchart LR\n  a --> b\n  b --> c\n  c --> d\n  d --> e\n```\n"
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "planning/q3.md": gantt, "notes/sources.md": pie, "notes/sketch.md": sketch, "README.md": root_readme})
    assert _design(root)[0] is FAIL


# --- diagram files by their published format ---------------------------------------------------------

DRAWIO_XML = """<mxfile host="app.diagrams.net"><diagram id="a" name="Page-1"><mxGraphModel><root>
<mxCell id="0"/><mxCell id="1" parent="0"/>
<mxCell id="2" value="Extractor" vertex="1" parent="1"><mxGeometry x="10" y="10" width="80" height="40" as="geometry"/></mxCell>
<mxCell id="3" value="Scorer" vertex="1" parent="1"><mxGeometry x="150" y="10" width="80" height="40" as="geometry"/></mxCell>
<mxCell id="4" edge="1" source="2" target="3" parent="1"><mxGeometry relative="1" as="geometry"/></mxCell>
</root></mxGraphModel></diagram></mxfile>
"""
DRAWIO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="731px" height="181px" '
    'content="&lt;mxfile&gt;&lt;diagram id=&quot;6QW1&quot; name=&quot;Page-1&quot;&gt;1ZdNc5swEIZ/Dcd0+DDYOSb+aA/JTGacmZ4VtAa1AjFCNnZ'
    '&lt;/diagram&gt;&lt;/mxfile&gt;"><defs/><g><rect x="0" y="0" width="120" height="60"/><text x="10" y="30">Triage</text>'
    '<rect x="200" y="0" width="120" height="60"/><text x="210" y="30">Publish</text></g></svg>\n'
)
EXCALIDRAW = """{
  "type": "excalidraw",
  "version": 2,
  "source": "https://excalidraw.com",
  "elements": [
    {"id": "a", "type": "rectangle", "x": 0, "y": 0, "width": 120, "height": 60},
    {"id": "b", "type": "text", "x": 10, "y": 20, "text": "ingest"},
    {"id": "c", "type": "arrow", "x": 120, "y": 30, "width": 80, "height": 0},
    {"id": "d", "type": "rectangle", "x": 200, "y": 0, "width": 120, "height": 60}
  ],
  "appState": {"viewBackgroundColor": "#ffffff"}
}
"""
STRUCTURIZR = """workspace "Claims" {
    model {
        reviewer = person "Reviewer"
        claims = softwareSystem "Claims scoring" {
            api = container "Ranking API"
            db = container "Feature database"
        }
        reviewer -> api "Opens the queue"
        api -> db "Reads features"
    }
    views {
        container claims {
            include *
        }
    }
}
"""


def test_drawio_diagrams_kept_as_svg_or_xml_are_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "docs/triage-flow.drawio.svg": DRAWIO_SVG, "design-notes/scoring.drawio": DRAWIO_XML})
    outcome, paths, _ = _design(root)
    assert outcome is PASS and sorted(paths) == ["design-notes/scoring.drawio", "docs/triage-flow.drawio.svg"]


def test_an_excalidraw_scene_and_a_structurizr_workspace_are_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "sketches/pipeline.excalidraw": EXCALIDRAW, "c4/workspace.dsl": STRUCTURIZR})
    outcome, paths, _ = _design(root)
    assert outcome is PASS and sorted(paths) == ["c4/workspace.dsl", "sketches/pipeline.excalidraw"]


def test_plain_images_empty_scenes_and_other_dsl_files_are_not_design(tmp_path: Path) -> None:
    """Near misses: an SVG icon (no diagram XML), an Excalidraw scene with nothing drawn, a `.dsl` file of another language."""
    icon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2L2 22h20z"/></svg>\n'
    empty = '{"type": "excalidraw", "version": 2, "elements": [], "appState": {}}\n'
    other_dsl = "rule scoring {\n  when claim.amount > 1000\n  then review\n}\n"
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "docs/icons/logo.svg": icon, "sketches/blank.excalidraw": empty, "rules/claims.dsl": other_dsl})
    assert _design(root)[0] is FAIL


# --- plain-text READMEs and org-mode pages ------------------------------------------------------------

PLAIN_README = f""" Query pipeline

Architecture

Two paths answer a question: templates for known question types and a schema prompt for the rest.
{_paragraph()}

Pipeline Steps

Step 1: classify the question
{_paragraph(1)}

Step 2: fill the template or write the query
{_paragraph(1)}
"""

ORG_README = f"""#+TITLE: Ranker

* Design
{_paragraph()}
** Data flow
{_paragraph()}
* Running it
make serve
"""


def test_a_plain_text_readme_of_a_part_stating_its_architecture_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "src/main/kotlin/app/query/Readme.txt": PLAIN_README})
    assert _design(root)[:2] == (PASS, ["src/main/kotlin/app/query/Readme.txt"])


def test_an_org_mode_readme_of_a_part_with_a_design_section_is_design(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "services/ranker/README.org": ORG_README})
    assert _design(root)[:2] == (PASS, ["services/ranker/README.org"])


def test_package_lists_and_plain_text_setup_notes_are_not_design(tmp_path: Path) -> None:
    """Near misses: pip requirements files (even under docs/), and a plain-text README of set-up steps."""
    pins = "".join(f"package-{i}-architecture-design==1.{i}.0\n" for i in range(60))
    setup = f" Ranker\n\nInstallation\n\n{_paragraph()}\n\nUsage\n\n{_paragraph()}\n"
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "docs/requirements.txt": pins, "requirements-design.txt": pins, "services/ranker/README.txt": setup})
    assert _design(root)[0] is FAIL


# --- hostile pages: the work grows linearly with the page ---------------------------------------------

def _time_to_judge(tmp_path: Path, rel: str, text: str) -> float:
    import time

    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, rel: text})
    detector = get_detector("has_design_docs")
    index = build_index(root)
    started = time.perf_counter()
    run_detector(detector, index)
    return time.perf_counter() - started


def test_long_headings_and_words_without_their_brace_stay_linear(tmp_path: Path) -> None:
    # A heading of `<!--` runs and a Structurizr file of `workspace` words on one line: each once.
    heading = "## " + "<!--" * 30_000 + "\n\ntext\n"
    page = (heading + "## Context\n\nx\n\n## Decision\n\ny\n") * 3
    assert _time_to_judge(tmp_path, "notes/hostile.md", page) < 5
    assert _time_to_judge(tmp_path / "b", "c4/workspace.dsl", "workspace " * 100_000 + "\n") < 5


# --- PDF and Word documents: a design name and a second sign ----------------------------------------

def test_a_design_pdf_linked_from_a_page_or_kept_in_the_docs_is_design(tmp_path: Path) -> None:
    linked = _tree(tmp_path / "a", {"src/train.py": SYSTEM_CODE, "specs/system_architecture.pdf": "%PDF-1.4 binary", "README.md": "# Claims\n\nSee [the architecture](specs/system_architecture.pdf).\n"})
    kept = _tree(tmp_path / "b", {"src/train.py": SYSTEM_CODE, "documentation/Scoring Requirements.docx": "PK binary"})
    assert _design(linked)[:2] == (PASS, ["specs/system_architecture.pdf"])
    assert _design(kept)[:2] == (PASS, ["documentation/Scoring Requirements.docx"])


def test_a_requirements_pdf_dropped_at_the_root_and_never_linked_is_not_design(tmp_path: Path) -> None:
    """Near miss (fails on main, where the name alone passed): a course's project brief."""
    root = _tree(tmp_path, {"src/train.py": SYSTEM_CODE, "Final_Project_Requirements.pdf": "%PDF-1.4 binary", "README.md": "# Claims\n\nA project.\n"})
    assert _design(root)[0] is FAIL


def test_diagrams_of_examples_assistant_prompts_and_user_guides_are_not_design(tmp_path: Path) -> None:
    """Near misses: an example's flow and Structurizr model (conventions §2: an example's design is the
    example's), a coding assistant's instruction file, a page of the user guide."""
    root = _tree(tmp_path, {
        "src/train.py": SYSTEM_CODE,
        "examples/fraud/WORKFLOW.md": MERMAID_RUNBOOK,
        "samples/c4/workspace.dsl": STRUCTURIZR,
        "CLAUDE.md": MERMAID_RUNBOOK,
        "docs/user-guide/scoring.md": MERMAID_RUNBOOK.replace("## Weekly run", "## Scoring a file"),
    })
    assert _design(root)[0] is FAIL


def test_every_section_name_holds_one_of_its_prefilter_words() -> None:
    """The word prefilter never hides a template: each published name of a section holds one of its words."""
    from mlops_audit.evidence.repo.detectors import _designdocs

    names = [
        "status", "context", "context and problem statement", "problem statement", "decision drivers", "considered options", "options considered",
        "decision", "decision outcome", "chosen option", "consequences", "positive consequences", "pros and cons of the options",
        "introduction and goals", "architecture constraints", "constraints", "system scope and context", "context and scope", "solution strategy",
        "building block view", "building blocks", "runtime view", "deployment view", "cross-cutting concepts", "crosscutting concepts",
        "architecture decisions", "design decisions", "quality requirements", "quality goals", "risks and technical debt", "technical risks", "glossary",
        "system landscape", "system context diagram", "context view", "container diagram", "containers view", "component diagram",
        "deployment diagram", "dynamic view", "objective", "objectives", "purpose", "summary", "abstract", "overview", "tl;dr", "background",
        "motivation", "problem", "goals", "requirements", "non-goals", "nongoals", "goals and non-goals", "out of scope", "proposed design",
        "detailed design", "high-level design", "technical approach", "proposed solution", "design", "design overview", "proposal", "proposed changes",
        "specification", "reference-level explanation", "guide-level explanation", "alternatives", "alternatives considered",
        "alternative approaches", "rationale", "rationale and alternatives", "rejected ideas", "drawbacks", "trade-offs", "tradeoffs", "risks",
        "risks and mitigations", "security", "privacy", "security considerations", "security and privacy considerations", "rollout", "roll-out plan",
        "migration", "migration strategy", "backwards compatibility", "backward compatibility", "launch plan", "open questions", "open issues",
        "unresolved questions", "future possibilities", "prior art", "model details", "model description", "model architecture", "intended use",
        "intended uses", "intended uses and limitations", "primary intended uses", "direct use", "downstream use", "uses", "out-of-scope use",
        "out-of-scope use cases", "out of scope uses", "misuse", "factors", "relevant factors", "metrics", "evaluation", "evaluation results",
        "results", "performance measures", "evaluation data", "evaluation datasets", "testing data", "testing data, factors and metrics",
        "training data", "training details", "training procedure", "quantitative analyses", "ethical considerations", "caveats",
        "caveats and recommendations", "bias, risks, and limitations", "risks and limitations", "limitations", "environmental impact",
        "composition", "collection process", "data collection", "collection", "preprocessing", "preprocessing/cleaning/labeling",
        "distribution", "maintenance",
    ]
    matched = set()
    for template in _designdocs.TEMPLATES:
        for key, (pattern, words) in template.sections.items():
            for name in names:
                if pattern.fullmatch(name):
                    matched.add((template.name, key))
                    assert any(word in name for word in words), (template.name, key, name)
    assert matched == {(t.name, key) for t in _designdocs.TEMPLATES for key in t.sections}  # every section has a name above
