"""Human labels for case attributes, used in captions and headings («etter kommunestørrelse»,
not «etter size_class»): a bundled table of the usual Norwegian ones, overridden per project by
``meta.attribute_labels`` (a JSON object, set with ``kodeverk cases label``)."""

from __future__ import annotations

import json

from coding.errors import InputError
from coding.store import Project

META_KEY = "attribute_labels"
# Lower-case labels as they read inside a sentence; headings capitalise the first letter.
BUNDLED = {
    "nb": {
        "size_class": "kommunestørrelse",
        "region": "landsdel",
        "fylke": "fylke",
        "county": "fylke",
        "innbyggere": "innbyggere",
        "population": "innbyggere",
        "kommune": "kommune",
        "kommunenummer": "kommunenummer",
        "sentralitet": "sentralitet",
        "centrality": "sentralitet",
        "kjønn": "kjønn",
        "gender": "kjønn",
        "alder": "alder",
        "age": "alder",
        "rolle": "rolle",
        "role": "rolle",
        "sektor": "sektor",
        "tjeneste": "tjeneste",
    },
    "en": {
        "size_class": "municipality size",
        "region": "region",
        "fylke": "county",
        "county": "county",
        "innbyggere": "population",
        "population": "population",
        "sentralitet": "centrality",
        "centrality": "centrality",
        "kjønn": "gender",
        "gender": "gender",
        "alder": "age",
        "age": "age",
        "rolle": "role",
        "role": "role",
    },
}


def project_labels(project: Project) -> dict[str, str]:
    """The project's own labels (``meta.attribute_labels``); a damaged value counts as none."""
    try:
        labels = json.loads(project.meta(META_KEY) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def attribute_label(project: Project | None, name: str, lang: str = "nb") -> str:
    """The label of attribute ``name``: the project's, the bundled one, or the name itself
    with underscores as spaces."""
    own = project_labels(project) if project is not None else {}
    if name in own:
        return own[name]
    return BUNDLED.get(lang, BUNDLED["nb"]).get(name) or name.replace("_", " ")


def set_attribute_label(project: Project, name: str, label: str) -> None:
    """Store the project's label for ``name`` (an empty label removes it)."""
    if not name.strip():
        raise InputError("attribute name is empty")
    labels = project_labels(project)
    if label.strip():
        labels[name] = label.strip()
    else:
        labels.pop(name, None)
    project.set_meta(META_KEY, json.dumps(labels, ensure_ascii=False, sort_keys=True))
