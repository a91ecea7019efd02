"""Weighted split accuracy: 20,000 unkeyed requests at 0.8/0.2 follow the weights (chi-square, p > 0.001)."""
from collections import Counter

from conftest import parallel_invoke, variant_of, write_endpoint, write_synthetic

# Chi-square critical value for 1 degree of freedom at p = 0.001.
CHI2_1DF_P001 = 10.828


def chi_square(observed: dict[str, int], expected_shares: dict[str, float]) -> float:
    total = sum(observed.values())
    return sum((observed.get(name, 0) - total * share) ** 2 / (total * share)
               for name, share in expected_shares.items())


def test_split_follows_weights(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    write_synthetic(tmp_repo, "fast", 2, features=1)
    (tmp_repo / "fast" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "fast", "version": 1, "weight": 0.8},
        {"name": "challenger", "model": "fast", "version": 2, "weight": 0.2},
    ])
    server = start_server(["--config", str(config), "--workers", "2"])

    total = 20_000
    responses = parallel_invoke(server, total, threads=4)
    assert all(r[0] == 200 for r in responses), Counter(r[0] for r in responses)
    counts = Counter(variant_of(r) for r in responses)
    assert set(counts) == {"control", "challenger"}
    chi2 = chi_square(counts, {"control": 0.8, "challenger": 0.2})
    assert chi2 < CHI2_1DF_P001, f"split {dict(counts)} gives chi-square {chi2:.2f}"
    # Unkeyed requests are routed by the weighted draw.
    assert {r[1].get("x-tandem-routing") for r in responses} == {"weighted"}
