#!/usr/bin/env python3
"""Checks Tandem's ai.onnx.ml preprocessing and text operators against onnxruntime.

  mltext_ort_check.py --tandem .build/debug/tandem [--keep DIR]

Builds small one-node models (LabelEncoder, CategoryMapper, Imputer, Binarizer,
FeatureVectorizer, StringNormalizer, TfIdfVectorizer, com.microsoft Tokenizer) and an
skl2onnx Pipeline(TfidfVectorizer(), LogisticRegression()), runs each through onnxruntime and
`tandem run --inputs ... --output-dir ...`, and compares the outputs. Needs numpy, onnx,
onnxruntime, and scikit-learn + skl2onnx for the pipeline case (skipped when missing).

onnxruntime's StringNormalizer needs the en_US.UTF-8 locale installed; where it is missing the
reference model is given locale C.UTF-8 (the same case mapping for the strings used here).
Tandem runs the model as exported. If Tandem lacks an operator outside this family (Flatten
before the merge), the pipeline case swaps Flatten(axis=1) on the 2-D token matrix for the
equivalent Reshape(0, -1) and says so.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as TP
from onnx import helper, numpy_helper


def ort_session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def reference(model, feeds):
    """onnxruntime's outputs; retries StringNormalizer with locale C.UTF-8 when en_US is missing."""
    try:
        return ort_session(model).run(None, feeds)
    except Exception as e:
        if "locale" not in str(e):
            raise
    patched = onnx.ModelProto()
    patched.CopyFrom(model)
    for n in patched.graph.node:
        if n.op_type == "StringNormalizer":
            for a in list(n.attribute):
                if a.name == "locale":
                    n.attribute.remove(a)
            n.attribute.append(helper.make_attribute("locale", "C.UTF-8"))
    return ort_session(patched).run(None, feeds)


def run_tandem(tandem, model, feeds, work):
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "model.onnx")
    onnx.save(model, path)
    ins, outs = os.path.join(work, "in"), os.path.join(work, "out")
    os.makedirs(ins, exist_ok=True)
    os.makedirs(outs, exist_ok=True)
    for i, inp in enumerate(model.graph.input):
        t = numpy_helper.from_array(np.asarray(feeds[inp.name]), inp.name)
        with open(os.path.join(ins, f"input_{i}.pb"), "wb") as f:
            f.write(t.SerializeToString())
    p = subprocess.run([tandem, "run", path, "--inputs", ins, "--output-dir", outs], capture_output=True, text=True)
    if p.returncode != 0:
        return None, (p.stderr or p.stdout).strip()
    results = []
    for i in range(len(model.graph.output)):
        t = onnx.TensorProto()
        with open(os.path.join(outs, f"output_{i}.pb"), "rb") as f:
            t.ParseFromString(f.read())
        results.append(numpy_helper.to_array(t))
    return results, None


def same(a, b, atol=1e-5, rtol=1e-5):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False, f"shape {a.shape} vs onnxruntime {b.shape}"
    if a.dtype.kind in "OUS" or b.dtype.kind in "OUS":
        ok = [str(x) for x in a.ravel()] == [str(x) for x in b.ravel()]
        return ok, "" if ok else f"{a.tolist()} vs onnxruntime {b.tolist()}"
    ok = np.allclose(a.astype(np.float64), b.astype(np.float64), atol=atol, rtol=rtol, equal_nan=True)
    return ok, "" if ok else f"{a.tolist()} vs onnxruntime {b.tolist()}"


def one_node(op, feeds, types, out_type, opsets, domain="", **attrs):
    inputs = [helper.make_tensor_value_info(name, types[name], None) for name in feeds]
    node = helper.make_node(op, list(feeds), ["y"], domain=domain, **attrs)
    graph = helper.make_graph([node], op, inputs, [helper.make_tensor_value_info("y", out_type, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
    model.ir_version = 8
    return model


ML = [("", 17), ("ai.onnx.ml", 3)]
ML4 = [("", 19), ("ai.onnx.ml", 4)]
MS = [("", 17), ("com.microsoft", 1)]
D10 = [("", 10)]
TEXT = np.array(["abc ef zoo", "abc,d", "ab/e", "", "Hello, World! It's 42.", "naïve café au lait ABC αβγ"], dtype=object)


def op_cases():
    s = np.array(["a", "b", "zz", "c", "a"], dtype=object)
    i = np.array([[0, 3, -1], [2, 1, 7]], dtype=np.int64)
    f = np.array([1.5, np.nan, -0.0, 2.0], dtype=np.float32)
    x = np.array([[1.0, np.nan, 3.0], [np.nan, 0.0, -2.5]], dtype=np.float32)
    yield "LabelEncoder v1 string->int", one_node("LabelEncoder", {"x": s}, {"x": TP.STRING}, TP.INT64, [("", 17), ("ai.onnx.ml", 1)], "ai.onnx.ml", classes_strings=["b", "a", "c"], default_int64=-7), {"x": s}
    yield "LabelEncoder v1 int->string", one_node("LabelEncoder", {"x": i}, {"x": TP.INT64}, TP.STRING, [("", 17), ("ai.onnx.ml", 1)], "ai.onnx.ml", classes_strings=["b", "a", "c"]), {"x": i}
    yield "LabelEncoder v2 string->float", one_node("LabelEncoder", {"x": s}, {"x": TP.STRING}, TP.FLOAT, ML, "ai.onnx.ml", keys_strings=["a", "b"], values_floats=[0.5, -1.0]), {"x": s}
    yield "LabelEncoder v2 float->int64", one_node("LabelEncoder", {"x": f}, {"x": TP.FLOAT}, TP.INT64, ML, "ai.onnx.ml", keys_floats=[1.5, 0.0, 2.0], values_int64s=[1, 2, 3], default_int64=9), {"x": f}
    yield "LabelEncoder v2 int64->string", one_node("LabelEncoder", {"x": i}, {"x": TP.INT64}, TP.STRING, ML, "ai.onnx.ml", keys_int64s=[3, 7, 1], values_strings=["three", "seven", "one"]), {"x": i}
    yield "LabelEncoder v4 float NaN key", one_node("LabelEncoder", {"x": f}, {"x": TP.FLOAT}, TP.STRING, ML4, "ai.onnx.ml", keys_floats=[float("nan"), 2.0], values_strings=["nan", "two"], default_string="?"), {"x": f}
    keys = helper.make_tensor("keys_tensor", TP.DOUBLE, [3], [1.0, 2.5, -3.0])
    vals = helper.make_tensor("values_tensor", TP.INT64, [3], [10, 20, 30])
    dflt = helper.make_tensor("default_tensor", TP.INT64, [1], [-5])
    d = np.array([2.5, 1.0, 7.0], dtype=np.float64)
    yield "LabelEncoder v4 double tensors", one_node("LabelEncoder", {"x": d}, {"x": TP.DOUBLE}, TP.INT64, ML4, "ai.onnx.ml", keys_tensor=keys, values_tensor=vals, default_tensor=dflt), {"x": d}
    yield "CategoryMapper string->int", one_node("CategoryMapper", {"x": s}, {"x": TP.STRING}, TP.INT64, ML, "ai.onnx.ml", cats_strings=["a", "b", "c"], cats_int64s=[10, 20, 30]), {"x": s}
    yield "CategoryMapper int->string", one_node("CategoryMapper", {"x": i}, {"x": TP.INT64}, TP.STRING, ML, "ai.onnx.ml", cats_strings=["a", "b", "c"], cats_int64s=[0, 1, 2], default_string="none"), {"x": i}
    yield "Imputer NaN per column", one_node("Imputer", {"x": x}, {"x": TP.FLOAT}, TP.FLOAT, ML, "ai.onnx.ml", imputed_value_floats=[9.0, 8.0, 7.0], replaced_value_float=float("nan")), {"x": x}
    yield "Imputer one value", one_node("Imputer", {"x": x}, {"x": TP.FLOAT}, TP.FLOAT, ML, "ai.onnx.ml", imputed_value_floats=[5.0], replaced_value_float=0.0), {"x": x}
    yield "Imputer int64", one_node("Imputer", {"x": i}, {"x": TP.INT64}, TP.INT64, ML, "ai.onnx.ml", imputed_value_int64s=[100, 200, 300], replaced_value_int64=-1), {"x": i}
    ok = np.array([[0.5, 1.0, 1.5], [-1.0, 2.0, 0.0]], dtype=np.float32)
    yield "Binarizer", one_node("Binarizer", {"x": ok}, {"x": TP.FLOAT}, TP.FLOAT, ML, "ai.onnx.ml", threshold=1.0), {"x": ok}
    yield "Binarizer default threshold", one_node("Binarizer", {"x": ok}, {"x": TP.FLOAT}, TP.FLOAT, ML, "ai.onnx.ml"), {"x": ok}
    yield "Binarizer NaN fails", one_node("Binarizer", {"x": x[:, [0, 2]]}, {"x": TP.FLOAT}, TP.FLOAT, ML, "ai.onnx.ml", threshold=1.0), {"x": x[:, [0, 2]].copy()}
    for np_type, onnx_type in [(np.int64, TP.INT64), (np.float32, TP.FLOAT), (np.double, TP.DOUBLE)]:
        a = np.array([[1, 2, 3], [4, 5, 6]], dtype=np_type)
        b = np.array([[0.5], [1.5]], dtype=np_type)
        c = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np_type)
        types = {"a": onnx_type, "b": onnx_type, "c": onnx_type}
        yield f"FeatureVectorizer {np_type.__name__}", one_node("FeatureVectorizer", {"a": a, "b": b, "c": c}, types, TP.FLOAT, ML, "ai.onnx.ml", inputdimensions=[2, 3, 2]), {"a": a, "b": b, "c": c}
    words = np.array(["Monday", "ÉCOLE", "straße", "tuesday", "MONDAY", "ǅ"], dtype=object)
    for attrs in [dict(case_change_action="LOWER"), dict(case_change_action="UPPER"),
                  dict(case_change_action="NONE", stopwords=["monday"], is_case_sensitive=0),
                  dict(case_change_action="UPPER", stopwords=["monday", "TUESDAY"], is_case_sensitive=0),
                  dict(case_change_action="LOWER", stopwords=["Monday"], is_case_sensitive=1),
                  dict(stopwords=["Monday", "ÉCOLE", "straße", "tuesday", "MONDAY", "ǅ"], is_case_sensitive=1)]:
        yield f"StringNormalizer {attrs}", one_node("StringNormalizer", {"x": words}, {"x": TP.STRING}, TP.STRING, D10, **attrs), {"x": words}
    yield "StringNormalizer [1, C]", one_node("StringNormalizer", {"x": words}, {"x": TP.STRING}, TP.STRING, D10, case_change_action="LOWER"), {"x": words.reshape(1, -1)}
    ints = np.array([[1, 2, 3, 1, 2, 4, 5, 1], [2, 3, 2, 3, 1, 1, 9, 9]], dtype=np.int64)
    pool = dict(ngram_counts=[0, 4, 8], ngram_indexes=[3, 0, 1, 2, 4, 5, 6, 7, 8], pool_int64s=[1, 2, 3, 9, 1, 2, 2, 3, 1, 2, 3])
    for mode in ["TF", "IDF", "TFIDF"]:
        for extra in [dict(), dict(weights=[0.5, 1.0, 2.0, 3.0, 0.25, 4.0, 5.0, 6.0, 7.0])]:
            for mn, mx, sk in [(1, 1, 0), (1, 2, 1), (2, 3, 2), (1, 3, 0)]:
                attrs = dict(mode=mode, min_gram_length=mn, max_gram_length=mx, max_skip_count=sk, **pool, **extra)
                yield f"TfIdfVectorizer {mode} {mn}-{mx} skip {sk} weights={bool(extra)}", one_node("TfIdfVectorizer", {"x": ints}, {"x": TP.INT64}, TP.FLOAT, [("", 9)], **attrs), {"x": ints}
    dup = dict(min_gram_length=1, max_gram_length=2, max_skip_count=1, ngram_counts=[0, 3], ngram_indexes=[0, 0, 1, 1], pool_int64s=[1, 2, 3, 2, 1], weights=[2.0, 3.0, 5.0, 7.0])
    for mode in ["IDF", "TFIDF"]:
        for row in ([2, 1, 2, 2, 1], [1, 2, 3, 1]):
            v = np.array(row, dtype=np.int64)
            yield f"TfIdfVectorizer {mode} shared columns {row}", one_node("TfIdfVectorizer", {"x": v}, {"x": TP.INT64}, TP.FLOAT, [("", 9)], mode=mode, **dup), {"x": v}
    toks = np.array([["a", "b", "c", "a", "b"], ["c", "d", "a", "b", "#"]], dtype=object)
    attrs = dict(mode="TFIDF", min_gram_length=1, max_gram_length=2, max_skip_count=0, ngram_counts=[0, 3], ngram_indexes=[0, 1, 2, 3], pool_strings=["a", "b", "c", "a", "b"], weights=[1.0, 2.0, 3.0, 4.0])
    yield "TfIdfVectorizer strings", one_node("TfIdfVectorizer", {"x": toks}, {"x": TP.STRING}, TP.FLOAT, [("", 9)], **attrs), {"x": toks}
    yield "TfIdfVectorizer 1-D strings", one_node("TfIdfVectorizer", {"x": toks[0]}, {"x": TP.STRING}, TP.FLOAT, [("", 9)], **attrs), {"x": toks[0].copy()}
    for attrs in [dict(tokenexp="[a-zA-Z0-9_]+"), dict(tokenexp="[a-c]+", mark=1), dict(tokenexp=r"\b\w\w+\b"), dict(tokenexp=r"\w+", mincharnum=3),
                  dict(separators=[" ", ","]), dict(separators=[" ", "[,.!]"], mark=1, mincharnum=2), dict(separators=[""]), dict(tokenexp="."),
                  dict(separators=["b*"]), dict(separators=[r"\s+", "'"]), dict(tokenexp=r"[^\s,]+", pad_value="<pad>"),
                  dict(tokenexp="(?i)abc"), dict(tokenexp=r"\pL+"), dict(tokenexp="[[:alpha:]]+"), dict(tokenexp=r"[[:punct:][:digit:]]+"),
                  dict(tokenexp=r"\p{Greek}+"), dict(tokenexp=r"(?u)\b\w+\b"), dict(tokenexp="[a-z]+?"), dict(tokenexp="(?U)a+"),
                  dict(tokenexp="(?P<w>[a-z]+)"), dict(tokenexp="(?i:abc)"), dict(separators=[" +?", ","])]:
        full = dict(mark=0, mincharnum=1, pad_value="#")
        full.update(attrs)
        yield f"Tokenizer {attrs} [C]", one_node("Tokenizer", {"x": TEXT}, {"x": TP.STRING}, TP.STRING, MS, "com.microsoft", **full), {"x": TEXT}
        yield f"Tokenizer {attrs} [N, C]", one_node("Tokenizer", {"x": TEXT}, {"x": TP.STRING}, TP.STRING, MS, "com.microsoft", **full), {"x": TEXT.reshape(3, 2)}
    empty = np.array(["", " ", ",,"], dtype=object)
    yield "Tokenizer no tokens", one_node("Tokenizer", {"x": empty}, {"x": TP.STRING}, TP.STRING, MS, "com.microsoft", mark=1, mincharnum=1, pad_value="#", separators=[" ", ","]), {"x": empty}


TRAIN = ["the cat sat on the mat", "dogs are great pets", "I love my cat", "my dog barks loudly",
         "cats purr when happy", "the dog chased the ball", "kittens are small cats", "puppies are young dogs",
         "a cat climbed the tree", "the dog dug a hole", "my cat sleeps all day", "walk the dog every morning",
         "feline friends are cute", "canine companions are loyal", "the cat ignored me", "the dog wagged its tail",
         "cat food is expensive", "dog toys everywhere", "the cat knocked the glass", "dogs love long walks",
         "siamese cat meows", "golden retriever dog swims", "cat naps in sun", "dog fetches sticks"]
LABELS = [0, 1] * 12
PROBE = TRAIN + ["THE CAT, the DOG!", "", "zebra", "Café: naïve cat?", "dog dog dog cat", "12 cats & 3 dogs"]


def pipeline_cases():
    """skl2onnx text classifiers: Pipeline(<vectorizer>, LogisticRegression()) without ZipMap."""
    try:
        from skl2onnx import convert_sklearn
        from skl2onnx.common.data_types import StringTensorType
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
    except ImportError as e:
        print(f"pipelines skipped: {e}")
        return
    vectorizers = [
        ("TfidfVectorizer()", lambda: TfidfVectorizer()),
        ("TfidfVectorizer(ngram_range=(1, 2))", lambda: TfidfVectorizer(ngram_range=(1, 2))),
        ("CountVectorizer(stop_words=['the', 'a'])", lambda: CountVectorizer(stop_words=["the", "a"])),
        ("TfidfVectorizer(lowercase=False, token_pattern=r'\\w+')", lambda: TfidfVectorizer(lowercase=False, token_pattern=r"\w+")),
        ("TfidfVectorizer(sublinear_tf=True, norm='l1')", lambda: TfidfVectorizer(sublinear_tf=True, norm="l1")),
    ]
    for name, make in vectorizers:
        clf = LogisticRegression()
        pipe = Pipeline([("vec", make()), ("clf", clf)]).fit(TRAIN, LABELS)
        try:
            model = convert_sklearn(pipe, initial_types=[("input", StringTensorType([None, 1]))], options={id(clf): {"zipmap": False}})
        except Exception as e:
            print(f"pipeline {name}: skl2onnx cannot convert it ({str(e).splitlines()[0][:120]})")
            continue
        yield name, model, {"input": np.array(PROBE, dtype=object).reshape(-1, 1)}, pipe


def preprocessing_cases():
    """skl2onnx exports of SimpleImputer, LabelEncoder, Binarizer and DictVectorizer."""
    try:
        from skl2onnx import convert_sklearn
        from skl2onnx.common.data_types import DictionaryType, FloatTensorType, Int64TensorType, StringTensorType
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.impute import SimpleImputer
        from sklearn.preprocessing import Binarizer, LabelEncoder
    except ImportError:
        return
    x = np.array([[1, np.nan, 3], [4, 5, np.nan], [np.nan, 8, 9]], dtype=np.float32)
    probe = np.array([[np.nan, np.nan, np.nan], [0, 2, 4]], dtype=np.float32)
    floats = [("input", FloatTensorType([None, 3]))]
    yield "SimpleImputer(mean)", convert_sklearn(SimpleImputer().fit(x), initial_types=floats), {"input": probe}
    yield "SimpleImputer(constant)", convert_sklearn(SimpleImputer(strategy="constant", fill_value=-1).fit(x), initial_types=floats), {"input": probe}
    yield "Binarizer", convert_sklearn(Binarizer(threshold=2.0).fit(np.nan_to_num(x)), initial_types=floats), {"input": np.nan_to_num(x)}
    cities = LabelEncoder().fit(["paris", "tokyo", "amsterdam"])
    yield "LabelEncoder(strings)", convert_sklearn(cities, initial_types=[("input", StringTensorType([None]))]), {"input": np.array(["tokyo", "paris", "rome"], dtype=object)}
    numbers = LabelEncoder().fit([10, 3, 7])
    yield "LabelEncoder(int64)", convert_sklearn(numbers, initial_types=[("input", Int64TensorType([None]))]), {"input": np.array([7, 10, 4], dtype=np.int64)}
    dv = DictVectorizer(sparse=False).fit([{"a": 1.0, "b": 2.0}, {"c": 3.0}])
    yield "DictVectorizer", convert_sklearn(dv, initial_types=[("input", DictionaryType(StringTensorType([1]), FloatTensorType([1])))]), None


def without_flatten(model):
    """Flatten(axis=1) of the [N, T] token matrix is Reshape(0, -1)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    nodes = []
    for n in m.graph.node:
        if n.op_type == "Flatten":
            shape = n.name + "_as_reshape_shape"
            m.graph.initializer.append(numpy_helper.from_array(np.array([0, -1], dtype=np.int64), shape))
            nodes.append(helper.make_node("Reshape", [n.input[0], shape], list(n.output), name=n.name))
        else:
            nodes.append(n)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--keep", help="keep the models and tensors here")
    args = ap.parse_args()
    root = args.keep or tempfile.mkdtemp(prefix="mltext_check_")
    failures = 0
    cases = list(op_cases())
    for k, (name, model, feeds) in enumerate(cases):
        try:
            expected = reference(model, feeds)
        except Exception as e:
            expected = None
            reason = str(e).split("Status Message:")[-1].strip()
        got, err = run_tandem(args.tandem, model, feeds, os.path.join(root, f"case_{k}"))
        if expected is None:
            if err is None:
                failures += 1
                print(f"FAIL {name}: onnxruntime fails ({reason}) but tandem runs")
            continue
        if err:
            failures += 1
            print(f"FAIL {name}: tandem: {err}")
            continue
        for g, e in zip(got, expected):
            ok, why = same(g, e)
            if not ok:
                failures += 1
                print(f"FAIL {name}: {why}")
    print(f"operator cases: {len(cases) - failures} of {len(cases)} match onnxruntime")

    for k, (name, model, feeds) in enumerate(preprocessing_cases()):
        ops = ", ".join(f"{n.op_type}({', '.join(a.name for a in n.attribute)})" for n in model.graph.node)
        if feeds is None:
            # A map(string, float) graph input: Tandem's feeds are tensors only.
            path = os.path.join(root, f"skl_{k}.onnx")
            onnx.save(model, path)
            p = subprocess.run([args.tandem, "inspect", path], capture_output=True, text=True)
            last = (p.stderr or p.stdout).strip().splitlines()[-1]
            state = "does not load: " + last.removeprefix("loads: no: ") if p.returncode != 0 or "loads: no" in last else "loads"
            print(f"skl2onnx {name} [{ops}]: {state}")
            continue
        expected = reference(model, feeds)
        got, err = run_tandem(args.tandem, model, feeds, os.path.join(root, f"skl_{k}"))
        if err:
            failures += 1
            print(f"FAIL skl2onnx {name}: tandem: {err}")
            continue
        results = [same(g, e) for g, e in zip(got, expected)]
        bad = [why for ok, why in results if not ok]
        failures += len(bad)
        print(f"skl2onnx {name} [{ops}]: {'matches onnxruntime' if not bad else 'DIFFERS: ' + bad[0]}")

    for k, (name, model, feeds, pipe) in enumerate(pipeline_cases()):
        print(f"pipeline {name}:", ", ".join(f"{n.domain + '.' if n.domain else ''}{n.op_type}" for n in model.graph.node))
        expected = reference(model, feeds)
        got, err = run_tandem(args.tandem, model, feeds, os.path.join(root, f"pipeline_{k}"))
        if err and "Flatten" in err:
            print("  tandem lacks Flatten here; running it with Flatten(axis=1) written as Reshape(0, -1)")
            got, err = run_tandem(args.tandem, without_flatten(model), feeds, os.path.join(root, f"pipeline_{k}_reshape"))
        missing = re.search(r"unknown op '(\w+)'", err or "")
        if missing:
            print(f"  skipped: needs {missing.group(1)}, another operator family's op, not in this build")
            continue
        if err:
            failures += 1
            print(f"  FAIL: tandem: {err}")
            continue
        for out, g, e in zip([o.name for o in model.graph.output], got, expected):
            ok, why = same(g, e)
            print(f"  output {out}: {'matches onnxruntime' if ok else 'DIFFERS: ' + why}")
            failures += 0 if ok else 1
        sk = pipe.predict_proba(PROBE)
        print(f"  vs scikit-learn: max |probability difference| {np.abs(np.asarray(got[1]) - sk).max():.2e}")
    print("OK" if failures == 0 else f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
