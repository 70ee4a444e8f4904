"""`argus bench parsers` at CI size: every quiz-file parser grows linearly on its crafted worst cases, and the
stripping it replaced is shown quadratic on the same input (so the benchmark can tell the two apart)."""
from appliance.bench import parsers

# Linear doubles per doubling, quadratic quadruples; 3 leaves room for a loaded machine. Inputs that stay
# under a few milliseconds at the largest size cannot hide a quadratic cost worth the name.
LINEAR = 3.0
NEGLIGIBLE_MS = 5.0


def test_every_parser_is_linear_on_its_worst_case():
    out = parsers.run(sizes=(50_000, 100_000, 200_000, 400_000), repeats=3,
                      names=tuple(name for name in parsers.CASES if not name.startswith("old")))
    print(out)
    assert len(out) >= 8
    for name, result in out.items():
        largest = list(result["ms"].values())[-1]
        growth = sorted(result["x_per_doubling"])[len(result["x_per_doubling"]) // 2]  # the median
        assert largest < NEGLIGIBLE_MS or growth < LINEAR, (name, result)


def test_the_old_stripping_is_quadratic_on_the_same_input():
    old = "old regex strip (before issue 22)"
    # Best of three per size, and the steepest doubling: one slow run on a busy machine must not hide the curve.
    out = parsers.run(sizes=(12_500, 25_000, 50_000), repeats=3, names=(old,))[old]
    print(out)
    assert max(out["x_per_doubling"]) > LINEAR, out
