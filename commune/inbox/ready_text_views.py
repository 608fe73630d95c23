"""Put a ready-made text into the supplement-request or refusal form (works without JavaScript:
the form comes back with the text in its box, everything the clerk typed kept, nothing sent)."""
from flask import abort
from flask_babel import gettext as _

from ..accounts.permissions import roles_required
from ..core.roles import DOSSIER_READERS
from ..dossiers.access import staff_dossier
from . import bp
from .actions import ACTIONS
from .dossier_views import make_form, refuse_action, render_dossier
from .forms import ReadyTextPickForm
from .ready_texts import TARGET_FIELD, insert_text, offered_text, texts_for


@bp.route("/hop-thu/ho-so/<int:dossier_id>/mau-cau/<key>", methods=["POST"])
@roles_required(*DOSSIER_READERS)
def use_ready_text(dossier_id, key):
    """The dossier page again, the action's form open with the picked text in its box."""
    if key not in TARGET_FIELD:
        abort(404)
    action = ACTIONS[key]
    dossier = staff_dossier(dossier_id)
    refused = refuse_action(dossier, action)
    if refused is not None:
        return refused
    form = make_form(action, dossier, submitted=True)
    pick = ReadyTextPickForm(prefix=key)
    text = offered_text(key, dossier.procedure_id, pick.ready_text.data) if pick.validate_on_submit() else None
    if text is None:
        form.form_errors.append(_("Chọn một mẫu câu trong danh sách."))
        return render_dossier(dossier, bound=(key, form), status=400)
    box = form[TARGET_FIELD[key]]
    box.data = insert_text(box.data, text.body)
    return render_dossier(dossier, bound=(key, form))


@bp.context_processor
def _ready_texts():
    def ready_texts_for(dossier, key):
        """The texts the form of action `key` offers for this dossier ([] for other actions)."""
        return texts_for(key, dossier.procedure_id) if key in TARGET_FIELD else []

    return {"ready_texts_for": ready_texts_for}
