"""Runs the SageMaker Python SDK's own code for the e2e tests, in a process of its own: v2 and v3 cannot share
one environment (both are the `sagemaker` package), so scripts/install-deps puts each in a --target folder of
the test environment (sagemaker-v2/, sagemaker-v3/) and the tests run this file with that folder on PYTHONPATH.

    python3 sagemaker_sdk.py serialize ROWS.json OUTDIR     v2: NumpySerializer, RecordSerializer,
                                                             write_numpy_to_dense_tensor, write_spmatrix_to_sparse_tensor
    python3 sagemaker_sdk.py deserialize npy|recordio FILE  v2: NumpyDeserializer / RecordDeserializer -> JSON on stdout
    python3 sagemaker_sdk.py invoke-v3 ENDPOINT BODYFILE CONTENT_TYPE ACCEPT
                                                             v3: sagemaker.core.resources.Endpoint(...).invoke(),
                                                             AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME pointing at Tandem
"""
import io
import json
import sys


def serialize(rows_file, outdir):
    import numpy as np
    import scipy.sparse
    from sagemaker.amazon.common import (RecordSerializer, write_numpy_to_dense_tensor,
                                         write_spmatrix_to_sparse_tensor)
    from sagemaker.serializers import NumpySerializer

    array = np.array(json.load(open(rows_file)), dtype=np.float32)
    out = {
        "numpy_serializer": NumpySerializer().serialize(array),
        "record_serializer": RecordSerializer().serialize(array),
    }
    buffer = io.BytesIO()
    write_numpy_to_dense_tensor(buffer, array)
    out["dense_tensor"] = buffer.getvalue()
    buffer = io.BytesIO()
    write_spmatrix_to_sparse_tensor(buffer, scipy.sparse.csr_matrix(array))
    out["sparse_tensor"] = buffer.getvalue()
    for name, data in out.items():
        with open(f"{outdir}/{name}.bin", "wb") as f:
            f.write(data.getvalue() if hasattr(data, "getvalue") else data)
    import sagemaker
    print(sagemaker.__version__)


def deserialize(kind, path):
    from sagemaker.amazon.common import RecordDeserializer
    from sagemaker.deserializers import NumpyDeserializer

    data = open(path, "rb").read()
    if kind == "npy":
        array = NumpyDeserializer().deserialize(io.BytesIO(data), "application/x-npy")
        print(json.dumps({"dtype": str(array.dtype), "rows": array.tolist()}))
        return
    records = RecordDeserializer().deserialize(io.BytesIO(data), "application/x-recordio-protobuf")
    out = []
    for record in records:
        labels = {}
        for key, value in record.label.items():
            labels[key] = list(value.float32_tensor.values) if value.HasField("float32_tensor") else \
                [v.decode() for v in value.bytes.value]
        out.append(labels)
    print(json.dumps(out))


def invoke_v3(endpoint, body_file, content_type, accept):
    from importlib.metadata import version

    from sagemaker.core.resources import Endpoint

    answer = Endpoint(endpoint_name=endpoint).invoke(body=open(body_file, "rb").read(), content_type=content_type,
                                                     accept=accept)
    body = answer.body.read() if hasattr(answer.body, "read") else answer.body
    print(json.dumps({"version": version("sagemaker"), "variant": answer.invoked_production_variant,
                      "content_type": answer.content_type, "body": body.decode()}))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"serialize": serialize, "deserialize": deserialize, "invoke-v3": invoke_v3}[command](*args)
