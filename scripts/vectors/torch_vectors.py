#!/usr/bin/env python3
"""Regenerates the torch reference vectors in test/fixtures/vectors/ by running torch on the CPU.

The torch counterpart of scripts/vectors/tfjs.mjs. The cases are defined by the committed files:
for each case this script keeps what states the question (id, description, convention, api,
params, inputs, grad_upstream, random_source) and recomputes what torch answers (outputs,
outputs_f64, error), plus the header's framework versions. The random cases' inputs are drawn
again from their random_source (RANDOM_DRAWS), so a different draw shows as a difference too.
The format (number encoding, layout) is described in test/fixtures/vectors/README.md.

    python3 scripts/vectors/torch_vectors.py              rewrite the files in place
    python3 scripts/vectors/torch_vectors.py --out DIR    write them into DIR instead
    python3 scripts/vectors/torch_vectors.py --check      regenerate in memory; print each difference
                                                  from the committed files, exit 1 if any

Files: torch_cross_entropy.json, torch_cross_entropy_soft.json, torch_kl_div.json,
torch_bce_with_logits.json; and annotated_transformer.json and community_impls.json, which run
upstream code and are regenerated only when the checkouts they need are given
(--annotated-transformer DIR, --annotated-transformer-2018 DIR, --fairseq DIR,
--fairseq-pre2021 DIR, --timm DIR, --transformers DIR; see --help and UPSTREAM), skipped with a
message otherwise.
Needs torch and numpy (Debian 12: python3-torch python3-numpy, run with the system python3).
"""

import argparse
import ast
import dataclasses
import json
import math
import os
import subprocess
import sys
import warnings

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    raise SystemExit(f"{e}: this script needs torch and numpy (Debian 12: apt-get install "
                     "python3-torch python3-numpy, then run it with the system python3)")

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VECTORS = os.path.join(ROOT, "test", "fixtures", "vectors")

# What a case answers; everything else in a case is its question and is kept.
ANSWER_KEYS = ("outputs", "outputs_f64", "error")

# ---------------------------------------------------------------------------------------------
# Numbers: torch results to the file's encoding (test/fixtures/vectors/README.md, "Number
# encoding"). A float32 becomes the Python float of its shortest float32 decimal
# (str(np.float32)), which Python's repr then writes back as that same decimal; a float64 stays a
# Python float (repr is exact). NaN and the infinities are strings.


def encode_float(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def encode(t):
    """A tensor (float32 or float64) as nested lists of encoded floats; 0-d as a scalar."""
    a = t.detach().cpu().numpy()
    if a.dtype == np.float32:
        conv = lambda v: encode_float(float(str(v)))
    elif a.dtype == np.float64:
        conv = lambda v: encode_float(float(v))
    else:
        raise TypeError(f"unexpected dtype {a.dtype}")

    def walk(v):
        return [walk(e) for e in v] if isinstance(v, np.ndarray) else conv(v)

    return conv(a[()]) if a.ndim == 0 else walk(a)


def decode(v):
    """The file's nested lists (with "NaN"/"Infinity" strings) as Python floats."""
    if isinstance(v, list):
        return [decode(e) for e in v]
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
    return float(v)


def tensor(values, dtype, shape=None):
    """The file's values as float32 (they are float32 values), then as `dtype`: the float64
    re-runs (outputs_f64) take the float32 inputs, not the decimals' nearest doubles."""
    t = torch.tensor(decode(values), dtype=torch.float32).to(dtype)
    return t.reshape(shape) if shape is not None else t


def raised(e):
    """The case's `error`: the exception's type and the first line of its message."""
    return {"type": type(e).__name__, "message": str(e).split("\n")[0]}


# ---------------------------------------------------------------------------------------------
# The random cases: inputs drawn again from what random_source says, keyed by its rng text.


def draw_cross_entropy_1234():
    rng = np.random.default_rng(1234)
    logits = (rng.standard_normal((7, 13)) * 2).astype(np.float32)
    target = rng.integers(0, 13, 7)
    target[[2, 5]] = -100
    weight = rng.uniform(0.1, 2.0, 13).astype(np.float32)
    return {"logits": logits, "target": target, "weight": weight}


def draw_dirichlet_7():
    rng = np.random.default_rng(7)
    return {"target_probs": rng.dirichlet(np.ones(5), size=4).astype(np.float32)}


RANDOM_DRAWS = {
    "numpy.random.default_rng(1234)": draw_cross_entropy_1234,
    "numpy.random.default_rng(7)": draw_dirichlet_7,
}


def as_file_values(a):
    """A numpy draw as the file writes it (float32 as its shortest decimal, ints as ints)."""
    if a.dtype == np.float32:
        return encode(torch.from_numpy(a))
    return [int(v) for v in a]


def redraw(case):
    """The case with its random inputs (and a drawn params.weight) replaced by a new draw."""
    source = case.get("random_source")
    if source is None:
        return case
    rng = source["rng"]
    if rng not in RANDOM_DRAWS:
        raise SystemExit(f"{case['id']}: no draw known for random_source.rng {rng!r}")
    drawn = RANDOM_DRAWS[rng]()
    inputs = dict(case["inputs"])
    for key in inputs:
        if key in drawn:
            inputs[key] = as_file_values(drawn[key])
    params = dict(case["params"])
    # Only the weighted random cases pass the drawn weight; the others pass None.
    if "weight" in drawn and params.get("weight") is not None:
        params["weight"] = as_file_values(drawn["weight"])
    return {**case, "params": params, "inputs": inputs}


# ---------------------------------------------------------------------------------------------
# One function per file kind: each takes a case (and the upstream definitions, for the files
# that need them) and returns its answer {outputs, [outputs_f64], error}.


def upstream_grad(loss):
    """Backpropagates ones: d sum(loss) for reduction none, d loss otherwise (grad_upstream)."""
    loss.backward(torch.ones_like(loss))


def cross_entropy_case(case, upstream):
    """torch_cross_entropy.json and torch_cross_entropy_soft.json: F.cross_entropy with class ids
    (inputs.target) or probabilities (inputs.target_probs)."""
    p, inp = case["params"], case["inputs"]
    shape = inp.get("shape")
    soft = "target_probs" in inp
    eps = p["label_smoothing"]

    def call(dtype, reduction):
        logits = tensor(inp["logits"], dtype, shape).requires_grad_(True)
        if soft:
            target = tensor(inp["target_probs"], dtype, shape)
        else:
            target = torch.tensor(inp["target"], dtype=torch.int64)
        weight = None if p["weight"] is None else tensor(p["weight"], dtype)
        loss = F.cross_entropy(logits, target, weight=weight, ignore_index=p["ignore_index"],
                               reduction=reduction, label_smoothing=eps)
        upstream_grad(loss)
        return loss, logits.grad

    def run(dtype):
        loss, grad = call(dtype, p["reduction"])
        out = {"loss": encode(loss), "grad_logits": encode(grad)}
        # per_row: the rows of a batch (an unbatched 1-D input has none to show)
        if p["reduction"] != "none" and len(shape) == 2:
            out["per_row"] = encode(call(dtype, "none")[0])
        return out

    try:
        outputs = run(torch.float32)
    except (RuntimeError, IndexError, ValueError) as e:
        return {"outputs": None, "error": raised(e)}
    if len(shape) == 2:
        outputs["smoothed_target"] = encode(smoothed_target(inp, shape, soft, eps, p["ignore_index"]))
        outputs["smoothed_target_note"] = SMOOTHED_TARGET_NOTE
    return {"outputs": outputs, "outputs_f64": run(torch.float64), "error": None}


SMOOTHED_TARGET_NOTE = (
    "reconstructed with torch ops (PyTorch does not expose q); for soft targets it is the exact "
    "expression used inside cross_entropy_loss_prob_target"
)


def smoothed_target(inp, shape, soft, eps, ignore_index):
    """q as torch's cross_entropy forms it, rebuilt with torch ops in float32: for soft targets
    the expression of cross_entropy_loss_prob_target (pytorch/pytorch,
    aten/src/ATen/native/LossNLL.cpp: target * (1 - label_smoothing) + label_smoothing / n_classes);
    for class ids the same over one-hot rows, with ignored rows zero (they contribute nothing)."""
    k = shape[1]
    if soft:
        target = tensor(inp["target_probs"], torch.float32, shape)
        return target * (1 - eps) + eps / k
    ids = torch.tensor(inp["target"], dtype=torch.int64)
    kept = ids != ignore_index
    onehot = F.one_hot(torch.where(kept, ids, 0), k).to(torch.float32)
    q = onehot * (1 - eps) + eps / k
    return q * kept.unsqueeze(1).to(torch.float32)


# torch warns on every kl_div(reduction='mean') that batchmean is the KL per sample; the file's
# notes say so, and the mean cases are there to record what 'mean' does.
warnings.filterwarnings("ignore", message="reduction: 'mean' divides the total loss")


def kl_div_case(case, upstream):
    """torch_kl_div.json: F.kl_div on log-probabilities, either given (inputs.input_logprobs) or
    log_softmax(inputs.logits) computed by torch, whose gradient is then chained to the logits."""
    p, inp = case["params"], case["inputs"]
    target = tensor(inp["target"], torch.float32)
    logits = None
    if "logits" in inp:
        logits = tensor(inp["logits"], torch.float32).requires_grad_(True)
        x = F.log_softmax(logits, dim=1)
        x.retain_grad()
    else:
        x = tensor(inp["input_logprobs"], torch.float32).requires_grad_(True)
    loss = F.kl_div(x, target, reduction=p["reduction"], log_target=p["log_target"])
    upstream_grad(loss)
    outputs = {"loss": encode(loss), "grad_input_logprobs": encode(x.grad)}
    if logits is not None:
        outputs["input_logprobs"] = encode(x)
        outputs["grad_logits"] = encode(logits.grad)
    return {"outputs": outputs, "error": None}


def bce_with_logits_case(case, upstream):
    """torch_bce_with_logits.json: F.binary_cross_entropy_with_logits on labels smoothed by hand
    with torch ops (torch has no smoothing argument there): labels * (1 - eps) + 0.5 * eps."""
    p, inp = case["params"], case["inputs"]
    eps = p["label_smoothing_applied_manually"]
    logits = tensor(inp["logits"], torch.float32).requires_grad_(True)
    q = tensor(inp["labels"], torch.float32) * (1 - eps) + 0.5 * eps
    weight = None if p["weight"] is None else tensor(p["weight"], torch.float32)
    pos_weight = None if p["pos_weight"] is None else tensor(p["pos_weight"], torch.float32)
    loss = F.binary_cross_entropy_with_logits(logits, q, weight, reduction=p["reduction"],
                                              pos_weight=pos_weight)
    upstream_grad(loss)
    return {"outputs": {"loss": encode(loss), "grad_logits": encode(logits.grad),
                        "smoothed_target": encode(q)}, "error": None}


# ---------------------------------------------------------------------------------------------
# annotated_transformer.json and community_impls.json run upstream code, which this repository
# does not copy: it is taken from checkouts the user names (UPSTREAM), one definition at a time.
# Each entry: the option, the file in that checkout, the definitions it must hold, and where the
# file is public (the commit the committed cases name, or the one this script was checked with).

UPSTREAM = {
    "annotated_transformer": (
        "the_annotated_transformer.py", ["LabelSmoothing"],
        "harvardnlp/annotated-transformer (the 2022 file; the cases name debc9fd7)"),
    "annotated_transformer_2018": (
        "The Annotated Transformer.ipynb", ["LabelSmoothing"],
        "harvardnlp/annotated-transformer at 01fbae64 (the 2018 notebook)"),
    "fairseq": (
        "fairseq/criterions/label_smoothed_cross_entropy.py", ["label_smoothed_nll_loss"],
        "facebookresearch/fairseq (the eps/(K-1) form, since 791ab7c2)"),
    "fairseq_pre2021": (
        "fairseq/criterions/label_smoothed_cross_entropy.py", ["label_smoothed_nll_loss"],
        "facebookresearch/fairseq before 791ab7c2 (the eps/K form), e.g. at 791ab7c2^"),
    "timm": (
        "timm/loss/cross_entropy.py", ["LabelSmoothingCrossEntropy", "SoftTargetCrossEntropy"],
        "huggingface/pytorch-image-models"),
    "transformers": (
        "src/transformers/trainer_pt_utils.py", ["LabelSmoother"], "huggingface/transformers"),
}


def upstream_definitions(checkout, option):
    """The definitions UPSTREAM names, run from the upstream file in `checkout`.

    Only those top-level definitions are run (found with ast), in a namespace holding what they
    use (torch, nn, F, Variable, dataclass): importing the whole file would run its own imports
    (fairseq's package, the Annotated Transformer's training and plotting code). A notebook's
    definitions are looked for in its code cells."""
    relpath, names, _ = UPSTREAM[option]
    path = os.path.join(checkout, relpath)
    if not os.path.isfile(path):
        flag = "--" + option.replace("_", "-")
        raise SystemExit(f"{path}: no such file ({flag} takes a checkout of {UPSTREAM[option][2]})")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".ipynb"):
        sources = ["".join(c["source"]) for c in json.loads(text)["cells"] if c["cell_type"] == "code"]
    else:
        sources = [text]
    namespace = {"torch": torch, "nn": torch.nn, "F": F, "Variable": torch.autograd.Variable,
                 "dataclass": dataclasses.dataclass, "__name__": f"upstream_{option}"}
    found = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:  # a notebook cell with shell or magic lines defines nothing we need
            continue
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name in names:
                exec(compile(ast.Module([node], type_ignores=[]), path, "exec"), namespace)
                found[node.name] = namespace[node.name]
    missing = [n for n in names if n not in found]
    if missing:
        raise SystemExit(f"{path}: no top-level {', '.join(missing)} (expected {UPSTREAM[option][2]})")
    return found


# The 2018 class builds KLDivLoss(size_average=False), which torch 1.13 warns is deprecated; that
# class is run unchanged on purpose.
warnings.filterwarnings("ignore", message="size_average and reduce args will be deprecated")


def annotated_transformer_case(case, upstream):
    """annotated_transformer.json: the Annotated Transformer's LabelSmoothing criterion, the 2018
    notebook's class or the 2022 file's as the case's api names it. x is given, or is
    log_softmax(logits) computed by torch (then recorded as outputs.x, with grad_logits)."""
    p, inp = case["params"], case["inputs"]
    option = "annotated_transformer_2018" if case["api"].startswith("LabelSmoothing2018") else "annotated_transformer"
    LabelSmoothing = upstream[option]["LabelSmoothing"]
    target = torch.tensor(inp["target"], dtype=torch.int64)
    logits = None
    if isinstance(inp["x"], str):
        logits = tensor(inp["logits"], torch.float32).reshape(-1, p["size"]).requires_grad_(True)
        x = F.log_softmax(logits, dim=-1)
        x.retain_grad()
    else:
        x = tensor(inp["x"], torch.float32).requires_grad_(True)
    try:
        crit = LabelSmoothing(size=p["size"], padding_idx=p["padding_idx"], smoothing=p["smoothing"])
        loss = crit(x, target)
        loss.backward()
    except (RuntimeError, IndexError, ZeroDivisionError) as e:
        return {"outputs": None, "error": raised(e)}
    outputs = {"loss": encode(loss), "true_dist": encode(crit.true_dist), "grad_x": encode(x.grad)}
    if logits is not None:
        outputs["x"] = encode(x)
        outputs["grad_logits"] = encode(logits.grad)
    return {"outputs": outputs, "error": None}


def community_impls_case(case, upstream):
    """community_impls.json: fairseq's label_smoothed_nll_loss on log_softmax(logits), timm's
    criteria, transformers' LabelSmoother, and the F.cross_entropy calls they equal, as the
    case's `implementation` says; the gradient with upstream ones."""
    p, inp, impl = case["params"], case["inputs"], case["implementation"]
    logits = tensor(inp["logits"], torch.float32).requires_grad_(True)
    outputs = {}
    if impl in ("fairseq_current", "fairseq_pre2021"):
        option = "fairseq" if impl == "fairseq_current" else "fairseq_pre2021"
        nll_loss_fn = upstream[option]["label_smoothed_nll_loss"]
        target = torch.tensor(inp["target"], dtype=torch.int64)
        loss, nll_loss = nll_loss_fn(F.log_softmax(logits, dim=-1), target, p["epsilon"],
                                     ignore_index=p["ignore_index"], reduce=p["reduce"])
        outputs["nll_loss"] = encode(nll_loss)
    elif impl == "timm" and "target_probs" in inp:
        loss = upstream["timm"]["SoftTargetCrossEntropy"]()(logits, tensor(inp["target_probs"], torch.float32))
    elif impl == "timm":
        criterion = upstream["timm"]["LabelSmoothingCrossEntropy"](smoothing=p["smoothing"])
        loss = criterion(logits, torch.tensor(inp["target"], dtype=torch.int64))
    elif impl == "transformers":
        smoother = upstream["transformers"]["LabelSmoother"](epsilon=p["epsilon"], ignore_index=p["ignore_index"])
        loss = smoother({"logits": logits}, torch.tensor(inp["target"], dtype=torch.int64))
    elif impl == "torch":
        loss = F.cross_entropy(logits, torch.tensor(inp["target"], dtype=torch.int64), **p)
    else:
        raise SystemExit(f"{case['id']}: unknown implementation {impl!r}")
    upstream_grad(loss)
    # The file's order: loss, grad_logits, then fairseq's second return value.
    return {"outputs": {"loss": encode(loss), "grad_logits": encode(logits.grad), **outputs},
            "error": None}


# The files, the function that answers each case, and the upstream checkouts it needs.
FILES = {
    "torch_cross_entropy.json": (cross_entropy_case, ()),
    "torch_cross_entropy_soft.json": (cross_entropy_case, ()),
    "torch_kl_div.json": (kl_div_case, ()),
    "torch_bce_with_logits.json": (bce_with_logits_case, ()),
    "annotated_transformer.json": (annotated_transformer_case,
                                   ("annotated_transformer", "annotated_transformer_2018")),
    "community_impls.json": (community_impls_case,
                             ("fairseq", "fairseq_pre2021", "timm", "transformers")),
}

# ---------------------------------------------------------------------------------------------
# Files


def debian_package():
    """The Debian package the running torch came from, "name version" as the header records it;
    None when dpkg does not own torch's files (a pip install, or no dpkg)."""
    try:
        owner = subprocess.run(["dpkg-query", "-S", torch.__file__], capture_output=True,
                               text=True, check=True).stdout.split(":")[0]
        return subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}", owner],
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def header_framework(committed):
    framework = dict(committed)
    framework["torch.__version__"] = torch.__version__
    framework["debian_package"] = debian_package()
    framework["numpy"] = np.__version__
    return framework


def regenerate(doc, answer, upstream):
    cases = []
    for case in doc["cases"]:
        case = redraw(case)
        question = {k: v for k, v in case.items() if k not in ANSWER_KEYS}
        cases.append({**question, **answer(case, upstream)})
    # The header is kept but for the versions that ran; `generator` still names the original
    # run's script while the files come out as committed (test/fixtures/vectors/README.md).
    return {**doc, "framework": header_framework(doc["framework"]), "cases": cases}


def dump(v, indent=0):
    """The files' layout: one space per level; lists of scalars on one line."""
    pad = " " * (indent + 1)
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [pad + json.dumps(k) + ": " + dump(e, indent + 1) for k, e in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(v, list) and any(isinstance(e, (list, dict)) for e in v):
        return "[\n" + ",\n".join(pad + dump(e, indent + 1) for e in v) + "\n" + " " * indent + "]"
    if isinstance(v, list):
        return "[" + ", ".join(dump(e) for e in v) + "]"
    if isinstance(v, float):
        return repr(v)
    return json.dumps(v)


def differences(path, old, new, out):
    """Appends a line for each place where `new` differs from `old` (NaN equals NaN)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for k in list(old) + [k for k in new if k not in old]:
            if k not in new:
                out.append(f"{path}.{k}: removed")
            elif k not in old:
                out.append(f"{path}.{k}: added {json.dumps(new[k])[:120]}")
            else:
                differences(f"{path}.{k}", old[k], new[k], out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            differences(f"{path}[{i}]", a, b, out)
    elif type(old) is not type(new) or old != new:
        out.append(f"{path}: {json.dumps(old)[:120]} -> {json.dumps(new)[:120]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="write the files into this directory instead of in place")
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed files; exit 1 on any difference")
    for option, (relpath, _, where) in UPSTREAM.items():
        parser.add_argument("--" + option.replace("_", "-"), metavar="DIR",
                            help=f"a checkout of {where}, holding {relpath}")
    args = parser.parse_args()

    failed = False
    for name, (answer, needs) in FILES.items():
        missing = [o for o in needs if getattr(args, o) is None]
        if missing:
            options = ", ".join("--" + o.replace("_", "-") for o in missing)
            print(f"{name}: skipped, it runs upstream code: give {options} (see --help)")
            continue
        upstream = {o: upstream_definitions(getattr(args, o), o) for o in needs}
        with open(os.path.join(VECTORS, name)) as f:
            committed_text = f.read()
        committed = json.loads(committed_text)
        regenerated = regenerate(committed, answer, upstream)
        text = dump(regenerated) + "\n"
        if args.check:
            found = []
            differences(name, committed, json.loads(text), found)
            if found:
                failed = True
                print(f"{name}: {len(found)} differences")
                for line in found:
                    print("  " + line)
            elif text != committed_text:
                failed = True
                print(f"{name}: same values, different text (layout)")
            else:
                print(f"{name}: {len(committed['cases'])} cases, identical")
        else:
            out_dir = args.out or VECTORS
            os.makedirs(out_dir, exist_ok=True)
            with open(os.path.join(out_dir, name), "w") as f:
                f.write(text)
            print(f"wrote {os.path.join(out_dir, name)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
