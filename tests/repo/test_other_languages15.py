"""Session 15's rules for systems not written in Python (issue 12, class A of the batch 21 misses): the
same practices written in Ruby (Rails, Sinatra) and R (plumber, vetiver, scheduled Rscript jobs, DVC
stages of R scripts), recognised from each ecosystem's documented conventions - Zeitwerk's
file-path-is-constant-path autoloading, plumber's `#*` annotations, a DVC stage's `deps`/`outs` -
and lock files of other ecosystems judged for the code they lock. Each rule with at least two ways of
writing the practice and the near misses it must not count."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- serves_model: rule `Ruby route reaches the team's chain` -------------------------------------------

RAILS_ROUTES = 'Rails.application.routes.draw do\n  resources :questions, only: [:create]\nend\n'

QUESTIONS_CONTROLLER = """\
class QuestionsController < ApplicationController
  def create
    question = Question.create!(text: params[:text])
    AnswerQuestionJob.perform_later(question.id)
    redirect_to question
  end
end
"""

ANSWER_JOB = """\
class AnswerQuestionJob < ApplicationJob
  queue_as :default

  def perform(question_id)
    question = Question.find(question_id)
    question.update!(answer: Assistant::Responder.call(question.text))
  end
end
"""

# lib/assistant/responder.rb: Anthropic's Ruby SDK, the team's system prompt and its own retrieval.
RESPONDER = """\
module Assistant
  class Responder
    INSTRUCTIONS = "Answer only from the guidance excerpts below and cite them.".freeze

    def self.call(text) = new.call(text)

    def call(text)
      excerpts = GuidanceSearch.new.nearest(text, limit: 5)
      response = client.messages.create(
        model: "claude-sonnet-4-5",
        max_tokens: 1024,
        system: "#{INSTRUCTIONS}\\n#{excerpts.join("\\n")}",
        messages: [{ role: "user", content: text }],
      )
      response.content.first.text
    end

    private

    def client
      @client ||= Anthropic::Client.new
    end
  end
end
"""

API_CONTROLLER = """\
module Api
  module V1
    class RepliesController < ActionController::API
      def create
        render json: { reply: SupportBot::Reply.new(params.require(:message)).text }
      end
    end
  end
end
"""

# app/services/support_bot/reply.rb: ruby-openai with a system message and pgvector neighbours.
SUPPORT_REPLY = """\
module SupportBot
  class Reply
    def initialize(message)
      @message = message
    end

    def text
      articles = Article.nearest_neighbors(:embedding, embed(@message), distance: "cosine").first(4)
      result = OpenAI::Client.new.chat(
        parameters: {
          model: "gpt-4o-mini",
          messages: [
            { role: "system", content: "You are the help desk. Use these articles: #{articles.map(&:body).join}" },
            { role: "user", content: @message },
          ],
        },
      )
      result.dig("choices", 0, "message", "content")
    end
  end
end
"""

SINATRA_APP = """\
require "sinatra"
require "json"
require_relative "lib/ask_agent"

post "/ask" do
  payload = JSON.parse(request.body.read)
  { answer: AskAgent.new.answer(payload["question"]) }.to_json
end
"""

ASK_AGENT = """\
require "ruby_llm"

class AskAgent
  def answer(question)
    chat = RubyLLM.chat(model: "gpt-4.1")
    chat.with_instructions(File.read(File.join(__dir__, "prompts", "librarian.md")))
    chat.ask(question).content
  end
end
"""

PASS_THROUGH_REPLY = SUPPORT_REPLY.replace(
    '      articles = Article.nearest_neighbors(:embedding, embed(@message), distance: "cosine").first(4)\n', ""
).replace('            { role: "system", content: "You are the help desk. Use these articles: #{articles.map(&:body).join}" },\n', "")


def test_a_rails_controller_enqueuing_a_job_that_runs_the_teams_chain_from_lib_serves(tmp_path: Path) -> None:
    files = {
        "config/routes.rb": RAILS_ROUTES,
        "app/controllers/questions_controller.rb": QUESTIONS_CONTROLLER,
        "app/jobs/answer_question_job.rb": ANSWER_JOB,
        "lib/assistant/responder.rb": RESPONDER,
    }
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "Ruby" in message


def test_a_namespaced_api_controller_calling_a_service_object_with_a_system_message_serves(tmp_path: Path) -> None:
    files = {"app/controllers/api/v1/replies_controller.rb": API_CONTROLLER, "app/services/support_bot/reply.rb": SUPPORT_REPLY}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_a_sinatra_route_requiring_an_agent_with_its_own_instructions_serves(tmp_path: Path) -> None:
    files = {"web/app.rb": SINATRA_APP, "web/lib/ask_agent.rb": ASK_AGENT}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_a_ruby_route_passing_the_users_message_straight_to_a_hosted_model_does_not_serve(tmp_path: Path) -> None:
    files = {"app/controllers/api/v1/replies_controller.rb": API_CONTROLLER, "app/services/support_bot/reply.rb": PASS_THROUGH_REPLY}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL  # conventions §13: a thin pass-through


def test_a_ruby_chain_no_route_reaches_does_not_serve(tmp_path: Path) -> None:
    rake = "namespace :assistant do\n  task ask: :environment do\n    puts Assistant::Responder.call(ENV.fetch('Q'))\n  end\nend\n"
    files = {"lib/tasks/assistant.rake": rake, "lib/assistant/responder.rb": RESPONDER, "bin/ask.rb": "puts Assistant::Responder.call(ARGV[0])\n"}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL


def test_a_ruby_chain_reached_only_from_specs_or_an_examples_folder_does_not_serve(tmp_path: Path) -> None:
    spec = "RSpec.describe QuestionsController do\n  it { Assistant::Responder.call('hi') }\nend\n"
    files = {"spec/requests/questions_controller_spec.rb": spec, "lib/assistant/responder.rb": RESPONDER}
    assert _outcome(_tree(tmp_path / "spec", files), "serves_model")[0] is FAIL
    example = {"examples/rails_chat/app/controllers/api/v1/replies_controller.rb": API_CONTROLLER, "examples/rails_chat/app/services/support_bot/reply.rb": SUPPORT_REPLY}
    assert _outcome(_tree(tmp_path / "example", example), "serves_model")[0] is FAIL


# --- serves_model: rule `R model API` (plumber, vetiver) ----------------------------------------------

PLUMBER_API = """\
library(plumber)

model <- readRDS("models/churn_glm.rds")

#* Score one customer
#* @param tenure:int
#* @post /predict
function(tenure, monthly_charges) {
  newdata <- data.frame(tenure = as.numeric(tenure), monthly_charges = as.numeric(monthly_charges))
  list(probability = predict(model, newdata, type = "response"))
}
"""

PLUMBER_PROGRAMMATIC = """\
library(plumber)
library(tidymodels)

fitted_wf <- bundle::unbundle(readRDS(Sys.getenv("MODEL_PATH")))

score <- function(req) {
  augment(fitted_wf, new_data = as.data.frame(req$body))
}

pr() |>
  pr_post("/v1/score", score) |>
  pr_run(host = "0.0.0.0", port = 8000)
"""

VETIVER_API = """\
library(vetiver)
library(pins)
library(plumber)

board <- board_s3("acme-models", region = "eu-west-1")
v <- vetiver_pin_read(board, "house_prices")

pr() %>%
  vetiver_api(v) %>%
  pr_run(port = 8080)
"""

PLUMBER_NO_MODEL = """\
library(plumber)

#* @get /stations
function() {
  read.csv("data/stations.csv")
}
"""


def test_a_plumber_endpoint_predicting_with_a_loaded_model_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"api/plumber.R": PLUMBER_API}), "serves_model")
    assert outcome is PASS and "R" in message


def test_a_plumber_router_built_in_code_or_a_vetiver_api_serves(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "programmatic", {"service/entrypoint.R": PLUMBER_PROGRAMMATIC}), "serves_model")[0] is PASS
    assert _outcome(_tree(tmp_path / "vetiver", {"deploy/app.R": VETIVER_API}), "serves_model")[0] is PASS


def test_a_plumber_api_serving_data_or_one_in_an_examples_folder_does_not_serve(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "data", {"api/plumber.R": PLUMBER_NO_MODEL}), "serves_model")[0] is FAIL
    assert _outcome(_tree(tmp_path / "example", {"examples/plumber/plumber.R": PLUMBER_API}), "serves_model")[0] is FAIL


# --- serves_model: rule `R batch scoring job` --------------------------------------------------------

R_SCORE_TO_DB = """\
library(DBI)

con <- dbConnect(RPostgres::Postgres(), dbname = "crm")
customers <- dbGetQuery(con, "select * from customers_to_score")
model <- readRDS("models/churn.rds")
customers$p_churn <- predict(model, newdata = customers, type = "response")
dbWriteTable(con, "churn_scores", customers, overwrite = TRUE)
"""

R_SCORE_TO_BIGQUERY = """\
suppressPackageStartupMessages({
  library(pins)
  library(bigrquery)
})
board <- board_gcs("forecast-models")
forecaster <- pin_read(board, "daily_demand")
horizon <- read.csv(Sys.getenv("FEATURES_CSV"))
horizon$demand <- predict(forecaster, horizon)
bq_table_upload(bq_table("acme", "forecasts", "daily_demand"), horizon, write_disposition = "WRITE_APPEND")
"""


def test_an_r_scoring_script_on_a_cron_schedule_serves(tmp_path: Path) -> None:
    cron = "15 3 * * * cd /srv/scoring && Rscript jobs/score_customers.R >> /var/log/score.log 2>&1\n"
    outcome, message = _outcome(_tree(tmp_path, {"deploy/crontab": cron, "jobs/score_customers.R": R_SCORE_TO_DB}), "serves_model")
    assert outcome is PASS and "R" in message


def test_an_r_scoring_script_run_by_a_scheduled_workflow_or_an_image_serves(tmp_path: Path) -> None:
    workflow = (
        "on:\n  schedule:\n    - cron: '0 5 * * *'\n  workflow_dispatch: {}\njobs:\n  forecast:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: Rscript R/forecast_daily.R\n"
    )
    files = {".github/workflows/forecast.yml": workflow, "R/forecast_daily.R": R_SCORE_TO_BIGQUERY}
    assert _outcome(_tree(tmp_path / "workflow", files), "serves_model")[0] is PASS
    image = {"Dockerfile": 'FROM rocker/r-ver:4.4\nCOPY . /app\nCMD ["Rscript", "/app/score_customers.R"]\n', "score_customers.R": R_SCORE_TO_DB}
    assert _outcome(_tree(tmp_path / "image", image), "serves_model")[0] is PASS


def test_an_r_scoring_script_nothing_runs_or_one_that_also_fits_does_not_serve(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "by_hand", {"jobs/score_customers.R": R_SCORE_TO_DB}), "serves_model")[0] is FAIL
    refit = R_SCORE_TO_DB.replace('model <- readRDS("models/churn.rds")', "model <- glm(churned ~ ., data = customers, family = binomial)")
    cron = "15 3 * * * Rscript jobs/score_customers.R\n"
    assert _outcome(_tree(tmp_path / "refit", {"crontab": cron, "jobs/score_customers.R": refit}), "serves_model")[0] is FAIL


# --- serves_model: rule `scoring stage of an R pipeline` (DVC) ------------------------------------------

TRAIN_R = """\
library(tidymodels)
training <- arrow::read_parquet("input/training.parquet")
wf <- workflow() |> add_recipe(recipe(price ~ ., training)) |> add_model(boost_tree(mode = "regression"))
wf_fit <- fit(wf, training)
saveRDS(wf_fit, "output/model/fit.rds")
"""

ASSESS_R = """\
library(tidymodels)
fit <- readRDS("output/model/fit.rds")
parcels <- arrow::read_parquet("input/parcels_to_value.parquet")
parcels$value <- predict(fit, parcels)$.pred
arrow::write_parquet(parcels, "output/values/parcel_values.parquet")
"""

# The same script predicting the test split the training stage wrote: an evaluation.
EVALUATE_R = ASSESS_R.replace("input/parcels_to_value.parquet", "output/split/test.parquet").replace("parcel_values", "test_predictions")

PUBLISH_R = """\
values <- arrow::read_parquet("output/values/parcel_values.parquet")
aws.s3::put_object(file = "output/values/parcel_values.parquet", object = "values/latest.parquet", bucket = "assessor-values")
"""

DVC_PIPELINE = """\
stages:
  train:
    cmd: Rscript pipeline/train.R
    deps:
    - pipeline/train.R
    - input/training.parquet
    outs:
    - output/model/fit.rds
  assess:
    cmd: Rscript pipeline/assess.R
    deps:
    - pipeline/assess.R
    - output/model/fit.rds
    - input/parcels_to_value.parquet
    outs:
    - output/values/parcel_values.parquet
  publish:
    cmd: Rscript pipeline/publish.R
    deps:
    - pipeline/publish.R
    - output/values/parcel_values.parquet
"""

PIPELINE_IMAGE = 'FROM rocker/r-ver:4.4\nRUN pip install "dvc[s3]"\nCOPY . /model\nWORKDIR /model\nCMD ["sh", "-c", "dvc pull && dvc repro"]\n'


def _r_pipeline(assess: str = ASSESS_R, pipeline: str = DVC_PIPELINE, runner: dict[str, str] | None = None) -> dict[str, str]:
    files = {"dvc.yaml": pipeline, "pipeline/train.R": TRAIN_R, "pipeline/assess.R": assess, "pipeline/publish.R": PUBLISH_R}
    return files | ({"Dockerfile": PIPELINE_IMAGE} if runner is None else runner)


def test_a_dvc_stage_scoring_new_data_with_the_trained_model_published_by_a_later_stage_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, _r_pipeline()), "serves_model")
    assert outcome is PASS and "DVC" in message


def test_a_dvc_scoring_stage_writing_to_a_database_itself_under_a_scheduled_workflow_serves(tmp_path: Path) -> None:
    to_db = ASSESS_R.replace('arrow::write_parquet(parcels, "output/values/parcel_values.parquet")', 'DBI::dbWriteTable(con, "parcel_values", parcels, append = TRUE)')
    pipeline = DVC_PIPELINE.split("  publish:")[0]
    workflow = "on:\n  schedule:\n    - cron: '0 6 1 * *'\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - run: dvc repro --pull\n"
    files = _r_pipeline(to_db, pipeline, {".github/workflows/monthly.yml": workflow})
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_a_dvc_stage_predicting_on_the_training_stages_own_split_is_evaluation_not_serving(tmp_path: Path) -> None:
    pipeline = DVC_PIPELINE.replace("    - input/parcels_to_value.parquet\n", "").replace("parcel_values.parquet", "test_predictions.parquet")
    evaluate_files = _r_pipeline(EVALUATE_R, pipeline) | {"pipeline/publish.R": PUBLISH_R.replace("parcel_values", "test_predictions")}
    assert _outcome(_tree(tmp_path, evaluate_files), "serves_model")[0] is FAIL


def test_a_dvc_r_pipeline_nothing_runs_or_whose_scores_nobody_publishes_does_not_serve(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path / "by_hand", _r_pipeline(runner={})), "serves_model")[0] is FAIL
    unpublished = _r_pipeline(pipeline=DVC_PIPELINE.split("  publish:")[0])
    assert _outcome(_tree(tmp_path / "kept", unpublished), "serves_model")[0] is FAIL


# --- pins_dependencies: lock files of other ecosystems ---------------------------------------------

def test_a_rails_or_kotlin_system_with_its_lock_file_pins_its_dependencies(tmp_path: Path) -> None:
    rails = {"Gemfile": 'source "https://rubygems.org"\ngem "rails", "~> 8.0"\n', "Gemfile.lock": "GEM\n  specs:\n    rails (8.0.2)\n", "app/models/answer.rb": "class Answer < ApplicationRecord\nend\n"}
    assert _outcome(_tree(tmp_path / "rails", rails), "pins_dependencies")[0] is PASS
    kotlin = {"build.gradle.kts": 'dependencies { implementation("ai.djl:api:0.30.0") }\n', "gradle.lockfile": "ai.djl:api:0.30.0=runtimeClasspath\nempty=\n", "src/main/kotlin/Score.kt": "fun main() {}\n"}
    assert _outcome(_tree(tmp_path / "kotlin", kotlin), "pins_dependencies")[0] is PASS


def test_a_lock_of_another_ecosystem_does_not_pin_the_python_code_beside_it(tmp_path: Path) -> None:
    for name, lock in (("Gemfile.lock", "GEM\n  specs:\n    rails (8.0.2)\n"), ("renv.lock", '{"R": {"Version": "4.4.1"}, "Packages": {}}\n')):
        files = {name: lock, "requirements.txt": "pandas>=2\nscikit-learn\n", "train.py": "import pandas\n"}
        assert _outcome(_tree(tmp_path / name, files), "pins_dependencies")[0] is FAIL, name


# --- is_reproducible: rule `seeded R training` -------------------------------------------------------

R_TRAIN_SEEDED = """\
library(ranger)
set.seed(20240611)
train <- read.csv("data/train.csv")
forest <- ranger(churned ~ ., data = train, num.trees = 500)
saveRDS(forest, "models/forest.rds")
"""

R_TUNE_WITH_SEED = """\
library(tidymodels)
folds <- vfold_cv(training, v = 5)
tuned <- withr::with_seed(params$model$seed, tune_grid(wflow, resamples = folds, grid = 20))
final <- finalize_workflow(wflow, select_best(tuned, metric = "rmse")) |> fit(training)
"""


def test_an_r_training_script_that_sets_its_seed_is_reproducible(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path / "ranger", {"R/train_model.R": R_TRAIN_SEEDED}), "is_reproducible")
    assert outcome is PASS and "R" in message
    assert _outcome(_tree(tmp_path / "withr", {"pipeline/01-fit.R": R_TUNE_WITH_SEED}), "is_reproducible")[0] is PASS


def test_a_seed_in_an_r_script_that_fits_nothing_or_in_r_tests_is_not_a_seeded_training(tmp_path: Path) -> None:
    plot = 'set.seed(1)\nsample_rows <- dplyr::slice_sample(read.csv("data/train.csv"), n = 100)\nplot(sample_rows$x, sample_rows$y)\n'
    assert _outcome(_tree(tmp_path / "plot", {"R/explore.R": plot}), "is_reproducible")[0] is FAIL
    assert _outcome(_tree(tmp_path / "tests", {"tests/testthat/test-train.R": R_TRAIN_SEEDED}), "is_reproducible")[0] is FAIL


# --- serves_model: `JavaScript route reaches the team's chain`, routes of other TypeScript frameworks ---

JS_CHAIN = """\
import Anthropic from '@anthropic-ai/sdk';
import { findPassages } from './retrieval';

const anthropic = new Anthropic();

export async function draftReply(question: string): Promise<string> {
  const passages = await findPassages(question);
  const message = await anthropic.messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 800,
    system: 'Reply as the council help desk, citing only these passages: ' + passages.join('\\n'),
    messages: [{ role: 'user', content: question }],
  });
  return message.content[0].type === 'text' ? message.content[0].text : '';
}
"""

NEST_CONTROLLER = """\
import { Body, Controller, Post } from '@nestjs/common';
import { draftReply } from '../assistant/draft-reply';

@Controller('replies')
export class RepliesController {
  @Post()
  async create(@Body() body: { question: string }) {
    return { reply: await draftReply(body.question) };
  }
}
"""

SVELTEKIT_ENDPOINT = """\
import { json, type RequestHandler } from '@sveltejs/kit';
import { draftReply as reply } from '$lib/server/draft-reply';

export const POST: RequestHandler = async ({ request }) => {
  const { question } = await request.json();
  return json({ reply: await reply(question) });
};
"""

REMIX_ROUTE = """\
import type { ActionFunctionArgs } from '@remix-run/node';
import { draftReply } from '~/assistant/draft-reply.server';

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  return { reply: await draftReply(String(form.get('question'))) };
}

export default function Ask() {
  return null;
}
"""


def test_a_nestjs_controller_reaching_the_teams_chain_serves(tmp_path: Path) -> None:
    files = {"api/src/replies/replies.controller.ts": NEST_CONTROLLER, "api/src/assistant/draft-reply.ts": JS_CHAIN}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_a_typed_sveltekit_endpoint_or_a_remix_route_action_reaching_the_chain_serves(tmp_path: Path) -> None:
    svelte = {"src/routes/api/reply/+server.ts": SVELTEKIT_ENDPOINT, "src/lib/server/draft-reply.ts": JS_CHAIN}
    assert _outcome(_tree(tmp_path / "svelte", svelte), "serves_model")[0] is PASS
    remix = {"app/routes/ask.tsx": REMIX_ROUTE, "app/assistant/draft-reply.server.ts": JS_CHAIN}
    assert _outcome(_tree(tmp_path / "remix", remix), "serves_model")[0] is PASS


def test_route_decorators_without_a_controller_or_an_action_outside_route_modules_do_not_serve(tmp_path: Path) -> None:
    no_controller = NEST_CONTROLLER.replace("@Controller('replies')\n", "")
    files = {"api/src/replies/replies.controller.ts": no_controller, "api/src/assistant/draft-reply.ts": JS_CHAIN}
    assert _outcome(_tree(tmp_path / "nest", files), "serves_model")[0] is FAIL
    helper = {"app/lib/ask.tsx": REMIX_ROUTE, "app/assistant/draft-reply.server.ts": JS_CHAIN}
    assert _outcome(_tree(tmp_path / "helper", helper), "serves_model")[0] is FAIL


# --- orchestrates_pipeline: rule `R targets pipeline` ------------------------------------------------

TARGETS_PIPELINE = """\
library(targets)
tar_source("R/")
tar_option_set(packages = c("tidymodels", "arrow"))

list(
  tar_target(raw_sales, ingest_sales(), format = "parquet"),
  tar_target(model_fit, train_model(raw_sales)),
  tar_target(assessment, assess_parcels(model_fit), format = "parquet")
)
"""

TARCHETYPES_PLAN = """\
library(targets)
library(tarchetypes)

tar_plan(
  tar_file(stations_file, "data/stations.csv"),
  stations = read_stations(stations_file),
  forecast = fit_forecast(stations),
  tar_quarto(report, "reports/forecast.qmd")
)
"""


def test_an_r_targets_pipeline_of_several_targets_is_orchestrated(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path / "targets", {"_targets.R": TARGETS_PIPELINE}), "orchestrates_pipeline")
    assert outcome is PASS and "targets" in message
    assert _outcome(_tree(tmp_path / "plan", {"analysis/_targets.R": TARCHETYPES_PLAN}), "orchestrates_pipeline")[0] is PASS


def test_a_single_target_or_a_tutorials_targets_file_is_not_an_orchestrated_pipeline(tmp_path: Path) -> None:
    single = "library(targets)\nlist(tar_target(model_fit, train_model(read.csv('data/train.csv'))))\n"
    assert _outcome(_tree(tmp_path / "single", {"_targets.R": single}), "orchestrates_pipeline")[0] is FAIL
    assert _outcome(_tree(tmp_path / "tutorial", {"tutorials/targets-intro/_targets.R": TARGETS_PIPELINE}), "orchestrates_pipeline")[0] is FAIL


def test_a_tree_of_many_ruby_files_defining_one_common_name_is_read_in_linear_time(tmp_path: Path) -> None:
    # 1,500 files each defining `Client` and naming it: following every reference to every
    # candidate would be 2.25 million edges; a name this common is not followed (MAX_CANDIDATES).
    import time

    from mlops_audit.evidence.repo.collect import build_index
    from mlops_audit.evidence.repo.detectors import _ruby

    files = {f"lib/vendor{i}/client.rb": f"module Vendor{i}\n  class Client\n    def go = Client.new\n  end\nend\n" for i in range(1500)}
    files |= {"app/controllers/api/v1/replies_controller.rb": API_CONTROLLER, "app/services/support_bot/reply.rb": SUPPORT_REPLY}
    repo = build_index(_tree(tmp_path, files))
    start = time.process_time()
    found = _ruby.routes_reaching_a_chain(repo)
    assert [loc.path for loc in found] == ["app/controllers/api/v1/replies_controller.rb", "app/services/support_bot/reply.rb"]
    assert time.process_time() - start < 10
