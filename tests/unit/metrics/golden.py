#!/usr/bin/python3
"""Reference values for gauntlet's metrics/ tests, computed by scipy and statsmodels at test time.

Usage: golden.py SECTION OUTPUT.csv [INPUT.csv]

Run with Debian's /usr/bin/python3 (python3-scipy, python3-statsmodels). `golden.py check`
exits 0 when both import, so the C++ tests can skip with a clear message when they do not.
Every section writes a CSV with a header row. Sections that need data read it from INPUT.csv,
written by the C++ test, so both sides see the very same numbers.
"""
import csv
import sys
import types

import numpy as np


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(x)) if isinstance(x, (float, np.floating)) else x for x in r])


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def proportion(out, _):
    from scipy.stats import binomtest
    from statsmodels.stats.proportion import proportion_confint
    rows = []
    for n in (1, 2, 5, 10, 17, 50, 100, 1000):
        ks = sorted({0, 1, n // 3, n // 2, n - 1, n} & set(range(n + 1)))
        for k in ks:
            for level in (0.8, 0.9, 0.95, 0.99):
                alpha = 1 - level
                for alt in ("two-sided", "less", "greater"):
                    ci = binomtest(k, n, alternative=alt)
                    for method, name in (("wilson", "wilson"), ("exact", "exact")):
                        c = ci.proportion_ci(confidence_level=level, method=method)
                        rows.append(["scipy", name, alt, k, n, level, c.low, c.high])
                for sm, name in (("wilson", "wilson"), ("beta", "exact"), ("jeffreys", "jeffreys"),
                                 ("agresti_coull", "agresti-coull")):
                    lo, hi = proportion_confint(k, n, alpha=alpha, method=sm)
                    rows.append(["statsmodels", name, "two-sided", k, n, level, lo, hi])
    write(out, ["source", "method", "alternative", "k", "n", "level", "lo", "hi"], rows)


def two_by_two_tables():
    tables = []
    for c1 in (1, 6, 13):
        for c2 in (2, 9, 16):
            for a in sorted({0, 1, c1 // 2, c1}):
                for b in sorted({0, c2 // 2, c2 - 1}):
                    if 0 <= b <= c2:
                        tables.append((a, b, c1 - a, c2 - b))
    # symmetric tables (ties between tables decide the region) and larger samples
    tables += [(3, 5, 5, 3), (5, 5, 5, 5), (7, 12, 8, 3), (10, 10, 10, 10), (20, 30, 30, 20),
               (40, 28, 10, 22), (33, 45, 17, 5), (74, 31, 43, 32), (60, 70, 40, 30),
               (150, 170, 50, 30), (0, 25, 25, 0), (25, 25, 0, 0), (1, 0, 0, 1)]
    return tables


def exact_tests(out, _):
    from scipy.stats import barnard_exact, boschloo_exact, fisher_exact
    rows = []
    for t in two_by_two_tables():
        table = [[t[0], t[1]], [t[2], t[3]]]
        for alt in ("two-sided", "less", "greater"):
            r = fisher_exact(table, alternative=alt)
            rows.append(["fisher", alt, *t, r[0], r[1]])
            if t[0] + t[2] > 0 and t[1] + t[3] > 0 and t[0] + t[1] + t[2] + t[3] <= 120:
                for pooled in (True, False) if alt == "two-sided" else (True,):
                    r = barnard_exact(table, alternative=alt, pooled=pooled)
                    rows.append(["barnard" if pooled else "barnard-unpooled", alt, *t,
                                 r.statistic, r.pvalue])
                r = boschloo_exact(table, alternative=alt)
                rows.append(["boschloo", alt, *t, r.statistic, r.pvalue])
    # Larger samples, two-sided only (scipy's nuisance search is slow there). With its default
    # 32 Sobol points shgo misses the supremum of [[300, 280], [100, 120]] (0.11664 instead of
    # 0.12845, attained near pi = 0.0075); 256 points find it, so the reference uses them.
    for t in ((150, 170, 50, 30), (300, 280, 100, 120)):
        table = [[t[0], t[1]], [t[2], t[3]]]
        r = barnard_exact(table, n=256)
        rows.append(["barnard", "two-sided", *t, r.statistic, r.pvalue])
        if t[0] < 200:  # scipy's Boschloo takes 9 s on the largest table
            r = boschloo_exact(table)
            rows.append(["boschloo", "two-sided", *t, r.statistic, r.pvalue])
    write(out, ["test", "alternative", "a", "b", "c", "d", "statistic", "p"], rows)


def newcombe(out, _):
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize
    rows = []
    for k1, n1, k2, n2 in ((7, 20, 12, 20), (0, 10, 0, 10), (10, 10, 0, 10), (45, 50, 30, 50),
                           (1, 3, 2, 7), (156, 200, 130, 200), (0, 15, 9, 12)):
        for level in (0.9, 0.95, 0.99):
            lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb",
                                                compare="diff", alpha=1 - level)
            h = proportion_effectsize(k1 / n1, k2 / n2)
            rows.append([k1, n1, k2, n2, level, lo, hi, h])
    write(out, ["k1", "n1", "k2", "n2", "level", "lo", "hi", "h"], rows)


def multitest(out, inp):
    from statsmodels.stats.multitest import multipletests
    data = read(inp)
    groups = {}
    for r in data:
        groups.setdefault(r["family"], []).append(float(r["p"]))
    rows = []
    for fam, p in groups.items():
        holm = multipletests(p, method="holm")[1]
        bh = multipletests(p, method="fdr_bh")[1]
        for i in range(len(p)):
            rows.append([fam, i, holm[i], bh[i]])
    write(out, ["family", "index", "holm", "bh"], rows)


def power(out, _):
    from statsmodels.stats.power import NormalIndPower
    pw = NormalIndPower()
    alts = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}
    rows = []
    for alt, sm in alts.items():
        for h in (0.1, 0.2, 0.5, 0.8):
            sh = -h if alt == "less" else h
            for n1 in (10, 50, 200):
                for ratio in (1.0, 2.0):
                    for alpha in (0.01, 0.05):
                        p = pw.power(effect_size=sh, nobs1=n1, alpha=alpha, ratio=ratio,
                                     alternative=sm)
                        rows.append(["power", alt, sh, n1, ratio, alpha, 0.0, p])
            for power_ in (0.8, 0.9):
                n = pw.solve_power(effect_size=sh, nobs1=None, alpha=0.05, power=power_,
                                   ratio=1.0, alternative=sm)
                rows.append(["nobs", alt, sh, 0, 1.0, 0.05, power_, n])
        for n1 in (20, 100, 500):
            for power_ in (0.8, 0.9):
                h = pw.solve_power(effect_size=None, nobs1=n1, alpha=0.05, power=power_,
                                   ratio=1.0, alternative=sm)
                rows.append(["effect", alt, 0.0, n1, 1.0, 0.05, power_, abs(h)])
    write(out, ["kind", "alternative", "h", "n1", "ratio", "alpha", "power", "value"], rows)


def paired(out, inp):
    from scipy.stats import binomtest
    from statsmodels.stats.contingency_tables import StratifiedTable, mcnemar
    rows = []
    for b, c in ((0, 0), (3, 0), (5, 5), (2, 9), (17, 8), (40, 61), (120, 90)):
        r = mcnemar([[10, b], [c, 10]], exact=True)
        p2 = binomtest(b, b + c).pvalue if b + c > 0 else 1.0
        rows.append(["mcnemar", b, c, 0, r.pvalue, p2])
    strata = {}
    for r in read(inp):
        strata.setdefault(r["family"], []).append(
            [[int(r["a"]), int(r["b"])], [int(r["c"]), int(r["d"])]])
    for fam, tables in strata.items():
        st = StratifiedTable([np.array(t) for t in tables])
        for corr in (False, True):
            res = st.test_null_odds(correction=corr)
            rows.append(["cmh", fam, int(corr), 0, res.statistic, res.pvalue])
        rows.append(["cmh-or", fam, 0, 0, st.oddsratio_pooled, 0.0])
    write(out, ["kind", "x", "y", "z", "v1", "v2"], rows)


def correlation(out, inp):
    from scipy.stats import kendalltau, pearsonr, spearmanr
    data = {}
    for r in read(inp):
        data.setdefault(r["dataset"], ([], []))
        data[r["dataset"]][0].append(float(r["x"]))
        data[r["dataset"]][1].append(float(r["y"]))
    rows = []
    for name, (x, y) in data.items():
        x, y = np.array(x), np.array(y)
        pr = pearsonr(x, y)
        ci = pr.confidence_interval(0.95)
        sr = spearmanr(x, y)
        kt = kendalltau(x, y)
        rows.append([name, pr.statistic, pr.pvalue, ci.low, ci.high, sr.correlation, sr.pvalue,
                     kt.correlation, kt.pvalue, mmrv(x, y)])
    write(out, ["dataset", "pearson", "pearson_p", "pearson_lo", "pearson_hi", "spearman",
                "spearman_p", "kendall", "kendall_p", "mmrv"], rows)


def mmrv(sim, real):
    # SimplerEnv, simpler_env/utils/metrics.py: mean_maximum_rank_violation(perf_sim, perf_real)
    violations = []
    for i in range(len(sim)):
        v = 0.0
        for j in range(len(sim)):
            if (sim[i] > sim[j]) != (real[i] > real[j]):
                v = max(v, abs(real[i] - real[j]))
        violations.append(v)
    return float(np.mean(violations))


def simpler_pearson(perf_sim, perf_real):
    # SimplerEnv, simpler_env/utils/metrics.py: pearson_correlation(perf_sim, perf_real)
    perf_sim, perf_real = np.array(perf_sim, dtype=float), np.array(perf_real, dtype=float)
    perf_sim = perf_sim - np.mean(perf_sim)
    perf_real = perf_real - np.mean(perf_real)
    if np.all(perf_sim == perf_real):
        return 1.0
    return float(np.sum(perf_sim * perf_real) /
                 (np.sqrt(np.sum(perf_sim ** 2) * np.sum(perf_real ** 2)) + 1e-8))


def sim_real(out, inp):
    """Per task: SimplerEnv's Pearson and MMRV both ways, scipy's pearsonr and spearmanr; then
    the mean over tasks (SimplerEnv's tools/calc_metrics loops over tasks) and the pooled points."""
    from scipy.stats import pearsonr, spearmanr
    data = {}
    for r in read(inp):
        d = data.setdefault(r["dataset"], {})
        d.setdefault(r["task"], ([], []))
        d[r["task"]][0].append(float(r["sim"]))
        d[r["task"]][1].append(float(r["real"]))
    rows = []

    def stats(sim, real):
        sim, real = np.array(sim), np.array(real)
        const = np.all(sim == sim[0]) or np.all(real == real[0])
        sp = float("nan") if const else spearmanr(sim, real).correlation
        pp = float("nan") if const else pearsonr(sim, real).pvalue
        return [simpler_pearson(sim, real), pp, sp, mmrv(sim, real), mmrv(real, sim)]

    for name, tasks in data.items():
        per_task, all_sim, all_real = [], [], []
        for task, (sim, real) in tasks.items():
            s = stats(sim, real)
            per_task.append(s)
            rows.append([name, "task:" + task] + s)
            all_sim += sim
            all_real += real
        m = np.array(per_task)
        spear = m[:, 2][np.isfinite(m[:, 2])]
        rows.append([name, "mean", float(np.mean(m[:, 0])), float("nan"),
                     float(np.mean(spear)) if len(spear) else float("nan"),
                     float(np.mean(m[:, 3])), float(np.mean(m[:, 4]))])
        rows.append([name, "pooled"] + stats(all_sim, all_real))
    write(out, ["dataset", "scope", "pearson", "pearson_p", "spearman", "mmrv", "mmrv_real_sim"],
          rows)


def bca(out, inp):
    from scipy.stats import bootstrap, trim_mean
    tasks, dist = {}, []
    stat_name, level = None, None
    for r in read(inp):
        if r["kind"] == "score":
            tasks.setdefault(int(r["task"]), []).append(float(r["value"]))
        elif r["kind"] == "replicate":
            dist.append(float(r["value"]))
        else:
            stat_name, level = r["kind"], float(r["value"])
    samples = tuple(np.array(tasks[t]) for t in sorted(tasks))

    def statistic(*s, axis=-1):
        if stat_name == "mean":
            return np.mean([np.mean(x, axis=axis) for x in s], axis=0)
        if stat_name == "median":
            return np.median([np.mean(x, axis=axis) for x in s], axis=0)
        if stat_name == "iqm":
            return trim_mean(np.concatenate(s, axis=axis), 0.25, axis=axis)
        if stat_name == "optimality-gap":
            return 1.0 - np.mean([np.mean(np.minimum(x, 1.0), axis=axis) for x in s], axis=0)
        raise ValueError(stat_name)

    prior = types.SimpleNamespace(bootstrap_distribution=np.array(dist))
    rows = []
    for method in ("percentile", "BCa"):
        r = bootstrap(samples, statistic, n_resamples=0, bootstrap_result=prior,
                      confidence_level=level, method=method, vectorized=True)
        rows.append([method.lower(), r.confidence_interval.low, r.confidence_interval.high,
                     r.standard_error, float(statistic(*samples))])
    write(out, ["method", "lo", "hi", "se", "estimate"], rows)


def fidelity(out, inp):
    """PSNR and SSIM computed independently: scipy.signal.correlate2d ('valid') with the
    window of Wang et al. (ssim_index.m), per channel, averaged; the Frechet distance with
    scipy.linalg.sqrtm, as the FID reference implementation."""
    from scipy.linalg import sqrtm
    from scipy.signal import correlate2d
    images, feats = {}, {}
    for r in read(inp):
        if r["kind"] == "image":
            w, h, c = int(r["w"]), int(r["h"]), int(r["c"])
            px = np.array([int(v) for v in r["values"].split()], dtype=np.float64).reshape(h, w, c)
            images.setdefault(r["name"], []).append(px)
        else:
            feats.setdefault(r["name"], []).append([float(v) for v in r["values"].split()])
    rows = []

    def window(kind):
        if kind == "uniform8":
            return np.full((8, 8), 1.0 / 64)
        x = np.arange(11) - 5.0
        g = np.exp(-x * x / (2 * 1.5 * 1.5))
        g2 = np.outer(g, g)
        return g2 / g2.sum()

    for name, (a, b) in images.items():
        mse = np.mean((a - b) ** 2)
        psnr = float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)
        for kind in ("gaussian11", "uniform8"):
            win = window(kind)
            c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
            vals = []
            for ch in range(a.shape[2]):
                x, y = a[:, :, ch], b[:, :, ch]
                f = lambda z: correlate2d(z, win, mode="valid")
                mx, my = f(x), f(y)
                sxx = f(x * x) - mx * mx
                syy = f(y * y) - my * my
                sxy = f(x * y) - mx * my
                m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
                vals.append(m.mean())
            rows.append([name, kind, mse, psnr, float(np.mean(vals))])
    for name in dict.fromkeys(n[:-2] for n in feats):  # in input order
        a, b = np.array(feats[name + "/a"]), np.array(feats[name + "/b"])
        mu1, mu2 = a.mean(0), b.mean(0)
        s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
        covmean = sqrtm(s1.dot(s2))
        if np.iscomplexobj(covmean):
            covmean = covmean.real
        fd = float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))
        rows.append([name, "frechet", 0.0, 0.0, fd])
    write(out, ["name", "kind", "mse", "psnr", "value"], rows)


def kappa(out, inp):
    """Cohen's kappa of 2x2 tables by statsmodels."""
    from statsmodels.stats.inter_rater import cohens_kappa
    rows = []
    for r in read(inp):
        tp, fp, fn, tn = (int(r[k]) for k in ("tp", "fp", "fn", "tn"))
        # rows: reference (success, failure); columns: evaluator (success, failure)
        k = cohens_kappa(np.array([[tp, fn], [fp, tn]]), return_results=False)
        rows.append([tp, fp, fn, tn, float(k)])
    write(out, ["tp", "fp", "fn", "tn", "kappa"], rows)


def progress_evalue(out, inp):
    """The betting capital of SequentialProgressTest, recomputed with numpy (two-pass variances
    of each prefix instead of the C++ running update): log E_n and the bet of every pair."""
    rows = list(read(inp))
    o = rows[0]
    delta, sd, w, cap = (float(o[k]) for k in ("delta", "sd", "w", "max_bet"))
    a = np.array([float(r["a"]) for r in rows])
    b = np.array([float(r["b"]) for r in rows])
    x = (a - b) if o["alternative"] == "less" else (b - a)
    bets = np.empty(len(x))
    for i in range(len(x)):
        ss = float(np.var(x[:i]) * i) if i > 0 else 0.0
        v = (w * sd * sd + ss) / (w + i)
        bets[i] = min(max(delta / (v + delta * delta), 0.0), cap)
    log_e = np.cumsum(np.log1p(bets * x))
    write(out, ["pair", "bet", "log_e"], [[i + 1, bets[i], log_e[i]] for i in range(len(x))])


def chains(out, inp):
    """Chain-suite metrics from the chain lengths of a baseline and a candidate (paired by row):
    scipy's percentile bootstrap of the candidate's mean length (its own random draws, so the
    C++ side compares within Monte Carlo error), statsmodels' Wilson interval of success at
    k = 1..5, and the paired sign-flip test of the mean difference: scipy's exact
    permutation_test for small sets, the exact null law by numpy convolution otherwise."""
    from scipy.stats import bootstrap, permutation_test
    from statsmodels.stats.proportion import proportion_confint
    sets = {}
    for r in read(inp):
        sets.setdefault(r["set"], ([], []))
        sets[r["set"]][0].append(int(r["baseline"]))
        sets[r["set"]][1].append(int(r["candidate"]))
    rows = []
    for name, (a, b) in sets.items():
        a, b = np.array(a), np.array(b)
        n = len(a)
        res = bootstrap((b.astype(float),), np.mean, n_resamples=20000, method="percentile",
                        confidence_level=0.95, random_state=np.random.default_rng(20261203))
        rows.append([name, "bootstrap", 0, res.confidence_interval.low,
                     res.confidence_interval.high, res.standard_error])
        for k in range(1, 6):
            s = int(np.sum(b >= k))
            lo, hi = proportion_confint(s, n, alpha=0.05, method="wilson")
            rows.append([name, "success_at", k, s, lo, hi])
        if n <= 14:
            def stat(x, y, axis=-1):
                return np.mean(y - x, axis=axis)
            p = {alt: permutation_test((a, b), stat, permutation_type="samples",
                                       n_resamples=np.inf, alternative=alt).pvalue
                 for alt in ("less", "greater", "two-sided")}
            source = "scipy"
        else:
            d = b - a
            pmf = np.array([1.0])
            for v in np.abs(d[d != 0]):
                nxt = np.zeros(len(pmf) + v)
                nxt[:len(pmf)] += 0.5 * pmf
                nxt[v:] += 0.5 * pmf
                pmf = nxt
            t = int(np.sum(d[d > 0]))
            p = {"less": min(1.0, pmf[:t + 1].sum()), "greater": min(1.0, pmf[t:].sum())}
            p["two-sided"] = min(1.0, 2 * min(p["less"], p["greater"]))
            source = "numpy"
        rows.append([name, "paired_" + source, 0, p["less"], p["greater"], p["two-sided"]])
    write(out, ["set", "kind", "k", "v1", "v2", "v3"], rows)


def check(_, __):
    import scipy  # noqa: F401
    import statsmodels  # noqa: F401


SECTIONS = {f.__name__: f for f in (proportion, exact_tests, newcombe, multitest, power, paired,
                                    correlation, sim_real, bca, fidelity, kappa, progress_evalue,
                                    chains, check)}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in SECTIONS:
        sys.exit("usage: golden.py {%s} OUTPUT.csv [INPUT.csv]" % ",".join(SECTIONS))
    SECTIONS[sys.argv[1]](sys.argv[2] if len(sys.argv) > 2 else None,
                          sys.argv[3] if len(sys.argv) > 3 else None)
