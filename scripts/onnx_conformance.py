#!/usr/bin/env python3
"""The ONNX conformance suite against Tandem's runtime.

  onnx_conformance.py export DIR          write every backend node test of the pinned onnx package
                                          in the standard layout: DIR/<test>/model.onnx,
                                          DIR/<test>/test_data_set_N/input_K.pb and output_K.pb,
                                          plus DIR/manifest.json (tolerances, ops, types, scope)
  onnx_conformance.py run DIR --tandem BIN [-k REGEX] [--report FILE] [--all]
                                          feed every in-scope test through `tandem run` and compare
                                          with the expected outputs (the suite's rtol/atol, as
                                          onnxruntime's backend runner does); exits 1 when a test
                                          outside system-tests/conformance/known_failures.txt fails

A test is in scope when every operator it uses (subgraphs included) is in the list below (the
operators Tandem's runtime promises, docs/runtime.md) and every tensor it declares has one of
Tandem's element types. The onnx package comes from PyPI, pinned in scripts/install-deps.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
KNOWN_FAILURES = os.path.join(REPO, "system-tests", "conformance", "known_failures.txt")

# The operators the runtime promises (issue 8's lists), by domain.
DEFAULT_DOMAIN_OPS = set("""
Abs Add And Ceil Clip Div Equal Erf Exp Floor Greater GreaterOrEqual IsInf IsNaN Less LessOrEqual Log
Max Mean Min Mod Mul Neg Not Or Pow Reciprocal Round Sign Sqrt Sub Sum Where Xor
Sin Cos Tan Asin Acos Atan Sinh Cosh Tanh Asinh Acosh Atanh
Celu Elu Gelu HardSigmoid HardSwish Hardmax LeakyRelu LogSoftmax Mish PRelu Relu Selu Shrink Sigmoid
Softmax Softplus Softsign ThresholdedRelu
ArgMax ArgMin CumSum ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin
ReduceProd ReduceSum ReduceSumSquare TopK
BatchNormalization Conv AveragePool MaxPool GlobalAveragePool GlobalMaxPool Dropout Einsum Gemm
InstanceNormalization LayerNormalization LpNormalization MatMul
Cast CastLike Compress Concat Constant ConstantOfShape Expand EyeLike Flatten Gather GatherElements
GatherND Identity NonZero OneHot Pad Range Reshape ScatterElements ScatterND Shape Size Slice Split
Squeeze Tile Transpose Trilu Unique Unsqueeze
If Loop Scan
StringNormalizer TfIdfVectorizer
""".split())
ML_DOMAIN_OPS = set("""
ArrayFeatureExtractor Binarizer CastMap CategoryMapper DictVectorizer FeatureVectorizer Imputer
LabelEncoder LinearClassifier LinearRegressor Normalizer OneHotEncoder Scaler SVMClassifier
SVMRegressor TreeEnsemble TreeEnsembleClassifier TreeEnsembleRegressor ZipMap
""".split())
SCOPE = {"": DEFAULT_DOMAIN_OPS, "ai.onnx": DEFAULT_DOMAIN_OPS, "ai.onnx.ml": ML_DOMAIN_OPS,
         "com.microsoft": {"Tokenizer"}}
# The newest opset per domain the runtime implements (docs/runtime.md).
NEWEST_OPSET = {"": 28, "ai.onnx": 28, "ai.onnx.ml": 5, "com.microsoft": 1}
# TensorProto.DataType numbers of Tandem's element types.
TYPES = {1: "float", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 8: "string", 9: "bool", 11: "double"}


def graph_facts(graph, ops, types):
    """Collects (domain, op) pairs and declared element types of a graph and its subgraphs."""
    from onnx import AttributeProto
    for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
        collect_type(vi.type, types)
    for t in graph.initializer:
        types.add(t.data_type)
    for node in graph.node:
        ops.add((node.domain, node.op_type))
        for a in node.attribute:
            if a.type == AttributeProto.GRAPH:
                graph_facts(a.g, ops, types)
            elif a.type == AttributeProto.GRAPHS:
                for g in a.graphs:
                    graph_facts(g, ops, types)
            elif a.type == AttributeProto.TENSOR:
                types.add(a.t.data_type)
            elif a.type == AttributeProto.SPARSE_TENSOR:
                types.add(-1)


def collect_type(tp, types):
    kind = tp.WhichOneof("value")
    if kind == "tensor_type":
        types.add(tp.tensor_type.elem_type)
    elif kind == "sequence_type":
        types.add(-2)  # sequences of tensors are not in scope
    elif kind == "map_type":
        collect_type(tp.map_type.value_type, types)
    elif kind == "optional_type":
        types.add(-3)
    elif kind == "sparse_tensor_type":
        types.add(-1)


def scope_of(model):
    ops, types = set(), set()
    graph_facts(model.graph, ops, types)
    if len(model.functions) > 0:
        return False, "uses model-local functions", ops, types
    for o in model.opset_import:
        newest = NEWEST_OPSET.get(o.domain)
        if newest is not None and o.version > newest:
            return False, f"imports opset {o.version} of {o.domain or 'ai.onnx'}, newer than the runtime's {newest}", ops, types
    missing = sorted(f"{d or 'ai.onnx'}.{o}" for d, o in ops if o not in SCOPE.get(d, set()))
    if missing:
        return False, "operators outside the runtime's list: " + ", ".join(missing), ops, types
    bad = sorted({TYPES.get(t, f"type {t}") for t in types if t not in TYPES and t != 0})
    if bad:
        return False, "element types outside the runtime's list: " + ", ".join(bad), ops, types
    return True, "", ops, types


def export(out):
    import numpy as np
    from onnx import numpy_helper
    from onnx.backend.test.case.node import collect_testcases
    os.makedirs(out, exist_ok=True)
    manifest = {}
    cases = collect_testcases(None)
    for case in cases:
        d = os.path.join(out, case.name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        inputs_names = [i.name for i in case.model.graph.input]
        output_names = [o.name for o in case.model.graph.output]
        written = True
        for n, (inputs, outputs) in enumerate(case.data_sets or []):
            ds = os.path.join(d, f"test_data_set_{n}")
            os.makedirs(ds, exist_ok=True)
            for k, v in enumerate(inputs):
                written &= write_value(os.path.join(ds, f"input_{k}.pb"), v, inputs_names[k] if k < len(inputs_names) else "")
            for k, v in enumerate(outputs):
                written &= write_value(os.path.join(ds, f"output_{k}.pb"), v, output_names[k] if k < len(output_names) else "")
        ok, reason, ops, types = scope_of(case.model)
        if ok and not written:
            ok, reason = False, "its test data are not tensors a TensorProto file can hold (sequences, optionals or exotic dtypes)"

        manifest[case.name] = {
            "rtol": case.rtol, "atol": case.atol, "in_scope": ok, "reason": reason,
            "ops": sorted(f"{d or 'ai.onnx'}.{o}" for d, o in ops),
            "data_sets": len(case.data_sets or []),
        }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    inscope = sum(1 for m in manifest.values() if m["in_scope"])
    print(f"exported {len(manifest)} tests to {out}: {inscope} in scope, {len(manifest) - inscope} out of scope")


def write_value(path, value, name):
    import numpy as np
    from onnx import TensorProto, numpy_helper
    if isinstance(value, TensorProto):  # some cases give their data as TensorProto already
        value.name = name
        with open(path, "wb") as f:
            f.write(value.SerializeToString())
        return True
    if isinstance(value, (list, dict)) or value is None:
        # Sequences, maps and optionals are not tensors; such tests are out of scope anyway.
        open(path + ".skip", "w").close()
        return False
    arr = np.asarray(value)
    try:
        t = numpy_helper.from_array(arr, name=name)
    except Exception:  # element types numpy_helper cannot write (e.g. some float8); out of scope
        open(path + ".skip", "w").close()
        return False
    with open(path, "wb") as f:
        f.write(t.SerializeToString())
    return True


def read_tensor(path):
    from onnx import TensorProto, numpy_helper
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def known_failures():
    known = {}
    if os.path.exists(KNOWN_FAILURES):
        for line in open(KNOWN_FAILURES):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" ")
            known[name] = reason.strip()
    return known


def compare(expected, actual, rtol, atol):
    """None when they match as onnxruntime's backend runner checks them, else a reason."""
    import numpy as np
    if expected.dtype != actual.dtype:
        return f"dtype {actual.dtype}, expected {expected.dtype}"
    if expected.shape != actual.shape:
        return f"shape {actual.shape}, expected {expected.shape}"
    if expected.dtype == object or expected.dtype.kind in "SUb":
        if not np.array_equal(expected, actual):
            return "values differ"
        return None
    try:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    except AssertionError as e:
        return "values differ: " + " ".join(str(e).split())[:300]
    return None


def run_one(tandem, test_dir, meta):
    sets = sorted(s for s in os.listdir(test_dir) if s.startswith("test_data_set_"))
    if not sets:
        return "no data sets"
    for s in sets:
        ds = os.path.join(test_dir, s)
        with tempfile.TemporaryDirectory() as out:
            proc = subprocess.run([tandem, "run", os.path.join(test_dir, "model.onnx"), "--inputs", ds,
                                   "--output-dir", out], capture_output=True, text=True, timeout=120)
            if proc.returncode != 0:
                return "tandem run failed: " + " ".join(proc.stderr.split())[:400]
            k = 0
            while os.path.exists(os.path.join(ds, f"output_{k}.pb")):
                got = os.path.join(out, f"output_{k}.pb")
                if not os.path.exists(got):
                    return f"output_{k}.pb was not written"
                why = compare(read_tensor(os.path.join(ds, f"output_{k}.pb")), read_tensor(got),
                              meta["rtol"], meta["atol"])
                if why:
                    return f"{s} output_{k}: {why}"
                k += 1
    return None


def run(args):
    with open(os.path.join(args.dir, "manifest.json")) as f:
        manifest = json.load(f)
    known = known_failures()
    pattern = re.compile(args.k) if args.k else None
    results = {}
    started = time.time()
    for name in sorted(manifest):
        meta = manifest[name]
        if pattern and not pattern.search(name):
            continue
        if not meta["in_scope"] and not args.all:
            continue
        results[name] = run_one(args.tandem, os.path.join(args.dir, name), meta)
    failed = {n: r for n, r in results.items() if r}
    unexpected = {n: r for n, r in failed.items() if n not in known and manifest[n]["in_scope"]}
    now_passing = [n for n in known if n in results and not results[n]]
    total = len(manifest)
    inscope = sum(1 for m in manifest.values() if m["in_scope"])
    passed = len(results) - len(failed)
    for n, r in sorted(failed.items()):
        mark = "known" if n in known else "FAIL"
        print(f"{mark} {n}: {r}")
    for n in now_passing:
        print(f"note: {n} is listed in known_failures.txt but now passes")
    summary = {
        "suite_tests": total, "in_scope": inscope, "out_of_scope": total - inscope, "ran": len(results),
        "passed": passed, "known_failures": len([n for n in failed if n in known]),
        "unexpected_failures": len(unexpected), "seconds": round(time.time() - started, 1),
    }
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"summary": summary, "failed": failed}, f, indent=1, sort_keys=True)
    print(json.dumps(summary))
    print(f"conformance: {passed} passed, {len(unexpected)} failed, {summary['known_failures']} known failures")
    return 1 if unexpected else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("dir")
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--tandem", required=True)
    r.add_argument("-k", help="only tests whose name matches this regular expression")
    r.add_argument("--report", help="write a JSON report here")
    r.add_argument("--all", action="store_true", help="also run out-of-scope tests")
    args = p.parse_args()
    if args.cmd == "export":
        export(args.dir)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
