"""What the dossier page shows, prepared from the models: files by document and round, form data, checklist."""
from flask import url_for

from ..dossiers.events import EventKind
from ..dossiers.models import DossierEvent
from ..submissions.forms import display_value


def file_url(file, thumb=False):
    """The checked staff URL that serves a dossier's page (inbox/files.py)."""
    return url_for("inbox.thumb" if thumb else "inbox.file", dossier_id=file.dossier_id, file_id=file.id)


def documents_of(dossier):
    return (dossier.procedure_snapshot or {}).get("documents") or []


def file_groups(dossier):
    """One group per required document (and 'other'): the latest round first, older rounds kept."""
    documents = documents_of(dossier)
    paper_seen = set((dossier.form_data or {}).get("paper_seen") or [])
    by_index = {}
    for f in dossier.files:
        if f.purpose != "document":
            continue
        index = f.document_index if f.document_index is not None and 0 <= f.document_index < len(documents) \
            else None
        by_index.setdefault(index, []).append(f)
    groups = []
    slots = [(i, doc.get("name", "")) for i, doc in enumerate(documents)]
    if None in by_index:
        slots.append((None, "Giấy tờ khác"))
    for index, name in slots:
        files = by_index.get(index, [])
        rounds = sorted({f.round for f in files}, reverse=True)
        latest = rounds[0] if rounds else None
        groups.append({
            "index": index,
            "name": name,
            "latest_round": latest,
            "latest": [f for f in files if f.round == latest],
            "older": [(r, [f for f in files if f.round == r]) for r in rounds[1:]],
            "new": bool(latest and dossier.has_new_supplement and latest == dossier.supplement_count),
            "paper_seen": index in paper_seen,
            "required": index is not None and documents[index].get("required", True),
            "online_form": index is not None and bool(documents[index].get("online_form")),
        })
    return groups


def result_files(dossier):
    return [f for f in dossier.files if f.purpose == "result"]


def form_answers(dossier):
    """[(label, value)] of the procedure's questions, in the order the snapshot lists them."""
    data = dict(dossier.form_data or {})
    data.pop("paper_seen", None)
    answers = []
    for question in (dossier.procedure_snapshot or {}).get("form_fields") or []:
        if not isinstance(question, dict):
            continue
        key = question.get("name")
        if key in data:
            answers.append((question.get("label") or key, display_value(question, data.pop(key))))
    answers.extend((key, str(value)) for key, value in data.items()
                   if value not in (None, "") and not isinstance(value, dict | list))
    return answers


def checklist_state(dossier):
    """The document indexes the clerk last ticked."""
    for event in reversed(dossier.events):
        if event.kind == EventKind.CHECKLIST:
            return set((event.data or {}).get("checked") or [])
    return set()


def timeline(dossier):
    """Every event but document views (those are listed apart, for the personal-data record)."""
    return [e for e in dossier.events if e.kind != EventKind.DOCUMENT_VIEW]


def document_views(dossier):
    return [e for e in dossier.events if e.kind == EventKind.DOCUMENT_VIEW]


def all_files(dossier):
    """Files in viewing order: documents by index and round, then results."""
    return sorted(dossier.files, key=lambda f: (f.purpose != "document",
                                                f.document_index if f.document_index is not None else 999,
                                                f.round, f.id))


__all__ = ["DossierEvent", "file_url", "file_groups", "form_answers", "checklist_state", "timeline"]
