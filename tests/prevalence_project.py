"""A small hand-made project where every prevalence figure is known (see the table below).

Cases (documents): L1 (2 docs), L2, L3, L4 liten; M1, M2, M3 mellomstor; S1, S2 stor; no storby;
X1 without attributes; Z1 liten without documents (never counted).
Codes: Mål 4 (goal 4) > Bolig > Omsorgsbolig; Mål 1 (goal 1) > Brukerråd; Ressurser (no goal) >
Forebygging (goal 2 of its own).
Codings: anna Omsorgsbolig L1a, L2; anna Bolig L1b; bjørn Bolig M1, M2; consensus Bolig M1;
anna and bjørn Brukerråd S1; anna Ressurser L3, L4, X1; bjørn Forebygging M3.
"""

from __future__ import annotations

from coding.cases import ensure_case, set_attributes
from coding.codes import add_code
from coding.documents import Segment, add_document
from coding.operations import apply_coding, set_memo
from coding.store import Project

CASES = {
    "L1": {"size_class": "liten", "region": "Nord-Norge"},
    "L2": {"size_class": "liten", "region": "Nord-Norge"},
    "L3": {"size_class": "liten", "region": "Vestlandet"},
    "L4": {"size_class": "Liten", "region": "Østlandet"},  # spelt with a capital on purpose
    "M1": {"size_class": "mellomstor", "region": "Vestlandet"},
    "M2": {"size_class": "mellomstor", "region": "Vestlandet"},
    "M3": {"size_class": "mellomstor", "region": "Midt-Norge"},
    "S1": {"size_class": "stor", "region": "Midt-Norge"},
    "S2": {"size_class": "stor", "region": "Østlandet"},
    "X1": {},
    "Z1": {"size_class": "liten", "region": "Sørlandet"},
}
TEXT = "Vi mangler boliger i {case}. Brukerrådet fungerer godt. Pengene strekker ikke til.\n"
_SAMPLE = TEXT.format(case="XX")  # every case name has two letters
HOUSING = (0, _SAMPLE.index(".") + 1)  # «Vi mangler boliger i XX.»
COUNCIL = (_SAMPLE.index("Brukerrådet"), _SAMPLE.index("godt.") + 5)


def build(project: Project) -> dict[str, int]:
    """Fill ``project``; returns ids by name (cases, documents ``L1a`` …, codes)."""
    ids: dict[str, int] = {}
    for name, attributes in CASES.items():
        ids[name] = ensure_case(project, name)
        set_attributes(project, ids[name], attributes)
    for doc, case in [("L1a", "L1"), ("L1b", "L1")] + [
        (c, c) for c in CASES if c not in {"L1", "Z1"}
    ]:
        text = TEXT.format(case=case)
        end = text.index(".") + 1
        segments = [
            Segment(0, end, "paragraph", 0),
            Segment(end + 1, len(text) - 1, "paragraph", 0),
        ]
        ids[f"doc:{doc}"] = add_document(
            project, f"intervju {case} {doc}", text, "interview", segments, case_id=ids[case]
        )
    goal4 = ids["Mål 4"] = add_code(project, "Mål 4 Aktiv og meningsfull tilværelse", goal=4)
    ids["Bolig"] = add_code(project, "Bolig", parent_id=goal4, description="Bolig og botilbud")
    ids["Omsorgsbolig"] = add_code(project, "Omsorgsbolig", parent_id=ids["Bolig"])
    goal1 = ids["Mål 1"] = add_code(project, "Mål 1 Brukermedvirkning", goal=1)
    ids["Brukerråd"] = add_code(project, "Brukerråd", parent_id=goal1)
    ids["Ressurser"] = add_code(project, "Ressurser", description="Økonomi og bemanning")
    ids["Forebygging"] = add_code(project, "Forebygging", parent_id=ids["Ressurser"], goal=2)
    plan = [
        ("anna", "Omsorgsbolig", ["L1a", "L2"]),
        ("anna", "Bolig", ["L1b"]),
        ("bjørn", "Bolig", ["M1", "M2"]),
        ("consensus", "Bolig", ["M1"]),
        ("anna", "Brukerråd", ["S1"]),
        ("bjørn", "Brukerråd", ["S1"]),
        ("anna", "Ressurser", ["L3", "L4", "X1"]),
        ("bjørn", "Forebygging", ["M3"]),
    ]
    for coder, code, docs in plan:
        for doc in docs:
            span = COUNCIL if code == "Brukerråd" else HOUSING
            coding = apply_coding(project, ids[f"doc:{doc}"], ids[code], coder, *span)
            ids[f"coding:{coder}:{code}:{doc}"] = coding.id
    set_memo(project, "anna", "coding", ids["coding:anna:Bolig:L1b"], "Tydelig om boligmangel")
    return ids
