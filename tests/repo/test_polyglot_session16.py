"""Session 16 (poly16): systems not written in Python, read by each ecosystem's published conventions.

- Tests: each test framework finds its tests by a documented convention - a .NET test project (a
  project referencing Microsoft.NET.Test.Sdk, as `dotnet new xunit|nunit|mstest` create it) whose
  `[Fact]`/`[Test]`/`[TestMethod]` methods test the projects it references; Rust's `#[test]` functions in
  a `#[cfg(test)]` module of the crate's `src/` or in the crate's `tests/` folder (The Rust Book, "Test
  Organization"); Gradle/Maven/sbt test source sets (`src/<name>Test/<language>`, `src/test/scala`) with
  JUnit, Kotest or ScalaTest/MUnit cases; Mocha's and Node's test runner's `test/` folder.
- Locks: NuGet's `packages.lock.json`; a Maven build whose every dependency version is a fixed version
  (no range, no SNAPSHOT/LATEST/RELEASE); a lock that pins no package pins nothing.
Each rule has two paraphrases written differently from each other and a near miss.
"""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail


def _sub(tmp_path: Path) -> Path:
    return tmp_path / str(len(list(tmp_path.iterdir())))


# --- .NET test projects ---------------------------------------------------------------------------

SCORER_CS = "namespace Fraud.Scoring;\n\npublic class RiskScorer\n{\n    public double Score(double amount) => amount > 1000 ? 0.9 : 0.1;\n}\n"
XUNIT_PROJECT = """\
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework><IsPackable>false</IsPackable></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="17.8.0" />
    <PackageReference Include="xunit" Version="2.6.2" />
  </ItemGroup>
  <ItemGroup>
    <ProjectReference Include="..\\..\\src\\Fraud.Scoring\\Fraud.Scoring.csproj" />
  </ItemGroup>
</Project>
"""
XUNIT_TEST = """\
using Fraud.Scoring;
using Xunit;

public class RiskScorerTests
{
    [Fact]
    public void LargeAmountsAreRisky()
    {
        var scorer = new RiskScorer();
        Assert.Equal(0.9, scorer.Score(5000));
    }
}
"""
NUNIT_PROJECT = """\
<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup>
    <PackageReference Include="NUnit" Version="3.14.0" />
    <PackageReference Include="NUnit3TestAdapter" Version="4.5.0" />
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="17.8.0" />
    <ProjectReference Include="../Forecast.Api/Forecast.Api.csproj" />
  </ItemGroup>
</Project>
"""
NUNIT_TEST = """\
namespace Forecast.UnitTests.Services
{
    using NUnit.Framework;
    using Forecast.Api.Services;

    [TestFixture]
    public class DemandServiceTests
    {
        [TestCase(3, ExpectedResult = 6)]
        [TestCase(0, ExpectedResult = 0)]
        public int DoublesTheDemand(int units) => new DemandService().Project(units);

        [Test]
        public void NegativeDemandIsRejected()
        {
            Assert.That(() => new DemandService().Project(-1), Throws.ArgumentException);
        }
    }
}
"""
DEMAND_CS = "namespace Forecast.Api.Services { public class DemandService { public int Project(int u) { if (u < 0) throw new System.ArgumentException(); return u * 2; } } }\n"


def test_an_xunit_test_project_referencing_the_systems_project_holds_unit_tests(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "src/Fraud.Scoring/Fraud.Scoring.csproj": '<Project Sdk="Microsoft.NET.Sdk" />\n', "src/Fraud.Scoring/RiskScorer.cs": SCORER_CS,
        "tests/Fraud.Scoring.Tests/Fraud.Scoring.Tests.csproj": XUNIT_PROJECT, "tests/Fraud.Scoring.Tests/RiskScorerTests.cs": XUNIT_TEST,
    })
    outcome, message = _outcome(root, "has_unit_tests")
    assert outcome is PASS and ".NET" in message


def test_an_nunit_project_beside_the_api_with_test_cases_holds_unit_tests(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "Forecast.Api/Forecast.Api.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web" />\n', "Forecast.Api/Services/DemandService.cs": DEMAND_CS,
        "Forecast.UnitTests/Forecast.UnitTests.csproj": NUNIT_PROJECT, "Forecast.UnitTests/Services/DemandServiceTests.cs": NUNIT_TEST,
    })
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_dotnet_test_methods_outside_a_test_project_or_testing_no_project_of_the_repository_are_not_its_tests(tmp_path: Path) -> None:
    """Near misses: `[Fact]` methods in a plain project (no test SDK: nothing runs them), and a test project
    that references no project of this repository (it tests a package from NuGet)."""
    lonely_project = XUNIT_PROJECT.replace('    <ProjectReference Include="..\\..\\src\\Fraud.Scoring\\Fraud.Scoring.csproj" />\n', "")
    root = _tree(tmp_path, {
        "src/Fraud.Scoring/Fraud.Scoring.csproj": '<Project Sdk="Microsoft.NET.Sdk" />\n', "src/Fraud.Scoring/RiskScorer.cs": SCORER_CS,
        "src/Fraud.Scoring/SelfCheck.cs": XUNIT_TEST,
        "tests/Json.Tests/Json.Tests.csproj": lonely_project, "tests/Json.Tests/JsonTests.cs": XUNIT_TEST.replace("RiskScorer", "System.Text.Json.JsonDocument"),
    })
    assert _outcome(root, "has_unit_tests")[0] is FAIL


# --- Rust: #[cfg(test)] modules and a crate's tests/ folder ---------------------------------------

RUST_LIB_WITH_TESTS = """\
pub fn normalise(values: &[f32]) -> Vec<f32> {
    let max = values.iter().cloned().fold(f32::MIN, f32::max);
    values.iter().map(|v| v / max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_value_becomes_one() {
        assert_eq!(normalise(&[2.0, 4.0]), vec![0.5, 1.0]);
    }
}
"""
RUST_INTEGRATION = """\
use ranker::{rank, Candidate};

#[test]
fn higher_scores_come_first() {
    let ranked = rank(vec![Candidate::new("a", 0.2), Candidate::new("b", 0.7)]);
    assert!(ranked[0].id == "b", "expected b first");
}
"""


def test_a_cfg_test_module_in_the_crates_source_holds_unit_tests(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"Cargo.toml": '[package]\nname = "features"\nversion = "0.1.0"\n', "src/lib.rs": RUST_LIB_WITH_TESTS})
    outcome, message = _outcome(root, "has_unit_tests")
    assert outcome is PASS and "Rust" in message


def test_an_integration_test_in_a_workspace_crates_tests_folder_holds_unit_tests(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = ["crates/ranker"]\n',
        "crates/ranker/Cargo.toml": '[package]\nname = "ranker"\n',
        "crates/ranker/src/lib.rs": "pub struct Candidate { pub id: String, pub score: f32 }\npub fn rank(mut c: Vec<Candidate>) -> Vec<Candidate> { c }\n",
        "crates/ranker/tests/ordering.rs": RUST_INTEGRATION,
    })
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_rust_test_functions_that_assert_nothing_or_sit_outside_a_crate_are_not_unit_tests(tmp_path: Path) -> None:
    """Near misses: a `#[test]` that only runs code (no assertion) and a `tests/` file with no crate beside it."""
    smoke = "pub fn build() -> u8 { 1 }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn builds() {\n        let _ = super::build();\n    }\n}\n"
    root = _tree(tmp_path, {"Cargo.toml": '[package]\nname = "x"\n', "src/lib.rs": smoke, "scripts/tests/check.rs": RUST_INTEGRATION})
    assert _outcome(root, "has_unit_tests")[0] is FAIL


# --- JVM test source sets beyond JUnit's @Test: Kotest, ScalaTest, MUnit, Gradle suites -----------

KOTEST_SPEC = """\
package no.example.search

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe

class QueryNormaliserTest : StringSpec({
    "lower-cases and trims the question" {
        QueryNormaliser.normalise("  Hello ") shouldBe "hello"
    }
})
"""
SCALATEST_SPEC = """\
package org.acme.pricing

import org.scalatest.flatspec.AnyFlatSpec
import org.scalatest.matchers.should.Matchers

class PriceModelSpec extends AnyFlatSpec with Matchers {
  "PriceModel" should "never predict a negative price" in {
    PriceModel.predict(Array(-3.0)) should be >= 0.0
  }
}
"""
MUNIT_SUITE = "package org.acme.pricing\n\nclass FeaturesSuite extends munit.FunSuite {\n  test(\"scales rooms\") {\n    assertEquals(Features.scale(2), 0.2)\n  }\n}\n"


def test_a_kotest_spec_in_the_gradle_test_source_set_holds_unit_tests(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "build.gradle.kts": 'plugins { kotlin("jvm") version "2.0.0" }\n',
        "src/main/kotlin/no/example/search/QueryNormaliser.kt": "package no.example.search\n\nobject QueryNormaliser { fun normalise(q: String) = q.trim().lowercase() }\n",
        "src/test/kotlin/no/example/search/QueryNormaliserTest.kt": KOTEST_SPEC,
    })
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_scalatest_and_munit_suites_of_an_sbt_module_hold_unit_tests(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "build.sbt": 'lazy val pricing = project.in(file("pricing"))\n',
        "pricing/src/main/scala/org/acme/pricing/PriceModel.scala": "package org.acme.pricing\n\nobject PriceModel { def predict(x: Array[Double]): Double = math.max(0, x.sum) }\n",
        "pricing/src/it/scala/org/acme/pricing/PriceModelSpec.scala": SCALATEST_SPEC,
        "pricing/src/test/scala/org/acme/pricing/FeaturesSuite.scala": MUNIT_SUITE,
    })
    outcome, message = _outcome(root, "has_unit_tests")
    assert outcome is PASS and "Scala" in message


def test_a_jvm_spec_in_a_module_without_main_sources_tests_nothing_of_the_project(tmp_path: Path) -> None:
    """Near miss: a Kotest spec whose module has no `src/main` code (a copied sample's tests)."""
    root = _tree(tmp_path, {"samples/search/src/test/kotlin/QueryNormaliserTest.kt": KOTEST_SPEC, "app.py": "print(1)\n"})
    assert _outcome(root, "has_unit_tests")[0] is FAIL


# --- Mocha's and Node's test runner's test/ folder --------------------------------------------------

MOCHA_TEST = """\
const assert = require('assert');
const { tokenize } = require('../lib/tokenize');

describe('tokenize', function () {
  it('splits on whitespace', function () {
    assert.deepStrictEqual(tokenize('a b'), ['a', 'b']);
  });
});
"""
NODE_TEST = """\
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreAnswer } from '../src/grading.js';

test('an exact answer scores full marks', () => {
  assert.equal(scoreAnswer('paris', 'Paris'), 1);
});
"""


def test_a_mocha_test_folder_of_the_package_holds_unit_tests(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"lib/tokenize.js": "exports.tokenize = (s) => s.split(/\\s+/);\n", "test/tokenize.js": MOCHA_TEST})
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_a_node_test_runner_file_in_a_workspace_packages_test_folder_holds_unit_tests(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "packages/grader/src/grading.js": "export const scoreAnswer = (a, b) => (a.toLowerCase() === b.toLowerCase() ? 1 : 0);\n",
        "packages/grader/test/grading.mjs": NODE_TEST,
    })
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_fixtures_and_helpers_in_a_test_folder_are_not_tests(tmp_path: Path) -> None:
    """Near miss: a test/ folder holding a fixture module and a helper, no test case asserting anything."""
    root = _tree(tmp_path, {
        "lib/tokenize.js": "exports.tokenize = (s) => s.split(/\\s+/);\n",
        "test/fixtures/sentences.js": "module.exports = ['a b', 'c d'];\n",
        "test/helpers.js": "const { tokenize } = require('../lib/tokenize');\nmodule.exports.tokens = (s) => tokenize(s).length;\n",
    })
    assert _outcome(root, "has_unit_tests")[0] is FAIL


# --- pins_dependencies: the locks and fixed versions of other ecosystems ---------------------------

NUGET_LOCK = """\
{
  "version": 1,
  "dependencies": {
    "net8.0": {
      "Microsoft.ML": {"type": "Direct", "requested": "[3.0.1, )", "resolved": "3.0.1", "contentHash": "abc"}
    }
  }
}
"""
MAVEN_FIXED = """\
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>no.example</groupId><artifactId>answers</artifactId><version>1.0-SNAPSHOT</version>
  <properties>
    <ktor.version>3.0.2</ktor.version>
    <kotlin.version>2.1.0</kotlin.version>
  </properties>
  <dependencies>
    <dependency><groupId>io.ktor</groupId><artifactId>ktor-server-core-jvm</artifactId><version>${ktor.version}</version></dependency>
    <dependency><groupId>org.jetbrains.kotlin</groupId><artifactId>kotlin-stdlib</artifactId><version>${kotlin.version}</version></dependency>
    <dependency><groupId>com.google.cloud</groupId><artifactId>google-cloud-bigquery</artifactId><version>2.42.3</version></dependency>
  </dependencies>
</project>
"""
GRADLE_CATALOG = '[versions]\nspring = "3.3.4"\ndjl = "0.30.0"\n\n[libraries]\nspring-web = { module = "org.springframework.boot:spring-boot-starter-web", version.ref = "spring" }\ndjl-api = { module = "ai.djl:api", version.ref = "djl" }\n'


def test_a_dotnet_service_with_a_nuget_lock_pins_its_dependencies(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "src/Scoring.Api/Scoring.Api.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web"><ItemGroup><PackageReference Include="Microsoft.ML" Version="3.0.1" /></ItemGroup></Project>\n',
        "src/Scoring.Api/packages.lock.json": NUGET_LOCK, "src/Scoring.Api/Program.cs": "var app = WebApplication.Create();\napp.Run();\n",
    })
    assert _outcome(root, "pins_dependencies")[0] is PASS


def test_maven_and_gradle_builds_whose_every_version_is_fixed_pin_their_dependencies(tmp_path: Path) -> None:
    maven = {"pom.xml": MAVEN_FIXED, "src/main/kotlin/no/example/Application.kt": "fun main() {}\n"}
    assert _outcome(_tree(_sub(tmp_path), maven), "pins_dependencies")[0] is PASS
    gradle = {
        "settings.gradle.kts": 'rootProject.name = "recommender"\n', "gradle/libs.versions.toml": GRADLE_CATALOG,
        "service/build.gradle.kts": 'dependencies {\n    implementation(libs.spring.web)\n    implementation(libs.djl.api)\n    testImplementation("org.junit.jupiter:junit-jupiter:5.10.2")\n}\n',
        "service/src/main/java/org/acme/Recommender.java": "package org.acme;\npublic class Recommender {}\n",
    }
    assert _outcome(_tree(_sub(tmp_path), gradle), "pins_dependencies")[0] is PASS


def test_a_go_or_ruby_system_with_a_python_helper_script_is_pinned_by_its_own_lock(tmp_path: Path) -> None:
    go = {
        "go.mod": "module example.com/ranker\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.10.0\n", "go.sum": "github.com/gin-gonic/gin v1.10.0 h1:abc=\n",
        "cmd/server/main.go": "package main\n\nfunc main() {}\n", "internal/rank/rank.go": "package rank\n", "internal/rank/score.go": "package rank\n",
        "tools/export_embeddings.py": "import json\nprint(json.dumps({}))\n",
    }
    assert _outcome(_tree(_sub(tmp_path), go), "pins_dependencies")[0] is PASS
    ruby = {
        "Gemfile": 'gem "sidekiq"\n', "Gemfile.lock": "GEM\n  specs:\n    sidekiq (7.2.4)\n",
        "app/jobs/retrain_job.rb": "class RetrainJob\nend\n", "app/models/subject.rb": "class Subject\nend\n", "lib/export.rb": "module Export\nend\n",
        "bin/setup_workflow.py": "import requests\nrequests.post('https://example.org')\n",
    }
    assert _outcome(_tree(_sub(tmp_path), ruby), "pins_dependencies")[0] is PASS


def test_floating_jvm_versions_an_empty_lock_and_a_tool_folders_lock_pin_nothing(tmp_path: Path) -> None:
    """Near misses: a Maven build with a version range and LATEST; a Gradle build with a dynamic version
    whose only lock is an npm lock listing no package; a Python system whose Go helper tool has a go.sum."""
    ranged = MAVEN_FIXED.replace("<version>2.42.3</version>", "<version>[2.40,3.0)</version>").replace("${kotlin.version}", "LATEST")
    assert _outcome(_tree(_sub(tmp_path), {"pom.xml": ranged, "src/main/kotlin/App.kt": "fun main() {}\n"}), "pins_dependencies")[0] is FAIL
    dynamic = {
        "build.gradle.kts": 'dependencies { implementation("ai.djl:api:0.+") }\n', "src/main/kotlin/Score.kt": "fun main() {}\n",
        "package-lock.json": '{"name": "x", "lockfileVersion": 3, "requires": true, "packages": {}}\n',
    }
    assert _outcome(_tree(_sub(tmp_path), dynamic), "pins_dependencies")[0] is FAIL
    python = {
        "requirements.txt": "pandas>=2\nscikit-learn\n", "src/train.py": "import pandas\n", "src/serve.py": "import pandas\n",
        "tools/loadgen/go.mod": "module loadgen\n", "tools/loadgen/go.sum": "golang.org/x/net v0.1.0 h1:x=\n", "tools/loadgen/main.go": "package main\n",
    }
    assert _outcome(_tree(_sub(tmp_path), python), "pins_dependencies")[0] is FAIL


# --- serves_model: a route of a JVM, Go, .NET or Rust service reaches a loaded model or the team's chain -

SPRING_CONTROLLER = """\
package com.acme.fraud.web;

import com.acme.fraud.model.FraudModel;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api")
public class ScoreController {
    private final FraudModel model;

    public ScoreController(FraudModel model) { this.model = model; }

    @PostMapping("/score")
    public double score(@RequestBody Transaction tx) {
        return model.probability(tx.features());
    }
}
"""
ONNX_MODEL_JAVA = """\
package com.acme.fraud.model;

import ai.onnxruntime.*;

public class FraudModel {
    private final OrtSession session;

    public FraudModel(String path) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        this.session = env.createSession(path, new OrtSession.SessionOptions());
    }

    public double probability(float[] features) { return 0.0; }
}
"""
KTOR_ROUTING = """\
package no.example.answers

import io.ktor.server.application.*
import io.ktor.server.request.*
import io.ktor.server.response.*
import io.ktor.server.routing.*

fun Application.configureRouting(service: AnswerService) {
    routing {
        post("/ask") {
            val question = call.receive<Question>()
            call.respond(service.answer(question.text))
        }
    }
}
"""
KOTLIN_ANSWER_SERVICE = """\
package no.example.answers.core

private const val SYSTEM_PROMPT = "You answer questions about our opening hours. Use only the context."

class AnswerService(private val llm: LlmGateway, private val store: DocumentIndex) {
    suspend fun answer(question: String): String {
        val context = store.nearest(question, 4).joinToString("\\n")
        return llm.complete(SYSTEM_PROMPT, "$context\\n\\n$question")
    }
}
"""
KOTLIN_GATEWAY = """\
package no.example.answers.llm

import io.ktor.client.*
import io.ktor.client.request.*

class LlmGateway(private val http: HttpClient, private val baseUrl: String) {
    suspend fun complete(system: String, user: String): String =
        http.post("$baseUrl/v1/chat/completions") { setBody(mapOf("messages" to listOf(system, user))) }.toString()
}
"""
JAXRS_RESOURCE = """\
package org.acme.vision;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

@Path("/classify")
public class ClassifyResource {
    @Inject
    ImageClassifier classifier;

    @POST
    public String classify(byte[] image) {
        return classifier.top1(image);
    }
}
"""
DJL_CLASSIFIER = """\
package org.acme.vision;

import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;

public class ImageClassifier {
    private final ZooModel<byte[], String> model;

    public ImageClassifier() throws Exception {
        Criteria<byte[], String> criteria = Criteria.builder().setTypes(byte[].class, String.class).optModelPath(java.nio.file.Paths.get("models/resnet")).build();
        this.model = criteria.loadModel();
    }

    public String top1(byte[] image) throws Exception { return model.newPredictor().predict(image); }
}
"""


def test_a_spring_controller_reaching_an_onnx_model_class_serves_the_model(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "src/main/java/com/acme/fraud/web/ScoreController.java": SPRING_CONTROLLER,
        "src/main/java/com/acme/fraud/model/FraudModel.java": ONNX_MODEL_JAVA,
    })
    outcome, message = _outcome(root, "serves_model")
    assert outcome is PASS and "JVM" in message


def test_a_ktor_route_running_the_teams_prompt_and_retrieval_on_a_chat_model_serves_it(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "src/main/kotlin/no/example/answers/Routing.kt": KTOR_ROUTING,
        "src/main/kotlin/no/example/answers/core/AnswerService.kt": KOTLIN_ANSWER_SERVICE,
        "src/main/kotlin/no/example/answers/llm/LlmGateway.kt": KOTLIN_GATEWAY,
    })
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_jaxrs_resource_reaching_a_djl_model_serves_it(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "vision/src/main/java/org/acme/vision/ClassifyResource.java": JAXRS_RESOURCE,
        "vision/src/main/java/org/acme/vision/ImageClassifier.java": DJL_CLASSIFIER,
    })
    assert _outcome(root, "serves_model")[0] is PASS


def test_jvm_routes_without_a_model_and_a_model_no_route_reaches_do_not_serve(tmp_path: Path) -> None:
    """Near misses: a CRUD controller, a model class only a command-line main uses, and a thin gateway with
    no prompt or retrieval of the team's own behind a route."""
    crud = SPRING_CONTROLLER.replace("import com.acme.fraud.model.FraudModel;\n", "").replace("FraudModel model", "AccountRepository accounts").replace(
        "this.model = model", "this.accounts = accounts").replace("model.probability(tx.features())", "accounts.count()")
    batch = "package com.acme.fraud.batch;\n\npublic class Rescore {\n    public static void main(String[] args) throws Exception {\n        new FraudModel(args[0]);\n    }\n}\n"
    passthrough = KTOR_ROUTING.replace("service: AnswerService", "llm: LlmGateway").replace("service.answer(question.text)", 'llm.complete("", question.text)')
    root = _tree(tmp_path, {
        "src/main/java/com/acme/fraud/web/ScoreController.java": crud,
        "src/main/java/com/acme/fraud/model/FraudModel.java": ONNX_MODEL_JAVA,
        "src/main/java/com/acme/fraud/batch/Rescore.java": batch,
        "proxy/src/main/kotlin/Routing.kt": passthrough, "proxy/src/main/kotlin/LlmGateway.kt": KOTLIN_GATEWAY,
    })
    assert _outcome(root, "serves_model")[0] is FAIL


GIN_MAIN = """\
package main

import (
\t"github.com/gin-gonic/gin"
\t"example.com/churn/internal/api"
)

func main() {
\tr := gin.Default()
\tr.POST("/predict", api.Predict)
\tr.Run(":8080")
}
"""
GO_HANDLER = """\
package api

import (
\t"net/http"

\t"github.com/gin-gonic/gin"
\t"example.com/churn/internal/model"
)

func Predict(c *gin.Context) {
\tvar in model.Features
\t_ = c.BindJSON(&in)
\tc.JSON(http.StatusOK, model.Score(in))
}
"""
GO_ONNX = """\
package model

import ort "github.com/yalue/onnxruntime_go"

type Features struct{ Tenure float32 }

var session *ort.AdvancedSession

func Load(path string) error {
\tvar err error
\tsession, err = ort.NewAdvancedSession(path, []string{"input"}, []string{"prob"}, nil, nil, nil)
\treturn err
}

func Score(f Features) float32 { return 0 }
"""
GO_CHAT = """\
package main

import (
\t"net/http"

\t"github.com/openai/openai-go"
)

const systemPrompt = "You classify support tickets into billing, outage or other."

func classify(w http.ResponseWriter, r *http.Request) {
\tclient := openai.NewClient()
\tresp, _ := client.Chat.Completions.New(r.Context(), openai.ChatCompletionNewParams{
\t\tMessages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(systemPrompt), openai.UserMessage(r.FormValue("text"))},
\t})
\tw.Write([]byte(resp.Choices[0].Message.Content))
}

func main() {
\tmux := http.NewServeMux()
\tmux.HandleFunc("POST /classify", classify)
\thttp.ListenAndServe(":8080", mux)
}
"""


def test_a_gin_route_reaching_an_onnx_session_in_another_package_serves_the_model(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "go.mod": "module example.com/churn\n", "cmd/server/main.go": GIN_MAIN, "internal/api/predict.go": GO_HANDLER, "internal/model/onnx.go": GO_ONNX,
    })
    outcome, message = _outcome(root, "serves_model")
    assert outcome is PASS and "Go" in message


def test_a_net_http_handler_running_the_teams_prompt_on_a_chat_model_serves_it(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"go.mod": "module tickets\n", "main.go": GO_CHAT})
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_go_model_only_a_command_uses_and_a_route_without_a_model_do_not_serve(tmp_path: Path) -> None:
    """Near misses: an ONNX session loaded by a batch command; a health route."""
    batch = 'package main\n\nimport "example.com/churn/internal/model"\n\nfunc main() {\n\t_ = model.Load("churn.onnx")\n}\n'
    health = 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {})\n\thttp.ListenAndServe(":8080", nil)\n}\n'
    root = _tree(tmp_path, {"go.mod": "module example.com/churn\n", "cmd/rescore/main.go": batch, "internal/model/onnx.go": GO_ONNX, "cmd/health/main.go": health})
    assert _outcome(root, "serves_model")[0] is FAIL


MINIMAL_API = """\
using Microsoft.Extensions.ML;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddPredictionEnginePool<ReviewInput, ReviewScore>().FromFile("MLModels/sentiment.zip");
var app = builder.Build();

app.MapPost("/sentiment", (ReviewInput input, PredictionEnginePool<ReviewInput, ReviewScore> pool) => pool.Predict(input));
app.Run();
"""
DOTNET_CONTROLLER = """\
using Microsoft.AspNetCore.Mvc;

namespace Claims.Api.Controllers
{
    [ApiController]
    [Route("api/[controller]")]
    public class TriageController : ControllerBase
    {
        private readonly ClaimTriageModel _model;
        public TriageController(ClaimTriageModel model) => _model = model;

        [HttpPost]
        public ActionResult<float> Post(ClaimRequest request) => _model.Urgency(request);
    }
}
"""
DOTNET_ONNX = """\
using Microsoft.ML.OnnxRuntime;

namespace Claims.Api.Scoring
{
    public sealed class ClaimTriageModel
    {
        private readonly InferenceSession _session = new InferenceSession("Models/triage.onnx");
        public float Urgency(ClaimRequest request) => 0f;
    }
}
"""


def test_a_minimal_api_answering_with_an_ml_net_prediction_pool_serves_the_model(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"Sentiment.Api/Sentiment.Api.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web" />\n', "Sentiment.Api/Program.cs": MINIMAL_API})
    outcome, message = _outcome(root, "serves_model")
    assert outcome is PASS and ".NET" in message


def test_an_api_controller_reaching_an_onnx_inference_session_serves_the_model(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"src/Claims.Api/Controllers/TriageController.cs": DOTNET_CONTROLLER, "src/Claims.Api/Scoring/ClaimTriageModel.cs": DOTNET_ONNX})
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_dotnet_console_scoring_a_model_and_a_weather_controller_do_not_serve(tmp_path: Path) -> None:
    """Near misses: a console program loading the ONNX model; the template's weather controller."""
    console = 'using Claims.Api.Scoring;\n\nvar model = new ClaimTriageModel();\nConsole.WriteLine(model.Urgency(null));\n'
    weather = DOTNET_CONTROLLER.replace("ClaimTriageModel _model", "WeatherStore _store").replace("ClaimTriageModel model", "WeatherStore store").replace(
        "_model = model", "_store = store").replace("_model.Urgency(request)", "_store.Today()")
    root = _tree(tmp_path, {"tools/Rescore/Program.cs": console, "src/Claims.Api/Scoring/ClaimTriageModel.cs": DOTNET_ONNX, "src/Claims.Api/Controllers/WeatherController.cs": weather})
    assert _outcome(root, "serves_model")[0] is FAIL


AXUM_MAIN = """\
use axum::{routing::post, Router};

mod handlers;
mod model;

#[tokio::main]
async fn main() {
    let app = Router::new().route("/predict", post(handlers::predict));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
"""
RUST_HANDLER = "use crate::model::Scorer;\n\npub async fn predict(body: String) -> String {\n    Scorer::global().score(&body).to_string()\n}\n"
RUST_ORT = """\
use ort::session::Session;

pub struct Scorer { session: Session }

impl Scorer {
    pub fn load(path: &str) -> ort::Result<Self> {
        Ok(Self { session: Session::builder()?.commit_from_file(path)? })
    }
    pub fn global() -> &'static Scorer { unimplemented!() }
    pub fn score(&self, _text: &str) -> f32 { 0.0 }
}
"""
ACTIX_TRACT = """\
use actix_web::{post, web, App, HttpServer};
use tract_onnx::prelude::*;

#[post("/detect")]
async fn detect(body: web::Bytes) -> String {
    let model = tract_onnx::onnx().model_for_path("detector.onnx").unwrap().into_optimized().unwrap().into_runnable().unwrap();
    format!("{}", body.len())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(|| App::new().service(detect)).bind(("0.0.0.0", 8080))?.run().await
}
"""


def test_an_axum_route_reaching_an_ort_session_serves_the_model(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"Cargo.toml": '[package]\nname = "scorer"\n', "src/main.rs": AXUM_MAIN, "src/handlers.rs": RUST_HANDLER, "src/model.rs": RUST_ORT})
    outcome, message = _outcome(root, "serves_model")
    assert outcome is PASS and "Rust" in message


def test_an_actix_handler_running_a_tract_model_serves_it(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"Cargo.toml": '[package]\nname = "detector"\n', "src/main.rs": ACTIX_TRACT})
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_rust_command_loading_a_model_beside_a_route_without_one_does_not_serve(tmp_path: Path) -> None:
    """Near miss: an axum status route, and a binary that loads the ONNX model to score a file."""
    status = 'use axum::{routing::get, Router};\n\n#[tokio::main]\nasync fn main() {\n    let app: Router = Router::new().route("/status", get(|| async { "ok" }));\n}\n'
    rescore = 'fn main() {\n    let m = tract_onnx::onnx().model_for_path("detector.onnx").unwrap();\n    println!("{:?}", m);\n}\n'
    root = _tree(tmp_path, {"Cargo.toml": '[package]\nname = "detector"\n', "src/main.rs": status, "src/bin/rescore.rs": rescore})
    assert _outcome(root, "serves_model")[0] is FAIL


def test_a_service_declaring_a_chat_completions_route_asks_no_model_by_that(tmp_path: Path) -> None:
    """Near miss: `post("/v1/chat/completions")` is a route the service offers (with a prompt constant
    beside it), not an HTTP call to a model; nothing asks a model."""
    offered = KTOR_ROUTING.replace('post("/ask")', 'post("/v1/chat/completions")').replace("service: AnswerService", "canned: CannedReplies").replace(
        "service.answer(question.text)", "canned.reply(question.text)")
    canned = 'package no.example.answers\n\nconst val SYSTEM_PROMPT = "unused"\n\nclass CannedReplies { fun reply(q: String) = "We open at nine." }\n'
    root = _tree(tmp_path, {"src/main/kotlin/no/example/answers/Routing.kt": offered, "src/main/kotlin/no/example/answers/CannedReplies.kt": canned})
    assert _outcome(root, "serves_model")[0] is FAIL


# --- serves_model: a JS/TS route reaching a model loaded by a JavaScript inference runtime -----------

EXPRESS_ROUTE = """\
const express = require('express');
const { scoreTransaction } = require('../scoring/model');

const router = express.Router();
router.post('/score', async (req, res) => {
  res.json({ risk: await scoreTransaction(req.body.features) });
});
module.exports = router;
"""
ORT_NODE_MODEL = """\
const ort = require('onnxruntime-node');

let session;
async function scoreTransaction(features) {
  session = session || (await ort.InferenceSession.create('./artifacts/fraud.onnx'));
  const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(features), [1, features.length]) });
  return out.prob.data[0];
}
module.exports = { scoreTransaction };
"""
FASTIFY_SERVER = """\
import Fastify from 'fastify'
import { classify } from './vision/classifier'

const app = Fastify()
app.post('/classify', async (request) => classify(request.body as Buffer))
app.listen({ port: 3000 })
"""
TFJS_CLASSIFIER = """\
import * as tf from '@tensorflow/tfjs-node'

const modelPromise = tf.loadGraphModel('file://models/leaf-disease/model.json')

export async function classify(image: Buffer) {
  const model = await modelPromise
  return (model.predict(tf.node.decodeImage(image).expandDims(0)) as tf.Tensor).dataSync()
}
"""


def test_an_express_route_reaching_an_onnxruntime_node_session_serves_the_model(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"server/routes/score.js": EXPRESS_ROUTE, "server/scoring/model.js": ORT_NODE_MODEL})
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_fastify_route_reaching_a_tensorflow_js_graph_model_serves_it(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"api/src/server.ts": FASTIFY_SERVER, "api/src/vision/classifier.ts": TFJS_CLASSIFIER})
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_model_loaded_in_the_browser_or_by_a_script_is_not_served_by_a_route(tmp_path: Path) -> None:
    """Near misses: a React component loading the model in the visitor's browser, a script scoring a file,
    and a route that reaches neither."""
    component = "import * as tf from '@tensorflow/tfjs'\nimport { useEffect } from 'react'\n\nexport function Camera() {\n  useEffect(() => { tf.loadLayersModel('/model/model.json') }, [])\n  return null\n}\n"
    script = "const { scoreTransaction } = require('../scoring/model');\nscoreTransaction([1, 2]).then(console.log);\n"
    health = "const express = require('express');\nconst router = express.Router();\nrouter.get('/health', (req, res) => res.send('ok'));\nmodule.exports = router;\n"
    root = _tree(tmp_path, {
        "web/src/Camera.tsx": component, "server/scripts/rescore.js": script, "server/scoring/model.js": ORT_NODE_MODEL, "server/routes/health.js": health,
    })
    assert _outcome(root, "serves_model")[0] is FAIL


# --- JS/TS imports of the repository's own workspace packages ---------------------------------------

NEXT_ROUTE_TO_WORKSPACE = """\
import { answerLesson } from '@acme/tutor/src/answer'

export async function POST(request: Request) {
  const { question } = await request.json()
  return Response.json(await answerLesson(question))
}
"""
WORKSPACE_CHAIN = """\
import OpenAI from 'openai'

const SYSTEM_PROMPT = 'You help teachers plan lessons from the curriculum.'
const openai = new OpenAI()

export async function answerLesson(question: string) {
  return openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: question }] })
}
"""


def test_a_next_route_importing_a_npm_workspace_package_reaches_its_chain(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "package.json": '{"name": "acme", "private": true, "workspaces": ["apps/*", "packages/*"]}\n',
        "apps/web/src/app/api/chat/route.ts": NEXT_ROUTE_TO_WORKSPACE,
        "packages/tutor/package.json": '{"name": "@acme/tutor", "version": "0.0.0"}\n', "packages/tutor/src/answer.ts": WORKSPACE_CHAIN,
    })
    assert _outcome(root, "serves_model")[0] is PASS


def test_an_express_route_importing_a_pnpm_workspace_package_by_its_name_reaches_the_model(tmp_path: Path) -> None:
    route = EXPRESS_ROUTE.replace("require('../scoring/model')", "require('@shop/scoring')")
    root = _tree(tmp_path, {
        "pnpm-workspace.yaml": "packages:\n  - 'services/*'\n  - 'libs/*'\n",
        "services/api/routes/score.js": route,
        "libs/scoring/package.json": '{"name": "@shop/scoring", "main": "lib/model.js"}\n', "libs/scoring/lib/model.js": ORT_NODE_MODEL,
    })
    assert _outcome(root, "serves_model")[0] is PASS


def test_a_package_of_the_same_name_outside_the_workspaces_is_a_dependency(tmp_path: Path) -> None:
    """Near miss: the root declares no workspaces, so `@shop/scoring` comes from the registry even though a
    folder of this repository (a vendored copy) carries that name."""
    route = EXPRESS_ROUTE.replace("require('../scoring/model')", "require('@shop/scoring')")
    root = _tree(tmp_path, {
        "package.json": '{"name": "shop-api", "dependencies": {"@shop/scoring": "^1.0.0"}}\n',
        "routes/score.js": route,
        "third-party-copy/scoring/package.json": '{"name": "@shop/scoring", "main": "lib/model.js"}\n', "third-party-copy/scoring/lib/model.js": ORT_NODE_MODEL,
    })
    assert _outcome(root, "serves_model")[0] is FAIL


JUNIT_TEST = """\
package com.example.demo;

import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class PricingServiceTest {
    @Test
    void discountsLargeOrders() {
        assertThat(new PricingService().price(120)).isEqualTo(108.0);
    }
}
"""


def test_tests_in_spring_initializrs_default_package_are_the_projects(tmp_path: Path) -> None:
    """`com/example/demo` is a package (a namespace), not an examples folder."""
    root = _tree(tmp_path, {
        "src/main/java/com/example/demo/PricingService.java": "package com.example.demo;\npublic class PricingService { public double price(int n) { return n * 0.9; } }\n",
        "src/test/java/com/example/demo/PricingServiceTest.java": JUNIT_TEST,
    })
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_the_tests_of_a_librarys_examples_are_the_examples(tmp_path: Path) -> None:
    """Near miss: every JUnit and Go test sits in an example project of the repository (conventions §2, §5)."""
    go_test = 'package main\n\nimport "testing"\n\nfunc TestRun(t *testing.T) {\n\tif run() != 1 {\n\t\tt.Fatal("run")\n\t}\n}\n'
    root = _tree(tmp_path, {
        "examples/pricing/src/main/java/com/example/demo/PricingService.java": "package com.example.demo;\npublic class PricingService {}\n",
        "examples/pricing/src/test/java/com/example/demo/PricingServiceTest.java": JUNIT_TEST,
        "samples/hello/main.go": "package main\n\nfunc run() int { return 1 }\n", "samples/hello/main_test.go": go_test,
        "lib/core.py": "def f():\n    return 1\n",
    })
    assert _outcome(root, "has_unit_tests")[0] is FAIL


def test_sibling_modules_of_a_maven_build_at_a_snapshot_are_the_projects_own(tmp_path: Path) -> None:
    """A module depending on its sibling `1.0-SNAPSHOT` (the parent's groupId) is the build's own code,
    not a floating dependency; the external versions are fixed."""
    parent = '<project><groupId>org.acme.fraud</groupId><artifactId>parent</artifactId><version>1.0-SNAPSHOT</version><modules><module>scoring</module></modules></project>\n'
    child = (
        "<project><parent><groupId>org.acme.fraud</groupId><artifactId>parent</artifactId><version>1.0-SNAPSHOT</version></parent>\n"
        "<artifactId>scoring</artifactId><dependencies>\n"
        "<dependency><groupId>org.acme.fraud</groupId><artifactId>features</artifactId><version>1.0-SNAPSHOT</version></dependency>\n"
        "<dependency><groupId>com.microsoft.onnxruntime</groupId><artifactId>onnxruntime</artifactId><version>1.19.2</version></dependency>\n"
        "</dependencies></project>\n"
    )
    root = _tree(tmp_path, {"pom.xml": parent, "scoring/pom.xml": child, "scoring/src/main/java/Scorer.java": "public class Scorer {}\n"})
    assert _outcome(root, "pins_dependencies")[0] is PASS


def test_build_files_and_sources_built_to_make_a_naive_reader_repeat_itself_are_read_in_one_pass() -> None:
    """Unclosed tags and comments, long whitespace inside a tag, long identifiers after a declaration
    keyword: each reader does linear work (a quadratic one takes minutes on these 400 KB inputs)."""
    import time

    from mlops_audit.evidence.repo.detectors import _dotnet, _golang, _jvm, _rust, _typerefs

    hostile = ["<dependency><!--" * 25_000, "<properties><a>" + " " * 400_000 + "x", "<dependency><version>" + " " * 400_000]
    started = time.process_time()
    for text in hostile:
        _jvm._maven_versions(_jvm._without_comments(text), set())
        _jvm._maven_group(text)
    for text in ("class " + "A" * 400_000, "fun " + "a." * 200_000, '"' + "/" * 400_000):
        list(_jvm.LANGUAGE.declares.finditer(text)), _jvm.LANGUAGE.asks.search(text), _typerefs.OWN_CHAIN.search(text)
    _rust.LANGUAGE.entry("src/main.rs", "#[oai(" * 70_000)
    _dotnet.LANGUAGE.entry("Api.cs", "public override Task<X> Go(" * 15_000)
    go_mod = "require (\n" * 40_000

    class GoModule:  # just what build_pinning reads of an index
        def named(self, *_: str) -> list[str]:
            return ["go.mod"]

        def size(self, _: str) -> int:
            return len(go_mod)

        def text(self, _: str) -> str:
            return go_mod

    _golang.build_pinning(GoModule())  # type: ignore[arg-type]
    assert time.process_time() - started < 10


SPRING_AI_CONTROLLER = """\
package org.acme.helpdesk;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.web.bind.annotation.*;

@RestController
class TriageController {
    private final ChatClient chat;

    TriageController(ChatClient.Builder builder) {
        this.chat = builder.defaultSystem("Sort each ticket into billing, outage or other; answer with one word.").build();
    }

    @PostMapping("/triage")
    String triage(@RequestBody String ticket) {
        return chat.prompt().user(ticket).call().content();
    }
}
"""


def test_a_spring_ai_controller_with_its_default_system_prompt_serves_the_chain(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"helpdesk/src/main/java/org/acme/helpdesk/TriageController.java": SPRING_AI_CONTROLLER})
    assert _outcome(root, "serves_model")[0] is PASS


WORKSPACE_VITEST = """\
import { describe, expect, it } from 'vitest'
import { riskBand } from '@acme/scoring'

describe('riskBand', () => {
  it('puts high scores in the red band', () => {
    expect(riskBand(0.93)).toBe('red')
  })
})
"""


def test_a_test_importing_a_workspace_package_of_the_repository_tests_its_code(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "pnpm-workspace.yaml": "packages:\n  - apps/*\n  - packages/*\n",
        "packages/scoring/package.json": '{"name": "@acme/scoring", "main": "src/index.ts"}\n',
        "packages/scoring/src/index.ts": "export const riskBand = (p: number) => (p > 0.9 ? 'red' : 'green')\n",
        "apps/api/src/bands.spec.ts": WORKSPACE_VITEST,
    })
    assert _outcome(root, "has_unit_tests")[0] is PASS


def test_a_test_importing_only_a_registry_package_tests_nothing_of_the_repository(tmp_path: Path) -> None:
    """Near miss: no workspace declares `@acme/scoring`; the test exercises a dependency."""
    root = _tree(tmp_path, {
        "package.json": '{"name": "api", "dependencies": {"@acme/scoring": "^2.0.0"}}\n',
        "src/server.ts": "export const port = 3000\n", "src/bands.spec.ts": WORKSPACE_VITEST,
    })
    assert _outcome(root, "has_unit_tests")[0] is FAIL


def test_nuget_references_and_go_module_requirements_at_fixed_versions_pin(tmp_path: Path) -> None:
    """NuGet resolves `Version="3.0.1"` to the lowest applicable version, 3.0.1, every time (floating `3.*`
    and ranges excepted); Go's minimal version selection builds exactly the go.mod's versions."""
    csproj = '<Project Sdk="Microsoft.NET.Sdk.Web">\n  <ItemGroup>\n    <PackageReference Include="Microsoft.ML" Version="3.0.1" />\n    <PackageReference Include="Azure.Storage.Blobs" Version="12.19.1" />\n  </ItemGroup>\n</Project>\n'
    dotnet = {"Scoring.Api/Scoring.Api.csproj": csproj, "Scoring.Api/Program.cs": "var app = WebApplication.Create();\n"}
    assert _outcome(_tree(_sub(tmp_path), dotnet), "pins_dependencies")[0] is PASS
    central = {
        "Directory.Packages.props": '<Project>\n  <ItemGroup>\n    <PackageVersion Include="Microsoft.ML.OnnxRuntime" Version="1.19.2" />\n  </ItemGroup>\n</Project>\n',
        "src/Triage/Triage.csproj": '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup><PackageReference Include="Microsoft.ML.OnnxRuntime" /></ItemGroup>\n</Project>\n',
        "src/Triage/Model.cs": "class Model {}\n",
    }
    assert _outcome(_tree(_sub(tmp_path), central), "pins_dependencies")[0] is PASS
    go = {"go.mod": "module example.com/ranker\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgithub.com/yalue/onnxruntime_go v1.12.1\n)\n", "main.go": "package main\n\nfunc main() {}\n"}
    assert _outcome(_tree(_sub(tmp_path), go), "pins_dependencies")[0] is PASS


def test_floating_nuget_versions_pin_nothing(tmp_path: Path) -> None:
    """Near miss: floating versions (`3.*`) and an open range resolve to whatever is newest."""
    csproj = '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n    <PackageReference Include="Microsoft.ML" Version="3.*" />\n    <PackageReference Include="Serilog" Version="[3.0,)" />\n  </ItemGroup>\n</Project>\n'
    root = _tree(tmp_path, {"Worker/Worker.csproj": csproj, "Worker/Program.cs": "class P {}\n"})
    assert _outcome(root, "pins_dependencies")[0] is FAIL
