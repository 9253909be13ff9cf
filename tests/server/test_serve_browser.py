"""The whole campaign in a real Chromium (Debian's package, driven by Playwright), against a real
`mlops-audit serve` process that is restarted half-way.

Skipped with the reason when chromium, Playwright or pdftotext is missing (.ci/run installs them).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "browser test password"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"browser test skipped: {CHROMIUM} is absent (apt-get install -y chromium)"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="browser test skipped: pdftotext is absent (apt-get install -y poppler-utils)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="browser test skipped: playwright is not installed (pip install '.[dev]')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """`mlops-audit serve` on a loopback port, as a user starts it."""

    def __init__(self, database: Path, port: int, env: dict[str, str]) -> None:
        self.database, self.port, self.env = database, port, env
        self.proc: subprocess.Popen | None = None

    def command(self, *extra: str) -> list[str]:
        return [sys.executable, "-c", "from mlops_audit.cli import main; main()", "serve", "--database", str(self.database), "--port", str(self.port), *extra]

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command(), env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"serve exited: {self.proc.stderr.read().decode()}") from None
                time.sleep(0.2)
        raise RuntimeError("serve did not answer within 60 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture
def serve(tmp_path):
    env = {**os.environ, "MLOPS_AUDIT_PASSWORD": PASSWORD}
    env.pop("MLOPS_AUDIT_DATABASE_URL", None)
    server = ServeProcess(tmp_path / "campaigns.db", free_port(), env)
    made = subprocess.run(server.command("--add-assessor", "alice"), env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    yield server
    server.stop()


def watch(page, errors: list[str]) -> None:  # noqa: ANN001
    """Script errors and CSP refusals (the 403 the test provokes, a missing favicon are not errors)."""
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text or "Refused" in m.text else None)


def respond(page, criterion: str, value: str) -> None:  # noqa: ANN001
    box = page.locator(f'fieldset[data-criterion="{criterion}"]')
    box.locator("select[data-field=value]").select_option(value)
    sync_api.expect(box.locator(".status")).to_have_text("saved", timeout=15000)


def test_campaign_end_to_end_in_chromium(serve, tmp_path):
    from mlops_audit.rubric.loader import default_rubric
    from tests.server.helpers import routed

    index = default_rubric().rubric.criterion_index()

    def yes_no(roles: list[str]) -> list[str]:
        return [c for c in routed(roles) if index[c][2].question.type.value == "yes_no"]

    serve.start()
    base = f"http://127.0.0.1:{serve.port}"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            assessor = browser.new_context(accept_downloads=True).new_page()
            errors: list[str] = []
            watch(assessor, errors)
            assessor.goto(f"{base}/login")
            assessor.fill("input[name=username]", "alice")
            assessor.fill("input[name=password]", PASSWORD)
            assessor.click("button[type=submit]")
            assessor.wait_for_url(f"{base}/campaigns")
            assessor.fill("#new-campaign input[name=organisation]", "Browser Bank")
            assessor.fill("#new-campaign input[name=teams]", "risk, retail")
            assessor.click("#new-campaign button[type=submit]")
            assessor.wait_for_url(re.compile(r".*/campaigns/\d+$"))
            campaign_url = assessor.url
            links = {}
            for name, role, team in (("r-data-01", "data_engineer", "risk"), ("r-sci-01", "data_scientist", "retail")):
                assessor.goto(campaign_url)
                assessor.fill("#add-respondent input[name=pseudonym]", name)
                assessor.check(f'#add-respondent input[name=roles][value="{role}"]')
                assessor.select_option("#add-respondent select[name=team]", team)
                assessor.select_option("#add-respondent select[name=lang]", "en")
                assessor.click("#add-respondent button[type=submit]")
                links[name] = assessor.locator("#invitation-link").inner_text()
            assert all(link.startswith(f"{base}/r/") for link in links.values())

            # two respondents, each in their own browser context (own cookies)
            data = browser.new_context().new_page()
            sci = browser.new_context().new_page()
            for page in (data, sci):
                watch(page, errors)
            data.goto(links["r-data-01"])
            sci.goto(links["r-sci-01"])
            data_q, sci_q = yes_no(["data_engineer"]), yes_no(["data_scientist"])
            assert data.locator("fieldset.question").count() == len(routed(["data_engineer"]))
            respond(data, data_q[0], "yes")
            respond(sci, sci_q[0], "partial")

            # one respondent tries the other's answers
            sci_api = sci.evaluate("JSON.parse(document.getElementById('page-meta').textContent).api")
            other_id = re.search(r"/api/respondents/(\d+)/", sci_api).group(1)
            status = data.evaluate(f"fetch('/api/respondents/{other_id}/answers', {{credentials: 'same-origin'}}).then(r => r.status)")
            assert status == 403

            # the server restarts; nothing saved is lost, the same links and session still work
            serve.stop()
            serve.start()
            data.reload()
            assert data.locator(f'fieldset[data-criterion="{data_q[0]}"] select').input_value() == "yes"
            respond(data, data_q[1], "no")
            for page in (data, sci):
                page.click("#submit button[type=submit]")
                sync_api.expect(page.locator("#locked")).to_be_visible()

            # the assessor runs the assessment and downloads the PDF
            assessor.goto(campaign_url)
            assert "r-data-01" in assessor.locator("#respondents").inner_text()
            assessor.click("#run-assessment button[type=submit]")
            assessor.wait_for_url(campaign_url)
            with assessor.expect_download(timeout=120000) as download_info:
                assessor.click("#assessments a:text-is('report.en.pdf')", no_wait_after=True)
            pdf = tmp_path / "report.en.pdf"
            download_info.value.save_as(pdf)
            assert errors == [], errors  # no CSP violation, no script error on any page
        finally:
            browser.close()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Browser Bank" in text
