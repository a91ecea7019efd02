#!/usr/bin/env python3
"""Independent reference for Tandem's always-valid statistics (Tests/TandemServingTests/AnytimeValidTests.swift).

Computes, with numpy and scipy from the raw outcomes, GrowthBook's asymptotic confidence sequence
(gbstats SequentialTwoSidedTTest: Waudby-Smith et al. 2023, eq. 155 and 161), its always-valid p-value, the
delta-method relative difference, the hybrid mode's fixed-sample Welch interval, and the Dirichlet-multinomial
sequential sample-ratio p-value. Prints the numbers the Swift tests pin. Run: python3 scripts/reference/anytime_valid.py
"""
import numpy as np
from scipy import special, stats


def datasets():
    continuous_a = [((i * 7919) % 100) / 10 for i in range(57)]
    continuous_b = [((i * 104729) % 113) / 10 + 0.5 for i in range(61)]
    binary_a = [1.0 if i < 25 else 0.0 for i in range(203)]
    binary_b = [1.0 if i < 34 else 0.0 for i in range(197)]
    return {"continuous": (continuous_a, continuous_b), "binary": (binary_a, binary_b)}


def rho2(alpha, tuning):
    return (-2 * np.log(alpha) + np.log(1 - 2 * np.log(alpha))) / tuning


def sequence(estimate, variance, n, alpha, tuning):
    r2 = rho2(alpha, tuning)
    width = 2 * (n * r2 + 1) * np.log(np.sqrt(n * r2 + 1) / alpha) / (n * n * r2)
    half = np.sqrt(variance * n) * np.sqrt(width)
    st2 = estimate**2 * n / variance
    evalue = np.exp(r2 * st2 / (2 * (n * r2 + 1))) / np.sqrt(n * r2 + 1)
    return estimate, estimate - half, estimate + half, min(1.0, 1 / evalue)


def compare(a, b, alpha=0.05, tuning=5000.0):
    a, b = np.asarray(a), np.asarray(b)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    n = len(a) + len(b)
    absolute = sequence(b.mean() - a.mean(), va + vb, n, alpha, tuning)
    ratio = b.mean() / a.mean()
    rel_var = vb / a.mean() ** 2 + ratio**2 * va / a.mean() ** 2
    relative = sequence(ratio - 1, rel_var, n, alpha, tuning)
    return absolute, relative


def fixed(a, b, alpha):
    a, b = np.asarray(a), np.asarray(b)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    se = np.sqrt(va + vb)
    d = b.mean() - a.mean()
    crit = stats.t.ppf(1 - alpha / 2, dof)
    return d, d - crit * se, d + crit * se, 2 * stats.t.sf(abs(d / se), dof)


def sequential_srm(assignments, shares, concentration=10_000.0):
    """min over time of 1/BF, the Bayes factor from its closed form after each assignment."""
    shares = np.asarray(shares) / np.sum(shares)
    alphas = concentration * shares
    counts = np.zeros(len(shares))
    best = 0.0
    for arm in assignments:
        counts[arm] += 1
        n = counts.sum()
        log_bf = (special.gammaln(concentration) - special.gammaln(concentration + n)
                  + np.sum(special.gammaln(alphas + counts) - special.gammaln(alphas)) - np.sum(counts * np.log(shares)))
        best = max(best, log_bf)
    return min(1.0, np.exp(-best))


if __name__ == "__main__":
    for name, (a, b) in datasets().items():
        absolute, relative = compare(a, b)
        print(name, "absolute", [repr(float(x)) for x in absolute])
        print(name, "relative", [repr(float(x)) for x in relative])
        print(name, "tuning 100", [repr(float(x)) for x in compare(a, b, tuning=100.0)[0]])
        print(name, "hybrid sequential (alpha 0.01)", [repr(float(x)) for x in compare(a, b, alpha=0.01)[0]])
        print(name, "hybrid fixed (alpha 0.04)", [repr(float(x)) for x in fixed(a, b, 0.04)])
    # 3 arms, shares 0.5/0.3/0.2; arm i for assignment k is (k * 7) % 10 -> 0..4: 0, 5..7: 1, 8..9: 2,
    # then 200 extra to arm 0 (a skew)
    fair = [0 if (k * 7) % 10 < 5 else (1 if (k * 7) % 10 < 8 else 2) for k in range(1000)]
    print("srm fair", repr(float(sequential_srm(fair, [0.5, 0.3, 0.2]))))
    print("srm skewed", repr(float(sequential_srm(fair + [0] * 200, [0.5, 0.3, 0.2]))))
    print("srm very skewed", repr(float(sequential_srm(fair + [0] * 600, [0.5, 0.3, 0.2]))))
