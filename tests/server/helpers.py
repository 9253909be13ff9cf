"""A campaign with two respondents, built through the HTTP API, for the server tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from mlops_audit.evidence.questionnaire.form import routed_to
from mlops_audit.rubric.loader import default_rubric


@dataclass
class Person:
    id: int
    token: str
    client: TestClient
    csrf: str
    criteria: list[str]  # the questions routed to their roles, in rubric order

    @property
    def yes_no(self) -> list[str]:
        """Routed questions answered yes / no / partial (the tests' usual answers)."""
        index = default_rubric().rubric.criterion_index()
        return [c for c in self.criteria if index[c][2].question.type.value == "yes_no"]

    def put(self, criterion: str, value, base_version=None, **extra):  # noqa: ANN001, ANN201
        body = {"value": value, "base_version": base_version, **extra}
        return self.client.put(f"/api/respondents/{self.id}/answers/{criterion}", json=body, headers={"X-CSRF-Token": self.csrf})


@dataclass
class Campaign:
    id: int
    assessor: TestClient
    csrf: str
    data: Person
    model: Person


def page_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html) or re.search(r'"csrf": "([0-9a-f]{64})"', html)
    assert match, html[:400]
    return match.group(1)


def routed(roles: list[str]) -> list[str]:
    return [c.id for _d, _p, c in default_rubric().rubric.criteria() if routed_to(c, roles)]


def respondent(server, assessor: TestClient, csrf: str, campaign_id: int, name: str, roles: list[str], team: str | None = "risk", lang: str = "en") -> Person:  # noqa: ANN001
    made = assessor.post(
        f"/api/campaigns/{campaign_id}/respondents",
        json={"respondent": name, "roles": roles, "team": team, "lang": lang},
        headers={"X-CSRF-Token": csrf},
    )
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    client = server.client()
    page = client.get(f"/r/{token}")
    assert page.status_code == 200, page.text
    return Person(made.json()["id"], token, client, page_csrf(page.text), routed(roles))


def make_campaign(server, organisation: str = "Bank of Tests", username: str = "alice") -> Campaign:  # noqa: ANN001
    assessor = server.assessor(username)
    csrf = page_csrf(assessor.get("/login").text)
    made = assessor.post("/api/campaigns", json={"organisation": organisation, "scope": "AI team", "teams": ["risk", "retail"]}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    data = respondent(server, assessor, csrf, cid, "r-data-01", ["data_engineer"])
    model = respondent(server, assessor, csrf, cid, "r-model-01", ["data_scientist"], team="retail")
    return Campaign(cid, assessor, csrf, data, model)
