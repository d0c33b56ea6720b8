"""Evidence files behind an answer, an audit finding or an action: type and size checked on
the content, stored under MEDIA_ROOT with an unguessable path, served only to staff allowed on
the site (the view checks), every upload in the audit trail."""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from teranga.lib import files
from teranga.lib.errors import Invalid
from teranga.network.services import audit_record
from teranga.quality.models import Action, Answer, Evidence, Finding

EVIDENCE_TYPES = frozenset(
    {files.PDF, files.PNG, files.JPEG, files.XLSX, files.DOCX, files.ODS, files.ODT}
)


@transaction.atomic
def evidence_add(
    *,
    actor,
    upload,
    answer: Answer | None = None,
    finding: Finding | None = None,
    action: Action | None = None,
) -> Evidence:
    """Attach `upload` to exactly one owner. The caller has checked that `actor` may write
    on the owner's site; this checks the file."""
    owners = [o for o in (answer, finding, action) if o is not None]
    if len(owners) != 1:
        raise ValueError("evidence belongs to exactly one answer, finding or action")
    if answer is not None:
        site_id = answer.assessment.site_id
    elif finding is not None:
        site_id = finding.audit.site_id
    else:
        site_id = action.site_id
    if upload.size > settings.QUALITY_EVIDENCE_MAX_BYTES:
        raise Invalid(
            _("The file is too large (%(max)d MB at most).")
            % {"max": settings.QUALITY_EVIDENCE_MAX_BYTES // (1024 * 1024)}
        )
    content_type = files.sniff(upload, EVIDENCE_TYPES)
    if content_type is None:
        raise Invalid(_("Only PDF, JPEG, PNG, XLSX, DOCX, ODS and ODT files are accepted."))
    evidence = Evidence(
        site_id=site_id,
        answer=answer,
        finding=finding,
        action=action,
        token=secrets.token_hex(16),
        name=(upload.name or "file")[-120:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    evidence.file.save(evidence.token, upload, save=False)
    # The file is written before its row: if the row fails, the file goes too.
    try:
        evidence.save()
        audit_record(
            actor=actor,
            action="quality.evidence_add",
            instance=evidence,
            changes={"owner": [None, str(owners[0])], "size": [None, upload.size]},
        )
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence
