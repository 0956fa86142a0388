"""A scratch project of models served on Kubernetes, written by the tests themselves.

Four models cover both runtimes: a KServe model with a challenger (a canary), data capture
and secrets; a KServe model with its own image, recreated all at once; a GPU Deployment that
needs two replicas (so a PodDisruptionBudget); a small Deployment scaled on memory.
"""

from __future__ import annotations

from pathlib import Path

OIDC_ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
OIDC_ARN = f"arn:aws:iam::123456789012:oidc-provider/{OIDC_ISSUER}"
KMS = "arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718"
BOUNDARY = "arn:aws:iam::123456789012:policy/ml-boundary"
LOGGER = "http://payload-logger.monitoring.svc.cluster.local/"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:feature-api-AbCdEf"
SHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vision-server:2.0.0"
EMBEDDER_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/embedder:1.0.0"
RANKER_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ranker:1.0.0"

FRAUD_SCORER = """apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: fraud-scorer
  version: {version}
  owner: risk-ml@example.com
  description: Scores card payments for fraud.
  risk: high
model:
  artifact: s3://acme-models/fraud-scorer/{version}/model.tar.gz
  sha256: {sha}
  framework: xgboost
  framework_version: "1.7-1"
  secrets: {{FEATURE_API_TOKEN: "{secret}"}}
serving:
  target: kubernetes
  mode: realtime
  kubernetes:
    runtime: kserve
    namespace: models
    min_replicas: 2
    max_replicas: 6
    cpu: "2"
    memory: 4Gi
    scale_metric: cpu
    scale_target: 70
  data_capture: {{enabled: true, sampling_percent: 20}}
  rollout: {{strategy: rolling, rolling_batch_percent: 25}}
governance:
  data_access: {{s3_read: ["s3://acme-features/fraud/"]}}
"""

TEXT_EMBEDDER = f"""apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: text-embedder
  version: 1.0.0
  owner: search-ml@example.com
  description: Embeds search queries.
model:
  artifact: s3://acme-models/text-embedder/1.0.0/model.tar.gz
  sha256: {SHA}
  image: {EMBEDDER_IMAGE}
  environment: {{MAX_BATCH: 16}}
serving:
  target: kubernetes
  kubernetes: {{runtime: kserve, namespace: models, min_replicas: 1, max_replicas: 2, port: 8085}}
  rollout: {{strategy: all_at_once}}
"""

VISION_GPU = f"""apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: vision-gpu
  version: 2.0.0
  owner: vision@example.com
  description: Classifies product photos on GPU.
model:
  artifact: s3://acme-models/vision-gpu/2.0.0/model.tar.gz
  sha256: {SHA}
  image: {IMAGE}
  environment: {{MODEL_NAME: vision, WORKERS: 2}}
serving:
  target: kubernetes
  kubernetes:
    runtime: deployment
    namespace: vision
    min_replicas: 2
    max_replicas: 4
    cpu: "4"
    memory: 16Gi
    gpu: 1
    scale_metric: cpu
    scale_target: 60
    port: 9000
  rollout: {{strategy: rolling, rolling_batch_percent: 50}}
"""

BATCH_RANKER = f"""apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: batch-ranker
  version: 1.0.0
  owner: search-ml@example.com
  description: Ranks search results.
model:
  artifact: s3://acme-models/batch-ranker/1.0.0/weights.bin
  sha256: {SHA}
  image: {RANKER_IMAGE}
serving:
  target: kubernetes
  kubernetes: {{runtime: deployment, namespace: ranking, min_replicas: 1, max_replicas: 3, cpu: 500m,
               memory: 1Gi, scale_metric: memory, scale_target: 80}}
"""

STACK = f"""config:
  aws:region: eu-west-1
  modelops:environment: dev
  modelops:models:
    fraud-scorer: {{version: 1.0.0, challenger: {{version: 1.1.0, traffic_percent: 10}}}}
    text-embedder: 1.0.0
    vision-gpu: 2.0.0
    batch-ranker: 1.0.0
  modelops:kmsKeyArn: {KMS}
  modelops:permissionsBoundaryArn: {BOUNDARY}
  modelops:tags: {{cost-center: ml-platform}}
  modelops:kubernetes:
    oidcProviderArn: {OIDC_ARN}
    context: ml-dev
    payloadLoggerUrl: {LOGGER}
"""

UNMANAGED_STACK = f"""config:
  aws:region: eu-west-1
  modelops:environment: dev
  modelops:models:
    batch-ranker: 1.0.0
  modelops:kubernetes: {{oidcProviderArn: "{OIDC_ARN}", manageNamespaces: false}}
"""


def write_kubernetes_project(root: Path) -> Path:
    """The four models and two stacks (`k8s`, `k8s-unmanaged`) under `root`; returns it."""
    specs = {
        "fraud-scorer/1.0.0.yaml": FRAUD_SCORER.format(version="1.0.0", sha=SHA, secret=SECRET),
        "fraud-scorer/1.1.0.yaml": FRAUD_SCORER.format(version="1.1.0", sha=SHA, secret=SECRET),
        "text-embedder/1.0.0.yaml": TEXT_EMBEDDER,
        "vision-gpu/2.0.0.yaml": VISION_GPU,
        "batch-ranker/1.0.0.yaml": BATCH_RANKER,
    }
    for path, text in specs.items():
        target = root / "model_specs" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    (root / "stacks" / "Pulumi.k8s.yaml").write_text(STACK)
    (root / "stacks" / "Pulumi.k8s-unmanaged.yaml").write_text(UNMANAGED_STACK)
    return root
