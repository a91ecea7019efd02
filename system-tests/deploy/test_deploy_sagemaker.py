"""scripts/deploy_sagemaker.py: pure planning, then the real calls against moto's server mode."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SCRIPTS

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/tandem:abc"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"


def variants(deploy, *specs):
    return [deploy.parse_variant(spec) for spec in specs]


# --- parsing and planning (no AWS) ---------------------------------------------------------

def test_parse_variant_defaults_and_options(deploy):
    plain = deploy.parse_variant("control=s3://bucket/v1/model.tar.gz")
    assert (plain.name, plain.model_data, plain.weight, plain.instance_type, plain.count) == (
        "control", "s3://bucket/v1/model.tar.gz", 1.0, "ml.m5.large", 1)
    tuned = deploy.parse_variant("b=s3://bucket/k,weight=0.25,instance-type=ml.c5.xlarge,count=3")
    assert (tuned.weight, tuned.instance_type, tuned.count) == (0.25, "ml.c5.xlarge", 3)
    serverless = deploy.parse_variant("s=s3://bucket/k,serverless-memory=2048,max-concurrency=5")
    assert serverless.production_variant("m", None) == {
        "VariantName": "s", "ModelName": "m", "InitialVariantWeight": 1.0,
        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}


@pytest.mark.parametrize("spec", [
    "control", "control=bucket/key", "control=s3://bucket/k,weight=-1", "control=s3://bucket/k,count=0",
    "control=s3://bucket/k,colour=red", "bad_name=s3://bucket/k", "c=s3://bucket/k,instance-type=m5.large",
])
def test_parse_variant_rejects(deploy, spec):
    with pytest.raises(deploy.DeployError):
        deploy.parse_variant(spec)


def test_plan_names_models_and_config(deploy):
    plan = deploy.build_plan("tandem-demo", IMAGE, ROLE,
                             variants(deploy, "control=s3://bkt/v1/model.tar.gz,weight=0.8",
                                      "challenger=s3://bkt/v2/model.tar.gz,weight=0.2"),
                             environment={"TANDEM_LOG_LEVEL": "info"}, suffix="s1", startup_timeout=600)
    assert [m["ModelName"] for m in plan.models] == ["tandem-demo-control-s1", "tandem-demo-challenger-s1"]
    assert plan.models[0]["PrimaryContainer"] == {"Image": IMAGE, "ModelDataUrl": "s3://bkt/v1/model.tar.gz",
                                                  "Mode": "SingleModel", "Environment": {"TANDEM_LOG_LEVEL": "info"}}
    config = plan.endpoint_config
    assert config["EndpointConfigName"] == "tandem-demo-s1"
    assert [(v["VariantName"], v["InitialVariantWeight"]) for v in config["ProductionVariants"]] == [
        ("control", 0.8), ("challenger", 0.2)]
    assert config["ProductionVariants"][0]["ContainerStartupHealthCheckTimeoutInSeconds"] == 600
    assert "ShadowProductionVariants" not in config


def test_plan_shadow_variant(deploy):
    plan = deploy.build_plan("ep", IMAGE, ROLE, variants(deploy, "prod=s3://bkt/v1/m.tar.gz"),
                             shadow=deploy.parse_variant("shadow=s3://bkt/v2/m.tar.gz"), suffix="x")
    assert [v["VariantName"] for v in plan.endpoint_config["ShadowProductionVariants"]] == ["shadow"]
    assert [m["ModelName"] for m in plan.models] == ["ep-prod-x", "ep-shadow-x"]


@pytest.mark.parametrize("kwargs, message", [
    ({"variants": []}, "at least one"),
    ({"variants": ["a=s3://bkt/k", "a=s3://bkt/k2"]}, "unique"),
    ({"variants": ["a=s3://bkt/k", "b=s3://bkt/k"], "shadow": "s=s3://bkt/k"}, "exactly one production"),
    ({"variants": ["a=s3://bkt/k,weight=0"]}, "weight > 0"),
    ({"variants": ["a=s3://bkt/k"], "endpoint": "x" * 60}, "at most 63"),
])
def test_plan_rejects(deploy, kwargs, message):
    shadow = deploy.parse_variant(kwargs["shadow"]) if "shadow" in kwargs else None
    with pytest.raises(deploy.DeployError, match=message):
        deploy.build_plan(kwargs.get("endpoint", "ep"), IMAGE, ROLE, variants(deploy, *kwargs["variants"]),
                          shadow=shadow, suffix="s")


def test_parse_weight(deploy):
    assert deploy.parse_weight("control=0.5") == {"VariantName": "control", "DesiredWeight": 0.5}
    assert deploy.parse_weight("b=1,count=2") == {"VariantName": "b", "DesiredWeight": 1.0, "DesiredInstanceCount": 2}
    for bad in ("control", "control=x", "control=-1", "control=1,count=0", "control=1,size=2"):
        with pytest.raises(deploy.DeployError):
            deploy.parse_weight(bad)


def test_cli_dry_run_prints_calls_without_aws():
    out = subprocess.run([sys.executable, str(SCRIPTS / "deploy_sagemaker.py"), "deploy", "--dry-run",
                          "--endpoint", "ep", "--image", IMAGE, "--role", ROLE, "--suffix", "s",
                          "--variant", "a=s3://bkt/k,weight=3", "--variant", "b=s3://bkt/k2"],
                         check=True, capture_output=True, text=True).stdout
    calls = json.loads(out)
    assert calls["CreateOrUpdateEndpoint"] == {"EndpointName": "ep", "EndpointConfigName": "ep-s"}
    assert len(calls["CreateModel"]) == 2


class RecordingClient:
    """Stands in for boto3 where moto falls short (UpdateEndpoint is not implemented in moto 5.2)."""

    class exceptions:  # noqa: N801 - mirrors boto3's client.exceptions
        from botocore.exceptions import ClientError

    def __init__(self, status):
        self.status, self.calls = status, []

    def __getattr__(self, name):
        def call(**kwargs):
            self.calls.append(name)
            if name == "describe_endpoint":
                return {"EndpointStatus": self.status}
            return {}
        return call


def test_apply_plan_updates_existing_endpoint(deploy):
    plan = deploy.build_plan("ep", IMAGE, ROLE, variants(deploy, "a=s3://bkt/k"), suffix="2")
    client = RecordingClient("InService")
    assert deploy.apply_plan(client, plan) == "updated"
    assert client.calls == ["create_model", "create_endpoint_config", "describe_endpoint", "update_endpoint"]
    with pytest.raises(deploy.DeployError, match="Updating"):
        deploy.apply_plan(RecordingClient("Updating"), plan)


# --- against moto's server mode ------------------------------------------------------------

def test_deploy_creates_models_config_and_endpoint(deploy, sagemaker):
    plan = deploy.build_plan("tandem-ab", IMAGE, ROLE,
                             variants(deploy, "control=s3://models/v1/model.tar.gz,weight=0.8",
                                      "challenger=s3://models/v2/model.tar.gz,weight=0.2,instance-type=ml.c5.large"),
                             suffix="t1")
    assert deploy.apply_plan(sagemaker, plan) == "created"
    model = sagemaker.describe_model(ModelName="tandem-ab-challenger-t1")
    assert model["PrimaryContainer"]["Image"] == IMAGE
    assert model["PrimaryContainer"]["ModelDataUrl"] == "s3://models/v2/model.tar.gz"
    assert model["ExecutionRoleArn"] == ROLE
    config = sagemaker.describe_endpoint_config(EndpointConfigName="tandem-ab-t1")
    assert [(v["VariantName"], v["InitialVariantWeight"], v["InstanceType"]) for v in config["ProductionVariants"]] == [
        ("control", 0.8, "ml.m5.large"), ("challenger", 0.2, "ml.c5.large")]
    assert deploy.wait_in_service(sagemaker, "tandem-ab", timeout=5, poll=0.1) == "InService"
    summary = deploy.summary(sagemaker, "tandem-ab")
    assert summary["EndpointConfigName"] == "tandem-ab-t1"
    assert {v["VariantName"]: v["CurrentWeight"] for v in summary["ProductionVariants"]} == {
        "control": 0.8, "challenger": 0.2}


def test_weights_change_in_place(deploy, sagemaker):
    plan = deploy.build_plan("tandem-w", IMAGE, ROLE,
                             variants(deploy, "control=s3://models/1,weight=0.9", "challenger=s3://models/2,weight=0.1"),
                             suffix="w")
    deploy.apply_plan(sagemaker, plan)
    deploy.update_weights(sagemaker, "tandem-w", [deploy.parse_weight("control=0.25"),
                                                  deploy.parse_weight("challenger=0.75,count=2")])
    variants_now = {v["VariantName"]: v for v in sagemaker.describe_endpoint(EndpointName="tandem-w")["ProductionVariants"]}
    assert variants_now["control"]["DesiredWeight"] == 0.25
    assert variants_now["challenger"]["DesiredWeight"] == 0.75
    assert variants_now["challenger"]["DesiredInstanceCount"] == 2
    assert variants_now["control"]["DesiredInstanceCount"] == 1  # kept, not dropped
    with pytest.raises(deploy.DeployError, match="no variant"):
        deploy.update_weights(sagemaker, "tandem-w", [deploy.parse_weight("nope=1")])
    with pytest.raises(deploy.DeployError):
        deploy.update_weights(sagemaker, "missing-endpoint", [deploy.parse_weight("control=1")])


def test_shadow_deploy_accepted(deploy, sagemaker):
    plan = deploy.build_plan("tandem-shadow", IMAGE, ROLE, variants(deploy, "prod=s3://models/1"),
                             shadow=deploy.parse_variant("shadow=s3://models/2"), suffix="s")
    assert deploy.apply_plan(sagemaker, plan) == "created"
    assert sagemaker.describe_model(ModelName="tandem-shadow-shadow-s")["PrimaryContainer"]["ModelDataUrl"] == "s3://models/2"
    # moto drops ShadowProductionVariants from the stored config; the plan test checks the request.


def test_delete_removes_endpoint_config_and_models(deploy, sagemaker):
    deploy.apply_plan(sagemaker, deploy.build_plan("tandem-del", IMAGE, ROLE, variants(deploy, "a=s3://models/1"), suffix="d"))
    assert deploy.delete(sagemaker, "tandem-del", keep_models=False) == ["tandem-del", "tandem-del-d", "tandem-del-a-d"]
    assert deploy.endpoint_status(sagemaker, "tandem-del") is None


def test_cli_end_to_end(aws_env, s3, tmp_path):
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(b"not really a tarball")
    s3.create_bucket(Bucket="tandem-artifacts")
    base = [sys.executable, str(SCRIPTS / "deploy_sagemaker.py"), "--region", "us-east-1", "--endpoint-url", aws_env]

    def run(*args):
        return subprocess.run(base + list(args), capture_output=True, text=True, timeout=60)

    uploaded = run("upload", str(archive), "s3://tandem-artifacts/v1/model.tar.gz")
    assert uploaded.returncode == 0, uploaded.stderr
    assert s3.get_object(Bucket="tandem-artifacts", Key="v1/model.tar.gz")["Body"].read() == b"not really a tarball"
    deployed = run("deploy", "--endpoint", "tandem-cli", "--image", IMAGE, "--role", ROLE, "--suffix", "c",
                   "--variant", "control=s3://tandem-artifacts/v1/model.tar.gz,weight=0.5",
                   "--variant", "challenger=s3://tandem-artifacts/v1/model.tar.gz,weight=0.5", "--wait")
    assert deployed.returncode == 0, deployed.stderr
    assert "created endpoint tandem-cli" in deployed.stdout and "InService" in deployed.stdout
    weights = run("weights", "--endpoint", "tandem-cli", "control=0", "challenger=1")
    assert weights.returncode == 0, weights.stderr
    described = json.loads(run("describe", "--endpoint", "tandem-cli").stdout)
    assert {v["VariantName"]: v["DesiredWeight"] for v in described["ProductionVariants"]} == {"control": 0.0, "challenger": 1.0}
    bad = run("weights", "--endpoint", "tandem-cli", "nope=1")
    assert bad.returncode == 2 and "no variant" in bad.stderr
