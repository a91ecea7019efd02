"""scripts/deploy_sagemaker.py train: the CreateTrainingJob request for `IMAGE train`, checked on its own
and made against moto's server mode."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import SCRIPTS

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/tandem:abc"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"


def test_request_has_file_channels_string_hyperparameters_and_metric_definitions(deploy):
    request = deploy.build_training_job(
        "bc-depth4", IMAGE, ROLE, "s3://data/bc/train/", "s3://models/bc/", validation="s3://data/bc/validation/",
        hyperparameters={"objective": "binary:logistic", "max_depth": 4}, checkpoint="s3://models/bc/checkpoints/")
    assert request["AlgorithmSpecification"]["TrainingImage"] == IMAGE
    assert request["AlgorithmSpecification"]["TrainingInputMode"] == "File"
    assert [c["ChannelName"] for c in request["InputDataConfig"]] == ["train", "validation"]
    assert request["InputDataConfig"][1]["DataSource"]["S3DataSource"]["S3Uri"] == "s3://data/bc/validation/"
    assert all(c["ContentType"] == "text/csv" for c in request["InputDataConfig"])
    assert request["HyperParameters"] == {"objective": "binary:logistic", "max_depth": "4"}
    assert request["ResourceConfig"]["InstanceCount"] == 1
    assert request["CheckpointConfig"] == {"S3Uri": "s3://models/bc/checkpoints/", "LocalPath": "/opt/ml/checkpoints"}
    # The metric definitions match the lines `tandem train` prints.
    definitions = {d["Name"]: re.compile(d["Regex"]) for d in request["AlgorithmSpecification"]["MetricDefinitions"]}
    assert definitions["validation:logloss"].search("round: 3\nvalidation-logloss: 0.123456\n").group(1) == "0.123456"
    assert definitions["train:rmse"].search("validation-rmse: 1.5\ntrain-rmse: 2.25\n").group(1) == "2.25"


@pytest.mark.parametrize("kwargs", [{"job": "bad_name"}, {"train": "bucket/train"}, {"output": "file:///tmp"}])
def test_request_rejects(deploy, kwargs):
    args = {"job": "ok", "image": IMAGE, "role": ROLE, "train": "s3://data/t/", "output": "s3://models/o/", **kwargs}
    with pytest.raises(deploy.DeployError):
        deploy.build_training_job(**args)


def test_cli_creates_a_training_job_in_moto(aws_env, sagemaker):
    base = [sys.executable, str(SCRIPTS / "deploy_sagemaker.py"), "--region", "us-east-1", "--endpoint-url", aws_env]
    result = subprocess.run(base + [
        "train", "--job", "tandem-bc-1", "--image", IMAGE, "--role", ROLE, "--train", "s3://data/bc/train/",
        "--validation", "s3://data/bc/validation/", "--output", "s3://models/bc/",
        "--hyperparameter", "objective=binary:logistic", "--hyperparameter", "num_round=50"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "started training job arn:aws:sagemaker:us-east-1:" in result.stdout
    job = sagemaker.describe_training_job(TrainingJobName="tandem-bc-1")
    assert job["AlgorithmSpecification"]["TrainingImage"] == IMAGE
    assert job["HyperParameters"] == {"objective": "binary:logistic", "num_round": "50"}
    assert [c["ChannelName"] for c in job["InputDataConfig"]] == ["train", "validation"]
    assert job["OutputDataConfig"]["S3OutputPath"] == "s3://models/bc/"
    dry = subprocess.run(base + ["train", "--job", "x", "--image", IMAGE, "--role", ROLE, "--train", "s3://data/t/",
                                 "--output", "s3://models/o/", "--dry-run"], capture_output=True, text=True, timeout=60)
    assert json.loads(dry.stdout)["CreateTrainingJob"]["TrainingJobName"] == "x"
