"""Prevalence on a hand-made project where every figure is known (tests/prevalence_project.py)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from coding.errors import InputError
from coding.prevalence import MISSING, prevalence
from coding.stats import parse_weights, quantifier
from tests.conftest import run_kodeverk, table_dump
from tests.prevalence_project import build

GOAL4 = "Mål 4 Aktiv og meningsfull tilværelse"
BOLIG = f"{GOAL4}/Bolig"
OMSORG = f"{BOLIG}/Omsorgsbolig"


@pytest.fixture
def built(project):
    ids = build(project)
    return project, ids


def figures(result, theme, **group):
    cell = result.cell(theme, tuple(group[b] for b in result.by) if group else None)
    return cell.cases, cell.cases_with, cell.excerpts, cell.documents, cell.quantifier


def test_groups_in_fixed_order_with_empty_and_missing(built):
    project, _ = built
    result = prevalence(project, "size_class")
    assert result.groups == [("liten",), ("mellomstor",), ("stor",), ("storby",), (MISSING,)]
    sizes = [len(result.group_cases[g]) for g in result.groups]
    assert sizes == [4, 3, 2, 0, 1]  # Z1 has no documents and does not count


def test_nested_codes_roll_up(built):
    project, _ = built
    result = prevalence(project, "size_class")
    assert figures(result, OMSORG, size_class="liten") == (4, 2, 2, 2, "en del")
    # Bolig = own codings (L1b, M1 twice, M2) + Omsorgsbolig (L1a, L2)
    assert figures(result, BOLIG, size_class="liten") == (4, 2, 3, 3, "en del")
    assert figures(result, BOLIG, size_class="mellomstor") == (3, 2, 3, 2, "et klart flertall")
    assert figures(result, GOAL4) == (10, 4, 6, 5, "en del")
    assert figures(result, BOLIG, size_class="storby") == (0, 0, 0, 0, "ingen")
    assert result.cell(BOLIG, ("storby",)).share is None


def test_exactly_half_and_exactly_two_thirds(built):
    project, _ = built
    result = prevalence(project, "size_class")
    assert result.cell(BOLIG, ("liten",)).share == 0.5
    assert result.cell(BOLIG, ("liten",)).quantifier == "en del"
    assert result.cell(BOLIG, ("mellomstor",)).quantifier == "et klart flertall"


def test_quantifier_boundaries_match_the_definition():
    for n in range(1, 40):
        for k in range(n + 1):
            share = Fraction(k, n)
            expected = (
                "ingen"
                if k == 0
                else "én"
                if k == 1
                else "et klart flertall"
                if share >= Fraction(2, 3)
                else "et flertall"
                if share > Fraction(1, 2)
                else "noen få"
                if share < Fraction(1, 10)
                else "en del"
            )
            assert quantifier(k, n) == expected, (k, n)
    assert quantifier(3, 5) == "et flertall"
    assert quantifier(2, 3, "en") == "a clear majority"
    assert quantifier(3, 5, "en") == "a majority"
    with pytest.raises(InputError):
        quantifier(1, 2, "de")


def test_coders_are_counted_separately(built):
    project, _ = built
    anna = prevalence(project, "size_class", coder="anna")
    assert figures(anna, BOLIG, size_class="mellomstor") == (3, 0, 0, 0, "ingen")
    assert figures(anna, BOLIG, size_class="liten") == (4, 2, 3, 3, "en del")
    consensus = prevalence(project, "size_class", coder="consensus")
    assert figures(consensus, BOLIG, size_class="mellomstor") == (3, 1, 1, 1, "én")
    both = prevalence(project, "size_class", coder="any")
    assert figures(both, "Mål 1 Brukermedvirkning/Brukerråd", size_class="stor") == (
        2,
        1,
        2,
        1,
        "én",
    )
    with pytest.raises(InputError, match="no coder named 'nobody'"):
        prevalence(project, "size_class", coder="nobody")


def test_goal_level_uses_effective_goal(built):
    project, _ = built
    result = prevalence(project, "size_class", level="goal")
    labels = [t.label for t in result.themes]
    assert labels[0] == "Mål 1 Brukermedvirkning" and len(labels) == 5
    # Forebygging lies under the goal-less Ressurser but carries goal 2 itself
    assert figures(result, "Mål 2 Tidlig innsats", size_class="mellomstor")[:2] == (3, 1)
    assert figures(result, GOAL4) == (10, 4, 6, 5, "en del")
    assert figures(result, "Mål 3 Tilgjengelige og helhetlige tjenester") == (10, 0, 0, 0, "ingen")
    english = prevalence(project, "size_class", level="goal", lang="en")
    assert english.themes[3].label == "Goal 4 An active and meaningful life"


def test_crossed_attributes(built):
    project, _ = built
    result = prevalence(project, ["size_class", "region"])
    assert len(result.groups) == 5 * 6  # four sizes + missing, five regions + missing
    assert figures(result, BOLIG, size_class="liten", region="Nord-Norge")[:2] == (2, 2)
    assert result.cell(BOLIG, ("liten", "Nord-Norge")).quantifier == "et klart flertall"
    assert figures(result, BOLIG, size_class="mellomstor", region="Midt-Norge")[:2] == (1, 0)
    assert figures(result, BOLIG, size_class="storby", region="Sørlandet")[:2] == (0, 0)
    assert figures(result, BOLIG, size_class=MISSING, region=MISSING)[:2] == (1, 0)


def test_codes_filter_and_unknown_attribute(built):
    project, _ = built
    result = prevalence(project, "region", codes=["Bolig"])
    assert [t.label for t in result.themes] == [BOLIG]
    assert [g[0] for g in result.groups][:5] == [
        "Nord-Norge",
        "Midt-Norge",
        "Vestlandet",
        "Østlandet",
        "Sørlandet",
    ]
    with pytest.raises(InputError, match="--by kommune: no case has this attribute"):
        prevalence(project, "kommune")


def test_difference_tests(built):
    project, _ = built
    result = prevalence(project, "size_class")
    test = result.tests[BOLIG]  # liten 2/4, mellomstor 2/3, stor 0/2: chi-square 2.25
    assert test.test == "chi2" and test.groups == 3
    assert test.statistic == pytest.approx(2.25)
    assert test.p_value == pytest.approx(0.324652, abs=1e-6)
    assert test.small_expected
    nothing = result.tests["Mål 1 Brukermedvirkning/Brukerråd"]
    assert nothing.test == "chi2"
    none = prevalence(project, "size_class", level="goal").tests[
        "Mål 3 Tilgjengelige og helhetlige tjenester"
    ]
    assert none.test == "none" and none.p_value is None and "nothing to test" in none.note


def test_chi_square_equals_scipy_chi2_contingency():
    from scipy.stats import chi2_contingency

    from coding.stats import difference_test

    for table in ([(2, 2), (2, 1), (0, 2)], [(10, 30), (25, 15), (12, 12), (3, 40)]):
        statistic, p_value, _, expected = chi2_contingency(table, correction=False)
        test = difference_test(table)
        assert test.statistic == pytest.approx(statistic)
        assert test.p_value == pytest.approx(p_value)
        assert test.small_expected == bool((expected < 5).any())


def test_fisher_for_two_groups():
    from scipy.stats import fisher_exact

    from coding.stats import difference_test

    test = difference_test([(8, 2), (1, 5), (0, 0)])  # the empty group is left out
    assert test.test == "fisher"
    assert test.p_value == pytest.approx(fisher_exact([[8, 2], [1, 5]])[1])
    assert test.p_value == pytest.approx(0.034965, abs=1e-6)


def test_fisher_exact_equals_scipys_on_many_tables():
    """Our Fisher test (no scipy in the app, issue 13) gives scipy's odds ratio and p-value:
    random tables small and large, tables with zeros, and symmetric ones (ties in the pmf)."""
    import random

    from scipy.stats import fisher_exact as scipy_fisher

    from coding.stats import fisher_exact

    rng = random.Random(13)
    tables = [[(8, 2), (1, 5)], [(0, 5), (5, 0)], [(3, 3), (3, 3)], [(0, 0), (2, 3)]]
    tables.append([(4, 0), (0, 1)])
    tables += [[(k, 10 - k), (10 - k, k)] for k in range(11)]  # symmetric: ties on both sides
    for top in (5, 30, 400, 5000):
        tables += [
            [(rng.randint(0, top), rng.randint(0, top)), (rng.randint(0, top), rng.randint(0, top))]
            for _ in range(60)
        ]
    for table in tables:
        odds, p_value = fisher_exact(table)
        expected_odds, expected_p = scipy_fisher(table)
        assert p_value == pytest.approx(expected_p, rel=1e-9, abs=1e-300), table
        assert odds == pytest.approx(expected_odds, nan_ok=True), table


def test_chi_square_tail_equals_scipys():
    from scipy.special import chdtrc

    from coding.stats import chi_square_tail

    for df in [*range(1, 41), 99, 100, 355]:
        for statistic in (0.0, 1e-9, 0.3, 1.0, 2.25, df / 2, df, 2 * df + 7, 5 * df + 50, 900.0):
            expected = chdtrc(df, statistic)
            found = chi_square_tail(statistic, df)
            assert found == pytest.approx(expected, rel=1e-9, abs=1e-300), (df, statistic)


def test_poststratified_weights(built):
    project, _ = built
    result = prevalence(project, "size_class", weights=parse_weights("seed004"))
    total = result.cell(BOLIG, None)
    # (230·1/2 + 148·2/3 + 39·0) / (230 + 148 + 39); storby has no cases and is left out
    assert total.weighted_share == pytest.approx((115 + 148 * 2 / 3) / 417)
    assert total.share == pytest.approx(0.4)
    assert "storby" in result.weighted_note
    data = result.as_json()
    assert data["weights"]["liten"] == 230
    assert next(t for t in data["totals"] if t["code"] == BOLIG)["weighted_share"] > 0.5
    with pytest.raises(InputError, match="'tiny' is not a value of size_class"):
        prevalence(project, "size_class", weights={"tiny": 3})
    with pytest.raises(InputError, match="no population count for mellomstor"):
        prevalence(project, "size_class", weights={"liten": 3})
    with pytest.raises(InputError, match="single --by"):
        prevalence(project, "size_class,region", weights={"liten": 3})


def test_weights_parsing(tmp_path):
    assert parse_weights("liten=230, mellomstor=148") == {"liten": 230.0, "mellomstor": 148.0}
    with pytest.raises(InputError, match="not NAME=NUMBER"):
        parse_weights("liten")
    with pytest.raises(InputError, match="'mange' is not a number"):
        parse_weights("liten=mange")
    from coding.stats import load_population

    table = tmp_path / "pop.csv"
    table.write_text("gruppe;antall\nliten;230\nstorby;13\n", encoding="utf-8")
    assert load_population(table) == {"liten": 230.0, "storby": 13.0}
    bad = tmp_path / "bad.csv"
    bad.write_text("gruppe,antall\nliten,230\nstor,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 3"):
        load_population(bad)


def test_cli_json_matches_the_api(built, project_path):
    project, _ = built
    project.close()
    done = run_kodeverk("prevalence", project_path, "--by", "size_class", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["by"] == ["size_class"] and data["level"] == "code"
    assert data["groups"][3] == {"group": {"size_class": "storby"}, "cases": 0}
    row = next(
        r for r in data["rows"] if r["code"] == BOLIG and r["group"] == {"size_class": "liten"}
    )
    assert row == {
        "code": BOLIG,
        "group": {"size_class": "liten"},
        "cases": 4,
        "cases_with": 2,
        "share": 0.5,
        "excerpts": 3,
        "documents": 3,
        "quantifier": "en del",
    }
    assert any(t["code"] == BOLIG and t["test"] == "chi2" for t in data["tests"])


def test_cli_table_csv_xlsx_and_errors(built, project_path, tmp_path):
    project, _ = built
    project.close()
    before = table_dump(project_path)
    shown = run_kodeverk("prevalence", project_path, "--by", "size_class", "--weights", "seed004")
    assert shown.returncode == 0, shown.stderr
    assert "et klart flertall" in shown.stdout and "Totalt" in shown.stdout
    assert "nothing to test" not in shown.stdout and "p = 0.000" not in shown.stdout
    csv_file, xlsx_file = tmp_path / "p.csv", tmp_path / "p.xlsx"
    written = run_kodeverk(
        "prevalence", project_path, "--by", "region", "--level", "goal",
        "-o", csv_file,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    args = ["prevalence", project_path, "--by", "region", "--level", "goal", "-o", xlsx_file]
    assert run_kodeverk(*args).returncode == 0
    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("goal,region,cases,cases_with,share")
    assert len(lines) == 1 + 5 * (6 + 1) + 0  # five goals × (five regions + missing + total)
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx_file).active
    assert sheet.max_row == len(lines) and sheet.freeze_panes == "A2"
    bad = run_kodeverk("prevalence", project_path, "--by", "size_class", "--codings-of", "nobody")
    assert bad.returncode == 1
    assert bad.stderr.startswith("kodeverk: error: no coder named 'nobody'")
    assert len(bad.stderr.strip().splitlines()) == 1
    weights = run_kodeverk("prevalence", project_path, "--by", "size_class", "--weights", "x")
    assert weights.returncode == 1 and "--weights: 'x' is not NAME=NUMBER" in weights.stderr
    assert table_dump(project_path) == before


def test_printed_test_line_follows_lang_and_never_says_p_zero():
    from coding.stats import difference_test
    from tui.commands.prevalence import LABELS, _test

    nobody = difference_test([(0, 5), (0, 6), (0, 3)])
    assert _test(nobody, LABELS["nb"]) == "ingen test: ingen sak tar det opp"
    assert _test(nobody, LABELS["en"]) == "no test: no case raises it: nothing to test"
    strong = difference_test([(0, 50), (30, 6), (0, 30)])
    assert _test(strong, LABELS["en"]) == "chi-square test: p < 0.001"
