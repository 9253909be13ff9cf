"""Assessment -> one self-contained HTML document (jinja2, autoescaped, strict).

Autoescape is switched on for every template explicitly: `select_autoescape()` would leave
`*.html.j2` names unescaped (reference notes §5). StrictUndefined turns a typo in a template into
an error instead of an empty cell. Evidence, comments, file names and every other input are data:
nothing from them is marked safe. The only markup inserted as is comes from our own CSS file and
our own SVG code (which escapes its labels).
"""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup, escape

from mlops_audit.report.context import build_context
from mlops_audit.report.i18n import messages
from mlops_audit.result.model import Assessment
from mlops_audit.util import templates

TEMPLATE = "report.html.j2"
CSP_SLOT = "mlops-audit-csp-slot"  # replaced by the policy once the page (and its style attributes) is known


def environment() -> Environment:
    return templates.environment()


def stylesheet() -> Markup:
    return templates.inline_static("report.css")


def render_html(assessment: Assessment, lang: str, *, report_digest: str, previous: Assessment | None = None) -> str:
    t = messages(lang)
    context = build_context(assessment, t, previous=previous, report_digest=report_digest)
    css = stylesheet()
    page = environment().get_template(TEMPLATE).render(r=context, t=t, css=css, csp=CSP_SLOT)
    # The same policy as the questionnaire page: nothing loads, no script runs, only our own
    # stylesheet and the style attributes our templates wrote apply.
    policy = templates.content_security_policy(styles=[str(css)], html=page)
    return page.replace(CSP_SLOT, str(escape(policy)), 1)
